// The user's records on this device (the outbox and what became of it): each with its state
// (draft, waiting, sent, rejected with the errors by field, returned with the supervisor's
// comment, in conflict with both values) and, where it makes sense, "Correct and send again";
// one record (read-only in the form renderer); and "Find a record" among those pulled from the
// user's scope. The data comes from app.store (js/store.js).

import { datesIn, formatDateTime, khmerDigits, pick } from '../i18n.js';

/** A server message ({message, message_km}) in the language; numbers in Khmer digits in Khmer. */
const serverMessage = (e, lang) => (lang === 'km'
  ? khmerDigits(e.message_km || (typeof e.message === 'object' ? pick(e.message, lang) : e.message))
  : (typeof e.message === 'object' ? pick(e.message, lang) : e.message));
import { ATTENTION, attachmentsIn, CORRECTABLE, labelAt } from '../records.js';
import { h, replace } from './dom.js';

const show = (v) => {
  if (v === undefined || v === null || v === '') return '—';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
};

/** Two values of each answer side by side: [{label, server_value, client_value}] as a table
 * (answer, on the server, this device). */
export function valuesTable(app, rows) {
  const t = (k, p) => app.t(k, p);
  return h('table', {},
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('conflict_field')), h('th', { scope: 'col' }, t('conflict_server')), h('th', { scope: 'col' }, t('conflict_yours')))),
    h('tbody', {}, rows.map((c) => h('tr', {},
      h('th', { scope: 'row' }, c.label),
      h('td', { class: 'server-value' }, show(c.server_value)),
      h('td', { class: 'client-value' }, show(c.client_value))))));
}

export async function renderRecords(app, main) {
  const view = { onSynced: () => draw(), setLang: () => draw() };
  async function draw() {
    const t = (k, p) => app.t(k, p);
    const records = await app.store.myRecords();
    replace(main,
      h('h1', {}, t('records')),
      records.length ? h('ul', { class: 'cards records' }, records.map((r) => h('li', { class: `record state-${r.state.state}`, dataset: { recordId: r.record_id, state: r.state.state } },
        h('a', { class: 'card-link', href: `#/record/${encodeURIComponent(r.record_id)}` },
          h('strong', {}, `${pick(r.title, app.lang)}: ${pick(r.name, app.lang) || r.label}`),
          h('span', { class: `badge state-${r.state.state}` }, t(`state_${r.state.state}`)),
          h('span', { class: 'meta' }, r.when ? t(r.state.state === 'waiting' ? 'queued' : 'sent_at', { when: formatDateTime(r.when, app.lang) }) : ''),
          r.state.comment ? h('span', { class: 'comment' }, t('supervisor_comment', { comment: r.state.comment })) : null))))
        : h('p', { class: 'hint' }, t('no_records')));
  }
  app.shell.refreshStatus();
  await draw();
  return view;
}

