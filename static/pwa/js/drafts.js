// Drafts, pure: what a new draft holds, and a draft brought up to a newer revision of its
// record pulled from the server while the draft waited (the three-way merge of js/merge.js,
// the server's own). No DOM, no IndexedDB (js/store.js keeps them).
//
// A draft that edits a record (a correction, a follow-up) keeps `base_rev` and, when the device
// knew the record's data at that revision, `base_data`: what the draft started from. When a
// newer revision of the record has been pulled, rebaseDraft merges it in: base = base_data,
// one side the pulled data, the other the draft. What only the server changed comes into the
// draft; what only the user changed stays; where both changed a field to different values
// (a clash) the DRAFT's value stays, because it is what the user typed and sees, while the
// server's value is not lost: it stays in the record's history on the server. The clash is
// kept on the draft and shown beside the field's label until the user settles it (typing the
// server's value closes it). base_rev and base_data move to the pulled revision, so the change
// finally sent is based on what the user saw: the server applies it as it is.

import { rowKeyOf } from './form-model.js';
import { DEFAULT_ROW_KEY, merge3, parsePath, sameValue, valueAt } from './merge.js';
import { newUuid } from './uuid.js';

/** A draft of `form` ({form_id, version, title}) for `username`: a new record, or an edit of
 * `record_id` based on the revision `base_rev` the device knew (a correction or a follow-up),
 * with `base_data` the record's data at that revision when the device knows it exactly (else
 * null: the draft then never merges on the device, the server merges it at push). It keeps its
 * form's version (`version`, else the form's) until it is submitted. */
export function newDraft({
  username, form, record_id = null, base_rev = null, base_data = null, data = {}, origin = 'new', errors = null,
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
    base_data: base_rev == null || !base_data ? null : structuredClone(base_data),
    data,
    clashes: [],
    origin,
    errors,
    comment,
    created_at: now,
    updated_at: now,
  };
}

/** merge3's rowKeys for a form: each repeat's shape (`members`, `members[].illnesses`) -> the
 * field that keys its rows (app/sync/merge.py's row_keys_for). */
export function rowKeysFor(fields, prefix = '', out = {}) {
  for (const f of fields || []) {
    const shape = `${prefix}${f.name}`;
    if (f.type === 'repeat') {
      out[shape] = rowKeyOf(f);
      rowKeysFor(f.fields, `${shape}[].`, out);
    } else if (f.type === 'group') rowKeysFor(f.fields, `${shape}.`, out);
  }
  return out;
}

/** The field a data path (`inspectors[k].inspector_name`) leads to, or null. */
export function fieldAt(schema, path) {
  let fields = schema.fields;
  let field = null;
  for (const [name] of parsePath(path)) {
    field = (fields || []).find((f) => f.name === name) || null;
    if (!field) return null;
    fields = field.fields;
  }
  return field;
}

const computed = (field) => Boolean(field && (field.type === 'calculate' || field.calculation != null));

/** A data path as the form names it: rows by their index in `data` (`inspectors.0.inspector_name`);
 * a row `data` lacks ends the path at its repeat. */
export function formPath(data, path, rowKeys = {}) {
  const keyOf = new Map(Object.entries(rowKeys).map(([shape, key]) => [shape.replaceAll('[]', ''), key]));
  const out = [];
  let node = data;
  let shape = '';
  for (const [name, rowKey] of parsePath(path)) {
    shape = shape ? `${shape}.${name}` : name;
    node = node && typeof node === 'object' && !Array.isArray(node) ? node[name] : undefined;
    if (rowKey !== null) {
      const key = keyOf.get(shape) ?? DEFAULT_ROW_KEY;
      const index = Array.isArray(node) ? node.findIndex((row) => row && row[key] === rowKey) : -1;
      out.push(name);
      if (index < 0) break;
      out.push(String(index));
      node = node[index];
    } else out.push(name);
  }
  return out.join('.');
}

/** Bring `draft` up to `pulled` (the record's copy pulled from the server), merging as said
 * above. Returns null when there is nothing to do: no pulled copy newer than the draft's
 * base_rev, or a draft that does not know the data it started from. Else {draft, clashes}: the
 * draft with the merged data, base_rev/base_data of the pulled revision and its clashes (those
 * found now, and earlier ones elsewhere); `clashes`: those found now, each {path, server_value,
 * client_value} (the contract's shape; an absent side null with server_absent/client_absent). */
export function rebaseDraft(draft, pulled, schema) {
  if (!pulled || pulled.record_id !== draft.record_id || draft.base_rev == null || !draft.base_data) return null;
  if (!(pulled.rev > draft.base_rev)) return null;
  const rowKeys = rowKeysFor(schema.fields);
  // the draft in merge3's "server" seat: at a clash that side's value stays (and its order of
  // rows and fields); the clashes are turned back to name the server's value as the server's
  const merged = merge3(draft.base_data, draft.data, pulled.data, { rowKeys });
  const clashes = merged.clashes
    .filter((c) => !computed(fieldAt(schema, c.path))) // the form recomputes it from the answers
    .map((c) => {
      const out = { path: c.path, server_value: c.client_value, client_value: c.server_value };
      if (c.client_absent) out.server_absent = true;
      if (c.server_absent) out.client_absent = true;
      return out;
    });
  const earlier = (draft.clashes || []).filter((c) => !clashes.some((n) => n.path === c.path));
  return {
    draft: {
      ...draft,
      data: merged.data,
      base_rev: pulled.rev,
      base_data: structuredClone(pulled.data),
      clashes: [...earlier, ...clashes],
    },
    clashes,
  };
}

/** The clashes of a draft still open with its answers `data` (the form's, else the draft's):
 * where the answer still differs from the server's copy (base_data). Each {path, at (the form's
 * path, for labelAt), server_value, client_value}; absent values are undefined. */
export function openClashes(draft, schema, data = draft.data) {
  if (!draft.clashes?.length || !draft.base_data) return [];
  const rowKeys = rowKeysFor(schema.fields);
  return draft.clashes
    .map((c) => ({
      path: c.path,
      at: formPath(valueAt(data, c.path, { rowKeys }) === undefined ? draft.base_data : data, c.path, rowKeys),
      server_value: valueAt(draft.base_data, c.path, { rowKeys }),
      client_value: valueAt(data, c.path, { rowKeys }),
    }))
    .filter((c) => !sameValue(c.server_value, c.client_value));
}
