// Drafts, pure: what a new draft holds. No DOM, no IndexedDB (js/store.js keeps them).

import { newUuid } from './uuid.js';

/** A draft of `form` ({form_id, version, title}) for `username`: a new record, or an edit of
 * `record_id` based on the revision `base_rev` the device knew (a correction or a follow-up).
 * It keeps its form's version (`version`, else the form's) until it is submitted. */
export function newDraft({
  username, form, record_id = null, base_rev = null, data = {}, origin = 'new', errors = null,
  comment = null, version = null, now = new Date().toISOString(),
}) {
  return {
    draft_id: newUuid(),
    username,
    record_id: record_id || newUuid(),
    form_id: form.form_id,
    form_version: version || form.version,
    title: form.title,
    base_rev,
    data,
    origin,
    errors,
    comment,
    created_at: now,
    updated_at: now,
  };
}