export async function renderRecord(app, main, recordId) {
  let form = null;
  const view = {
    onSynced: () => draw(),
    setLang: () => draw(),
    destroy: () => { if (form) form.destroy(); form = null; },
  };
  let drawing = 0; // a newer draw (after a sync) wins over one still loading
  async function draw() {
    const mine = ++drawing;
    const t = (k, p) => app.t(k, p);
    const r = await app.store.record(recordId);
    if (mine !== drawing) return;
    if (form) { form.destroy(); form = null; }
    if (!r) {
      replace(main, h('p', { class: 'card' }, t('not_found')), h('a', { class: 'button', href: '#/records' }, t('back')));
      return;
    }
    const { state } = r;
    const parts = [
      h('h1', {}, `${pick(r.title, app.lang)}: ${pick(r.name, app.lang) || r.label}`),
      h('p', { class: `badge big state-${state.state}`, id: 'record-state' }, t(`state_${state.state}`)),
    ];
    if (state.comment) parts.push(h('p', { class: 'card returned', id: 'review-comment' }, t('supervisor_comment', { comment: state.comment })));
    if (r.left_scope) parts.push(h('p', { class: 'card warning', id: 'left-scope', role: 'note' }, t('left_scope')));
    if (!navigator.onLine && r.schema && await app.store.onServerOnly(attachmentsIn(r.schema, r.data || {}))) {
      if (mine !== drawing) return;
      parts.push(h('p', { class: 'card on-server', id: 'attachments-on-server' }, t('attachments_on_server')));
    }
    if (state.errors.length) {
      parts.push(h('section', { class: 'card errors', id: 'server-errors' },
        h('h2', {}, t('errors_by_field')),
        h('ul', {}, state.errors.map((e) => h('li', {},
          h('strong', {}, r.schema ? labelAt(r.schema, e.path, app.lang) || e.path : e.path), ': ',
          serverMessage(e, app.lang))))));
    }
    // the server's flags on the copy shown (for a supervisor: not a refusal)
    const flags = r.pulled && r.data === r.pulled.data && Array.isArray(r.pulled.flags) ? r.pulled.flags : [];
    if (flags.length) {
      parts.push(h('section', { class: 'card flags', id: 'record-flags' },
        h('h2', {}, t('flags_heading')),
        h('ul', {}, flags.map((e) => h('li', {},
          e.path && r.schema ? [h('strong', {}, labelAt(r.schema, e.path, app.lang) || e.path), ': '] : null,
          serverMessage(e, app.lang))))));
    }
    if (state.state === 'conflict' && state.conflicts.length) {
      parts.push(h('section', { class: 'card conflict', id: 'conflicts' },
        h('p', {}, t('conflict_intro')),
        valuesTable(app, state.conflicts.map((c) => ({ ...c, label: r.schema ? labelAt(r.schema, c.path, app.lang) : c.path })))));
    }
    const buttons = [h('a', { class: 'button', href: '#/records' }, t('back'))];
    if (r.draft) buttons.push(h('a', { class: 'button primary', href: `#/draft/${encodeURIComponent(r.draft.draft_id)}` }, t('continue_draft', { title: pick(r.title, app.lang) })));
    else if (CORRECTABLE.has(state.state) && r.schema && !r.left_scope) {
      const label = ATTENTION.has(state.state) ? t('correct') : t('edit');
      buttons.push(h('button', { type: 'button', class: 'primary', onclick: () => correct(app, r) }, label));
    }
    parts.push(h('div', { class: 'form-actions' }, ...buttons));
    const container = h('div', { class: 'form-container' });
    parts.push(container);
    replace(main, ...parts);
    if (r.schema) {
      try {
        const { renderForm } = await import('./form.js');
        if (mine !== drawing) return;
        form = renderForm(container, {
          schema: r.schema, data: r.data, lang: app.lang, readOnly: true,
          lookupRecords: app.store.lookupRecords(), attachments: app.store.attachments(), onChange: () => {},
        });
        if (state.errors.length) form.showErrors(state.errors);
        if (flags.length) form.showFlags(flags);
      } catch {
        container.textContent = t('renderer_missing');
      }
    }
  }
  await draw();
  return view;
}

/** A correction: a draft of the record on its version, from the data the device last had,
 * based on the revision the device last knew. */
function correct(app, r) {
  const { state } = r;
  return app.startDraft({ form_id: r.form_id, version: r.form_version, title: r.title }, {
    record_id: r.record_id,
    base_rev: state.rev,
    base_data: r.base_data,
    data: structuredClone(r.data || {}),
    origin: ATTENTION.has(state.state) ? 'correction' : 'edit',
    errors: state.errors.length ? state.errors : null,
    comment: state.comment,
    version: r.form_version,
  });
}

/** Records pulled from the user's scope (institutions, children, cases): search by name and
 * open one to follow it up. */
export async function renderFind(app, main) {
  const t = (k, p) => app.t(k, p);
  const rows = await app.store.pulledRecords();
  const search = h('input', { id: 'find-query', type: 'search', autocomplete: 'off', oninput: () => draw() });
  const count = h('p', { class: 'hint', 'aria-live': 'polite' });
  const list = h('ul', { class: 'cards' });
  const LIMIT = 30;
  function draw() {
    const q = search.value.trim().toLowerCase();
    const found = q ? rows.filter((r) => r.label.toLowerCase().includes(q) || r.record_id.startsWith(q)) : rows;
    count.textContent = t('find_count', { n: found.length, total: rows.length });
    replace(list, found.slice(0, LIMIT).map((r) => h('li', {},
      h('a', { class: 'card-link', href: `#/record/${encodeURIComponent(r.record_id)}` },
        h('strong', {}, datesIn(r.label, app.lang)), h('span', { class: 'meta' }, pick(r.title, app.lang))))));
  }
  replace(main,
    h('h1', {}, t('find_record')),
    h('label', { for: 'find-query' }, t('search_records')), search,
    count, list);
  draw();
  search.focus();
  return { setLang: () => renderFind(app, main) };
}
