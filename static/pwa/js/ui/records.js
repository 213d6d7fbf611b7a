// The user's records on this device (the outbox and what became of it): each with its state
// (draft, waiting, sent, rejected with the errors by field, returned with the supervisor's
// comment, in conflict with both values) and, where it makes sense, "Correct and send again".
// Also the renderer's helpers: record pickers (lookupRecords) and the attachment store.

import { formatDateTime, pick } from '../i18n.js';
import { attachmentsIn, labelAt, recordLabel, recordState } from '../records.js';
import { whereIs } from '../retention.js';
import { recordKey } from '../sync.js';
import { h, replace } from './dom.js';
import { startDraft } from './home.js';

export const ATTENTION = new Set(['rejected', 'returned', 'conflict']);
const CORRECTABLE = new Set(['waiting', 'rejected', 'returned', 'conflict', 'sent', 'received', 'approved']);

async function schemaFor(app, formId, version) {
  const row = await app.db.get('forms', [formId, version]);
  if (row) return row.schema;
  const any = (await app.db.getAll('forms')).filter((f) => f.form_id === formId);
  return any.length ? any[any.length - 1].schema : null;
}

async function describe(app, recordId, items, draft, pulled) {
  const state = recordState({ draft, items, pulled });
  const last = state.item;
  const useServer = pulled && (!last || ((last.result?.rev == null || pulled.rev >= last.result.rev)
    && last.state !== 'waiting' && last.state !== 'rejected'));
  const source = useServer ? pulled : last;
  const schema = await schemaFor(app, source.form_id, source.form_version);
  return {
    record_id: recordId,
    form_id: source.form_id,
    form_version: source.form_version,
    schema,
    title: schema ? schema.title : (last && last.title) || source.form_id,
    label: schema ? recordLabel(schema, { record_id: recordId, data: source.data }) : recordId.slice(0, 8),
    data: source.data,
    state,
    items,
    draft,
    pulled,
    when: last ? (last.sent_at || last.queued_at) : Date.parse(pulled.updated_at),
  };
}

/** Every record this user touched on this device, newest first. */
export async function loadMyRecords(app) {
  const username = app.session.username;
  const items = await app.db.getAllFromIndex('outbox', 'by_user', username);
  const drafts = await app.db.getAllFromIndex('drafts', 'by_user', username);
  const byRecord = new Map();
  for (const i of items) {
    if (!byRecord.has(i.record_id)) byRecord.set(i.record_id, { items: [], draft: null });
    byRecord.get(i.record_id).items.push(i);
  }
  for (const d of drafts) if (byRecord.has(d.record_id)) byRecord.get(d.record_id).draft = d;
  const out = [];
  for (const [recordId, { items: its, draft }] of byRecord) {
    const pulled = (await app.db.get('records', recordKey(username, recordId))) || null;
    out.push(await describe(app, recordId, its, draft, pulled));
  }
  out.sort((a, b) => (b.when || 0) - (a.when || 0));
  return out;
}

/** One record: the user's own, or one pulled from their scope (a follow-up). */
export async function loadRecord(app, recordId) {
  const username = app.session.username;
  const items = (await app.db.getAllFromIndex('outbox', 'by_user', username)).filter((i) => i.record_id === recordId);
  const draft = (await app.db.getAllFromIndex('drafts', 'by_user', username)).find((d) => d.record_id === recordId) || null;
  const pulled = (await app.db.get('records', recordKey(username, recordId))) || null;
  if (!items.length && !pulled) return null;
  return describe(app, recordId, items, draft, pulled);
}

const show = (v) => {
  if (v === undefined || v === null || v === '') return '—';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
};

