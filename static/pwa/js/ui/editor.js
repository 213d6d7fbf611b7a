// A draft open in the form renderer. Every change is written to IndexedDB at once (a tablet
// that dies mid-form loses nothing); "Save draft" keeps it for later; "Submit" validates,
// queues a change in the outbox (the draft's form version, a new change_id, the base_rev the
// device knew) and removes the draft, in one transaction (app.store.submitDraft).
//
// A draft of an existing record catches up with the server: when a newer revision of the
// record has been pulled (before the draft opens, or by a sync while it is open), it is merged
// into the draft (js/drafts.js rebaseDraft: the server's changes come in, the user's stay, a
// field both changed keeps the user's value and shows the server's beside it).

import { formatDateTime, pick } from '../i18n.js';
import { openClashes, rebaseDraft } from '../drafts.js';
import { attachmentsIn, labelAt } from '../records.js';
import { newUuid } from '../uuid.js';
import { h, replace } from './dom.js';
import { valuesTable } from './records.js';

export async function renderEditor(app, main, draftId) {
  const t = (k, p) => app.t(k, p);
  // a draft on the device, or one just started and not yet saved (nothing typed in it yet)
  const onDisk = await app.store.draft(draftId);
  const fresh = !onDisk && app.newDraft && app.newDraft.draft_id === draftId ? app.newDraft : null;
  const stored = onDisk || fresh;
  if (!stored) {
    replace(main, h('p', { class: 'card' }, t('not_found')), h('a', { class: 'button', href: '#/' }, t('home')));
    return null;
  }
  const schema = await app.store.exactSchema(stored.form_id, stored.form_version);
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
  // a newer revision of the record pulled while the draft waited: merged in before it opens
  const caughtUp = rebaseDraft(stored, await app.store.pulledRecord(stored.record_id), schema);
  const draft = caughtUp ? caughtUp.draft : stored;
  if (caughtUp) await app.store.saveDraft(draft);
  app.openDraftId = draft.draft_id;
  const recordData = await app.store.referenceData(schema);
  // the record's location (a commune) is chosen among the communes in scope; one commune:
  // filled in for a new record
  const locations = await app.store.communes();
  const locationText = (schema.fields || []).some((f) => f.name === schema.location_field && f.type === 'text');
  const preset = locations.length === 1 && locationText ? { [schema.location_field]: locations[0].code } : {};

  const heading = h('h1', {}, pick(schema.title, app.lang));
  const version = h('p', { class: 'meta' }, t('form_version', { version: draft.form_version }));
  // whose record this is (the child's, the institution's name), as the answers give it
  const whose = h('p', { class: 'whose', id: 'draft-name' });
  let names = { en: '', km: '' };
  async function updateName(data) {
    names = await app.store.nameOf(schema, { record_id: draft.record_id, data });
    whose.textContent = pick(names, app.lang);
  }
  const saved = h('p', { class: 'meta saved', 'aria-live': 'polite' });
  const comment = draft.comment ? h('p', { class: 'card returned' }, t('supervisor_comment', { comment: draft.comment })) : null;
  const merged = h('p', { class: 'card merged', id: 'draft-merged', hidden: !caughtUp }, t('draft_caught_up'));
  // the record was moved out of the user's scope: this draft can no longer be sent
  const pulledCopy = await app.store.pulledRecord(draft.record_id);
  const leftScope = h('p', { class: 'card warning', id: 'draft-left-scope', role: 'note', hidden: !(pulledCopy && pulledCopy.left_scope) }, t('left_scope'));
  const clashBox = h('section', { class: 'card conflict', id: 'draft-clashes', hidden: true });
  const message = h('p', { class: 'error', role: 'alert', hidden: true });
  const container = h('div', { class: 'form-container' });
  const saveButton = h('button', { type: 'button', onclick: () => saveAndClose() }, t('save_draft'));
  const submitButton = h('button', { type: 'button', class: 'primary', onclick: () => submit() }, t('submit'));
  // Delete draft: asks first, in the page (a tap by mistake loses nothing)
  const deleteButton = h('button', { type: 'button', class: 'danger-quiet', id: 'delete-draft', onclick: () => askDelete(true) }, t('delete_draft'));
  const confirmText = h('p', { id: 'confirm-delete-text' }, t('confirm_delete_draft'));
  const confirmYes = h('button', { type: 'button', class: 'danger', onclick: () => deleteDraft() }, t('delete_draft_confirm'));
  const confirmNo = h('button', { type: 'button', onclick: () => askDelete(false) }, t('keep_draft'));
  const confirmBox = h('div', { class: 'card warning confirm', id: 'confirm-delete', role: 'alertdialog', 'aria-labelledby': 'confirm-delete-text', hidden: true },
    confirmText, h('div', { class: 'form-actions' }, confirmNo, confirmYes));
  const actions = h('div', { class: 'form-actions' }, deleteButton, saveButton, submitButton);
  replace(main, h('article', { class: 'editor' }, heading, whose, version, comment, leftScope, merged, clashBox, container, message, saved, confirmBox, actions));

  // writes in order, latest wins; `pending` is the newest data not yet on disk; `current` is
  // the draft as it is to be on disk (changed at once by a catch-up, written in turn)
  let current = draft;
  let writing = Promise.resolve();
  let pending = null;
  let submitted = false; // the draft became a change (or was deleted): nothing may write it back
  let typed = Boolean(onDisk); // a new draft is saved from the first answer typed, not before
  function persist(data) {
    if (submitted || !typed) return writing;
    pending = data;
    writing = writing.then(async () => {
      if (pending === null) return;
      current = { ...current, data: pending, updated_at: new Date().toISOString() };
      pending = null;
      const first = !(await app.store.draft(current.draft_id));
      await app.store.saveDraft(current);
      saved.textContent = t('draft_autosaved');
      if (first) app.shell.refreshStatus(); // a correction begun no longer counts as waiting for one
      await updateName(current.data);
    }).catch((err) => {
      message.hidden = false;
      delete message.dataset.kind;
      message.textContent = String(err && err.message);
    });
    return writing;
  }

  /** The fields the user and the server changed differently: the server's value beside the
   * user's, until the user settles them. */
  function drawClashes(data) {
    const open = openClashes(current, schema, data);
    clashBox.hidden = !open.length;
    replace(clashBox, open.length ? [
      h('p', {}, t('draft_clashes')),
      valuesTable(app, open.map((c) => ({ label: labelAt(schema, c.at, app.lang), ...c }))),
    ] : []);
  }

  function openForm(data) {
    const made = renderForm(container, {
      schema,
      data,
      lang: app.lang,
      lookupRecords: app.store.lookupRecords(),
      recordData,
      locations,
      preset,
      attachments: app.store.attachments(),
      // a form replaced by a catch-up may still finish a photo: only the form on screen writes
      onChange: (next) => {
        if (made !== form) return;
        if (!typed) {
          typed = true;
          if (app.newDraft === fresh) app.newDraft = null;
        }
        persist(next);
        // "see the messages in red" only while there are some
        if (!message.hidden && message.dataset.kind === 'fix' && !made.hasShownErrors()) message.hidden = true;
        if (current.clashes?.length) drawClashes(next);
      },
      readOnly: false,
    });
    if (current.errors && current.errors.length) made.showErrors(current.errors);
    return made;
  }
  let form = openForm(draft.data);
  updateName(draft.data);
  drawClashes(form.getData());

  /** After a sync: a newer revision of the record pulled meanwhile is merged into the open
   * draft, and the form drawn again with the merged answers (focus kept on the same field). */
  async function catchUp() {
    const pulled = await app.store.pulledRecord(current.record_id);
    if (submitted || app.openDraftId !== current.draft_id) return;
    const next = rebaseDraft({ ...current, data: form.getData() }, pulled, schema);
    if (!next) return;
    current = next.draft;
    const focused = document.activeElement?.closest?.('[data-path]')?.dataset.path;
    form.destroy();
    form = openForm(current.data);
    if (focused) container.querySelector(`[data-path="${CSS.escape(focused)}"] :is(input, select, textarea, button)`)?.focus();
    merged.hidden = false;
    drawClashes(current.data);
    persist(form.getData());
  }

  function askDelete(open) {
    confirmBox.hidden = !open;
    if (open) {
      confirmBox.scrollIntoView?.({ block: 'center' });
      confirmNo.focus();
    } else deleteButton.focus();
  }

  async function deleteDraft() {
    submitted = true; // nothing may write it back
    await writing;
    await app.store.deleteDraft(current.draft_id);
    if (app.newDraft === fresh) app.newDraft = null;
    app.openDraftId = null;
    app.shell.notice(t('draft_deleted'));
    app.navigate('#/');
  }

  async function saveAndClose() {
    typed = true; // kept even with nothing typed: the user asked for it
    await persist(form.getData());
    app.shell.notice(t('draft_saved', { when: formatDateTime(new Date(), app.lang) }));
    app.navigate('#/');
  }

  async function submit() {
    submitButton.disabled = true;
    submitButton.setAttribute('aria-busy', 'true');
    try {
      // a photo being reduced or a signature just drawn is stored first: validating before
      // would find it missing, and its save would then clear the error it caused
      await form.settle();
      const errors = await form.validate();
      if (Array.isArray(errors) && errors.length) {
        form.focusFirstError();
        message.hidden = false;
        message.dataset.kind = 'fix';
        message.textContent = t('fix_errors');
        await persist(form.getData());
        return;
      }
      message.hidden = true;
      delete message.dataset.kind;
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
      // online, it goes now (the sync's own message follows); offline, it waits for a connection
      app.shell.notice(t(navigator.onLine ? 'submitted_sending' : 'submitted'));
      app.shell.refreshStatus();
      app.requestBackgroundSync();
      if (navigator.onLine) app.syncer.run({ reason: 'submit' });
      app.navigate('#/records');
    } finally {
      submitButton.disabled = false;
      submitButton.removeAttribute('aria-busy');
    }
  }

  return {
    onSynced: async () => {
      // a sync may have found the record gone from the user's scope
      const copy = await app.store.pulledRecord(draft.record_id);
      leftScope.hidden = !(copy && copy.left_scope);
      return catchUp();
    },
    setLang(lang) {
      form.setLang(lang);
      merged.textContent = t('draft_caught_up');
      drawClashes(form.getData());
      heading.textContent = pick(schema.title, lang);
      whose.textContent = pick(names, lang);
      leftScope.textContent = t('left_scope');
      version.textContent = t('form_version', { version: current.form_version });
      saveButton.textContent = t('save_draft');
      deleteButton.textContent = t('delete_draft');
      confirmText.textContent = t('confirm_delete_draft');
      confirmYes.textContent = t('delete_draft_confirm');
      confirmNo.textContent = t('keep_draft');
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
