// A draft open in the form renderer. Every change is written to IndexedDB at once (a tablet
// that dies mid-form loses nothing); "Save draft" keeps it for later; "Submit" validates,
// queues a change in the outbox (the draft's form version, a new change_id, the base_rev the
// device knew) and removes the draft, in one transaction (app.store.submitDraft).

import { formatDateTime, pick } from '../i18n.js';
import { attachmentsIn } from '../records.js';
import { newUuid } from '../uuid.js';
import { h, replace } from './dom.js';

export async function renderEditor(app, main, draftId) {
  const t = (k, p) => app.t(k, p);
  const draft = await app.store.draft(draftId);
  if (!draft) {
    replace(main, h('p', { class: 'card' }, t('not_found')), h('a', { class: 'button', href: '#/' }, t('home')));
    return null;
  }
  const schema = await app.store.exactSchema(draft.form_id, draft.form_version);
  if (!schema) {
    replace(main, h('p', { class: 'card error' }, t('form_missing')), h('a', { class: 'button', href: '#/' }, t('home')));
    return null;
  }
  let renderForm;
  try {
    ({ renderForm } = await import('./form.js'));
  } catch {
    replace(main, h('p', { class: 'card error' }, t('renderer_missing')));
    return null;
  }
  app.openDraftId = draft.draft_id;

  const heading = h('h1', {}, pick(schema.title, app.lang));
  const version = h('p', { class: 'meta' }, t('form_version', { version: draft.form_version }));
  const saved = h('p', { class: 'meta saved', 'aria-live': 'polite' });
  const comment = draft.comment ? h('p', { class: 'card returned' }, t('supervisor_comment', { comment: draft.comment })) : null;
  const message = h('p', { class: 'error', role: 'alert', hidden: true });
  const container = h('div', { class: 'form-container' });
  const saveButton = h('button', { type: 'button', onclick: () => saveAndClose() }, t('save_draft'));
  const submitButton = h('button', { type: 'button', class: 'primary', onclick: () => submit() }, t('submit'));
  const actions = h('div', { class: 'form-actions' }, saveButton, submitButton);
  replace(main, h('article', { class: 'editor' }, heading, version, comment, container, message, saved, actions));

  // writes in order, latest wins; `pending` is the newest data not yet on disk
  let current = draft;
  let writing = Promise.resolve();
  let pending = null;
  let submitted = false; // the draft became a change: nothing may write it back
  function persist(data) {
    if (submitted) return writing;
    pending = data;
    writing = writing.then(async () => {
      if (pending === null) return;
      const next = { ...current, data: pending, updated_at: new Date().toISOString() };
      pending = null;
      await app.store.saveDraft(next);
      current = next;
      saved.textContent = t('draft_autosaved');
    }).catch((err) => {
      message.hidden = false;
      message.textContent = String(err && err.message);
    });
    return writing;
  }

  const form = renderForm(container, {
    schema,
    data: draft.data,
    lang: app.lang,
    lookupRecords: app.store.lookupRecords(),
    attachments: app.store.attachments(),
    onChange: (data) => { persist(data); },
    readOnly: false,
  });
  if (draft.errors && draft.errors.length) form.showErrors(draft.errors);

  async function saveAndClose() {
    await persist(form.getData());
    app.shell.notice(t('draft_saved', { when: formatDateTime(new Date(), app.lang) }));
    app.navigate('#/');
  }

  async function submit() {
    submitButton.disabled = true;
    try {
      const errors = await form.validate();
      if (Array.isArray(errors) && errors.length) {
        form.focusFirstError();
        message.hidden = false;
        message.textContent = t('fix_errors');
        await persist(form.getData());
        return;
      }
      message.hidden = true;
      const data = form.getData();
      await persist(data);
      await writing;
      submitted = true;
      await app.store.submitDraft(current, {
        change_id: newUuid(),
        record_id: current.record_id,
        form_id: current.form_id,
        form_version: current.form_version,
        base_rev: current.base_rev ?? null,
        data,
        attachments: attachmentsIn(schema, data),
        captured_at: new Date().toISOString(),
        username: current.username,
        priority: schema.settings && schema.settings.priority === 'urgent' ? 'urgent' : 'normal',
        title: schema.title,
        origin: current.origin,
      });
      app.openDraftId = null;
      app.shell.notice(t('submitted'));
      app.shell.refreshStatus();
      app.requestBackgroundSync();
      if (navigator.onLine) app.syncer.run({ reason: 'submit' });
      app.navigate('#/records');
    } finally {
      submitButton.disabled = false;
    }
  }

  return {
    setLang(lang) {
      form.setLang(lang);
      heading.textContent = pick(schema.title, lang);
      version.textContent = t('form_version', { version: draft.form_version });
      saveButton.textContent = t('save_draft');
      if (saved.textContent) saved.textContent = t('draft_autosaved');
      submitButton.textContent = t('submit');
    },
    async destroy() {
      if (!submitted) await persist(form.getData());
      await writing;
      form.destroy();
      app.openDraftId = null;
    },
  };
}