export async function renderRecords(app, main) {
  const view = { onSynced: () => draw(), setLang: () => draw() };
  async function draw() {
    const t = (k, p) => app.t(k, p);
    const records = await loadMyRecords(app);
    replace(main,
      h('h1', {}, t('records')),
      records.length ? h('ul', { class: 'cards records' }, records.map((r) => h('li', { class: `record state-${r.state.state}`, dataset: { recordId: r.record_id, state: r.state.state } },
        h('a', { class: 'card-link', href: `#/record/${encodeURIComponent(r.record_id)}` },
          h('strong', {}, `${pick(r.title, app.lang)}: ${r.label}`),
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
    const r = await loadRecord(app, recordId);
    if (mine !== drawing) return;
    if (form) { form.destroy(); form = null; }
    if (!r) {
      replace(main, h('p', { class: 'card' }, t('not_found')), h('a', { class: 'button', href: '#/records' }, t('back')));
      return;
    }
    const { state } = r;
    const parts = [
      h('h1', {}, `${pick(r.title, app.lang)}: ${r.label}`),
      h('p', { class: `badge big state-${state.state}`, id: 'record-state' }, t(`state_${state.state}`)),
    ];
    if (state.comment) parts.push(h('p', { class: 'card returned', id: 'review-comment' }, t('supervisor_comment', { comment: state.comment })));
    if (!navigator.onLine && await onServerOnly(app, r)) {
      if (mine !== drawing) return;
      parts.push(h('p', { class: 'card on-server', id: 'attachments-on-server' }, t('attachments_on_server')));
    }
    if (state.errors.length) {
      parts.push(h('section', { class: 'card errors', id: 'server-errors' },
        h('h2', {}, t('errors_by_field')),
        h('ul', {}, state.errors.map((e) => h('li', {},
          h('strong', {}, r.schema ? labelAt(r.schema, e.path, app.lang) || e.path : e.path), ': ',
          app.lang === 'km' && e.message_km ? e.message_km : (typeof e.message === 'object' ? pick(e.message, app.lang) : e.message))))));
    }
    if (state.state === 'conflict' && state.conflicts.length) {
      parts.push(h('section', { class: 'card conflict', id: 'conflicts' },
        h('p', {}, t('conflict_intro')),
        h('table', {},
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('conflict_field')), h('th', { scope: 'col' }, t('conflict_server')), h('th', { scope: 'col' }, t('conflict_yours')))),
          h('tbody', {}, state.conflicts.map((c) => h('tr', {},
            h('th', { scope: 'row' }, r.schema ? labelAt(r.schema, c.path, app.lang) : c.path),
            h('td', { class: 'server-value' }, show(c.server_value)),
            h('td', { class: 'client-value' }, show(c.client_value))))))));
    }
    const buttons = [h('a', { class: 'button', href: '#/records' }, t('back'))];
    if (r.draft) buttons.push(h('a', { class: 'button primary', href: `#/draft/${encodeURIComponent(r.draft.draft_id)}` }, t('continue_draft', { title: pick(r.title, app.lang) })));
    else if (CORRECTABLE.has(state.state) && r.schema) {
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
          lookupRecords: lookupRecordsFor(app), attachments: attachmentStore(app), onChange: () => {},
        });
        if (state.errors.length) form.showErrors(state.errors);
      } catch {
        container.textContent = t('renderer_missing');
      }
    }
  }
  await draw();
  return view;
}

/** Whether a photo or signature the record names is held by the server only (its blob left
 * the device after upload). */
async function onServerOnly(app, r) {
  const shas = r.schema ? attachmentsIn(r.schema, r.data || {}) : [];
  for (const sha of shas) if (whereIs(await app.db.get('attachments', sha)) === 'server') return true;
  return false;
}

/** A correction: a draft of the record on its version, from the data the device last had,
 * based on the revision the device last knew. */
async function correct(app, r) {
  const { state } = r;
  await startDraft(app, { form_id: r.form_id, version: r.form_version, title: r.title }, {
    record_id: r.record_id,
    base_rev: state.rev,
    data: structuredClone(r.data || {}),
    origin: ATTENTION.has(state.state) ? 'correction' : 'edit',
    errors: state.errors.length ? state.errors : null,
    comment: state.comment,
    version: r.form_version,
  });
}

// --- the renderer's helpers --------------------------------------------------------------------

/** lookupRecords(form_id) -> [{record_id, label}]: pulled records of that form in the user's
 * scope, and the user's own not yet pulled (a new institution made offline). */
export function lookupRecordsFor(app) {
  return async (formId) => {
    const username = app.session.username;
    const pulled = await app.db.getAllFromIndex('records', 'by_user_form', [username, formId]);
    const own = (await app.db.getAllFromIndex('outbox', 'by_user', username))
      .filter((i) => i.form_id === formId && i.state !== 'rejected');
    const schema = await schemaFor(app, formId, (pulled[0] || own[0] || {}).form_version);
    const seen = new Set();
    const out = [];
    for (const r of [...pulled, ...own.reverse()]) {
      if (seen.has(r.record_id)) continue;
      seen.add(r.record_id);
      out.push({ record_id: r.record_id, label: schema ? recordLabel(schema, r) : recordLabel(null, r) });
    }
    return out.sort((a, b) => a.label.localeCompare(b.label));
  };
}

const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');

/** attachments.put(blob, {content_type}) -> sha256 (kept in IndexedDB until uploaded after its
 * record, and a while after: js/retention.js); attachments.url(sha) -> an object URL of the
 * local copy, or of the server's when the device dropped its copy (fetched with the token,
 * kept in memory only: IndexedDB does not fill up again); attachments.where(sha) -> 'device',
 * 'server' (dropped here, held by the server) or 'unknown', for the widgets' placeholder. */
export function attachmentStore(app) {
  const urls = new Map();
  return {
    async put(blob, { content_type: contentType, sha256 } = {}) {
      const sha = hex(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
      if (sha256 && sha256 !== sha) throw new Error('The photo changed while it was being saved.');
      const existing = await app.db.get('attachments', sha);
      // the same picture again (or one whose blob was dropped): its bytes come back, its state
      // and upload time stay, so it is neither uploaded twice nor forgotten by the retention
      const { pruned_at: _dropped, ...kept } = existing || {};
      await app.db.put('attachments', {
        ...kept,
        sha256: sha,
        blob,
        content_type: contentType || blob.type || 'application/octet-stream',
        size: blob.size,
        state: existing ? existing.state : 'local',
        username: app.session.username,
        created_at: existing ? existing.created_at : new Date().toISOString(),
      });
      return sha;
    },
    async url(sha) {
      if (urls.has(sha)) return urls.get(sha);
      const local = await app.db.get('attachments', sha);
      let blob = local ? local.blob : null;
      if (!blob && navigator.onLine) {
        try { blob = await app.api.attachmentBlob(sha); } catch { blob = null; }
      }
      if (!blob) return null;
      const url = URL.createObjectURL(blob);
      urls.set(sha, url);
      return url;
    },
    async where(sha) {
      return whereIs(await app.db.get('attachments', sha));
    },
  };
}

/** Records pulled from the user's scope (institutions, children, cases): search by name and
 * open one to follow it up. */
export async function renderFind(app, main) {
  const t = (k, p) => app.t(k, p);
  const username = app.session.username;
  const pulled = await app.db.getAllFromIndex('records', 'by_user', username);
  const schemas = new Map();
  const rows = [];
  for (const r of pulled) {
    const k = `${r.form_id}@${r.form_version}`;
    if (!schemas.has(k)) schemas.set(k, await schemaFor(app, r.form_id, r.form_version));
    const schema = schemas.get(k);
    rows.push({ record_id: r.record_id, label: recordLabel(schema, r), title: schema ? schema.title : { en: r.form_id, km: r.form_id } });
  }
  rows.sort((a, b) => a.label.localeCompare(b.label));
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
        h('strong', {}, r.label), h('span', { class: 'meta' }, pick(r.title, app.lang))))));
  }
  replace(main,
    h('h1', {}, t('find_record')),
    h('label', { for: 'find-query' }, t('search_records')), search,
    count, list);
  draw();
  search.focus();
  return { setLang: () => renderFind(app, main) };
}
