// What the device knows about one record, pure: its state for the user (draft, waiting, sent,
// rejected, returned, in conflict, approved), the revision the device last knew, and a
// readable name. No DOM, no IndexedDB.

import { evaluate } from './expr.js';

/** States that need the user's attention: listed on the home view, "Correct and send again". */
export const ATTENTION = new Set(['rejected', 'returned', 'conflict']);
/** States in which a record can be opened again as a draft (a correction or a follow-up). */
export const CORRECTABLE = new Set(['waiting', 'rejected', 'returned', 'conflict', 'sent', 'received', 'approved']);

/** A record's state from what the device holds: its draft (if any), its outbox items (any
 * order) and its pulled copy (if any). Returns {state, rev, comment, errors, conflicts, item}. */
export function recordState({ draft = null, items = [], pulled = null } = {}) {
  const ordered = [...items].sort((a, b) => (a.queued_at || 0) - (b.queued_at || 0));
  const last = ordered[ordered.length - 1] || null;
  const rev = knownRev({ items, pulled });
  const base = { rev, comment: null, errors: [], conflicts: [], item: last };
  if (draft) return { ...base, state: 'draft' };
  if (last && last.state === 'waiting') return { ...base, state: 'waiting' };
  if (last && last.state === 'rejected') return { ...base, state: 'rejected', errors: last.result?.errors || [] };
  const sentRev = last?.result?.rev ?? null;
  if (pulled && (sentRev == null || pulled.rev >= sentRev)) {
    if (pulled.open_conflicts && pulled.open_conflicts.length) {
      return { ...base, state: 'conflict', conflicts: pulled.open_conflicts };
    }
    const review = pulled.review || {};
    if (review.state === 'returned') return { ...base, state: 'returned', comment: review.comment || '' };
    if (review.state === 'rejected') return { ...base, state: 'review_rejected', comment: review.comment || '' };
    if (review.state === 'approved') return { ...base, state: 'approved', comment: review.comment || null };
    if (!last) return { ...base, state: 'received' };
    // the push's clash was settled on the server (a supervisor resolved it): a copy as new as
    // the push with no open conflict left says so, whatever the push answered then
    if (last.state === 'conflict') return { ...base, state: 'sent' };
  }
  if (last && last.state === 'conflict') return { ...base, state: 'conflict', conflicts: last.result?.conflicts || [] };
  if (last) return { ...base, state: 'sent' };
  return { ...base, state: 'received' };
}

/** The copy of a record to show, given its state (recordState) and its pulled copy: the
 * pulled one when it is at least as new as the user's last change and that change is settled
 * (not waiting, not rejected); else the user's last change. */
export function shownCopy(state, pulled) {
  const last = state.item;
  const useServer = pulled && (!last || ((last.result?.rev == null || pulled.rev >= last.result.rev)
    && last.state !== 'waiting' && last.state !== 'rejected'));
  return useServer ? pulled : last;
}

/** The newest revision the device has heard of: from a pull or from a push result. */
export function knownRev({ items = [], pulled = null } = {}) {
  let rev = pulled ? pulled.rev : null;
  for (const i of items) {
    const r = i.result?.rev;
    if (r != null && (rev == null || r > rev)) rev = r;
  }
  return rev;
}

/** The first value under `name` anywhere in the data's objects (groups), or undefined. */
export function findValue(data, name) {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return undefined;
  if (Object.prototype.hasOwnProperty.call(data, name)) return data[name];
  for (const v of Object.values(data)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const found = findValue(v, name);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

const NAME_KEYS = ['institution_name', 'child_name', 'name', 'full_name', 'title'];

/** A readable name for a record: the form's instance_name when it evaluates, else a name-like
 * field, else the start of the record_id ('' with `fallback: false`). In English (`lang: 'en'`)
 * a field's `<name>_latin` twin is used where the record has one (an institution's Latin name). */
export function recordLabel(schema, record, { lang = null, fallback = true } = {}) {
  const data = record.data || {};
  const src = schema?.settings?.instance_name;
  const valueOf = (name) => {
    const latin = lang === 'en' ? findValue(data, `${name}_latin`) : undefined;
    return typeof latin === 'string' && latin.trim() ? latin : findValue(data, name);
  };
  if (src) {
    try {
      const value = evaluate(src, {
        lookup: (name) => {
          const v = valueOf(name);
          return v === undefined || v === null ? '' : v;
        },
        today: '',
        now: '',
      });
      if (typeof value === 'string' && value.replace(/[\s()–-]/g, '')) return value.trim();
      if (typeof value === 'number') return String(value);
    } catch {
      // fall through to the name-like fields
    }
  }
  for (const key of NAME_KEYS) {
    const v = valueOf(key);
    if (typeof v === 'string' && v.trim()) return v.trim();
  }
  return fallback ? String(record.record_id || '').slice(0, 8) : '';
}

/** The first record this one refers to (an inspection's institution, a case's child):
 * {form_id, record_id} from its first answered reference field, or null. */
export function subjectOf(schema, data) {
  let found = null;
  const visit = (fields) => {
    for (const f of fields || []) {
      if (found) return;
      if (f.type === 'reference' && f.reference?.form_id) {
        const v = findValue(data || {}, f.name);
        if (typeof v === 'string' && v) found = { form_id: f.reference.form_id, record_id: v };
      } else if (f.type === 'group') visit(f.fields);
    }
  };
  visit(schema?.fields);
  return found;
}

/** Schema versions still needed on the device: by drafts, queued or unsettled changes, and
 * pulled records (for corrections). Returns a Set of "form_id@version". */
export function versionsInUse({ drafts = [], items = [], records = [], current = [] }) {
  const keep = new Set(current.map((f) => `${f.form_id}@${f.version}`));
  for (const d of drafts) keep.add(`${d.form_id}@${d.form_version}`);
  for (const i of items) if (i.state !== 'sent') keep.add(`${i.form_id}@${i.form_version}`);
  for (const r of records) keep.add(`${r.form_id}@${r.form_version}`);
  return keep;
}

/** The SHA-256 names of the photos and signatures in a record's data (groups and repeats). */
export function attachmentsIn(schema, data) {
  const found = [];
  const visit = (fields, level) => {
    if (!level || typeof level !== 'object') return;
    for (const f of fields || []) {
      const v = level[f.name];
      if (v === undefined || v === null) continue;
      if (f.type === 'photo' || f.type === 'signature') {
        if (typeof v === 'string' && /^[0-9a-f]{64}$/.test(v) && !found.includes(v)) found.push(v);
      } else if (f.type === 'group') visit(f.fields, v);
      else if (f.type === 'repeat' && Array.isArray(v)) for (const row of v) visit(f.fields, row);
    }
  };
  visit(schema.fields, data);
  return found;
}

/** The label of the field at a data path ("children.girls_0_2", "photos.0.photo"), in a
 * language, with the row number for repeats: "Photos 1 › Photo". */
export function labelAt(schema, path, lang) {
  if (!path) return '';
  const parts = String(path).split('.');
  const labels = [];
  let fields = schema.fields;
  for (let i = 0; i < parts.length; i += 1) {
    const f = (fields || []).find((x) => x.name === parts[i]);
    if (!f) { labels.push(parts[i]); break; }
    const label = f.label ? (f.label[lang] || f.label.en) : f.name;
    if (f.type === 'repeat' && /^\d+$/.test(parts[i + 1] || '')) {
      labels.push(`${label} ${Number(parts[i + 1]) + 1}`);
      i += 1;
    } else labels.push(label);
    fields = f.fields;
  }
  return labels.join(' › ');
}

/** Records the server says left the user's scope (pull's `removed`): which of the device's
 * copies go, and which stay because this device still holds work on them (a draft, or a
 * change not yet settled on the server: waiting, rejected or in conflict). Pure.
 * `removed`: [{record_id}]; returns {drop: [record_id], keep: [record_id]} (kept ones are
 * marked `left_scope` so the app can say why they can no longer be sent). */
export function departures({ removed = [], drafts = [], items = [] }) {
  const held = new Set([
    ...drafts.map((d) => d.record_id),
    ...items.filter((i) => i.state !== 'sent').map((i) => i.record_id),
  ]);
  const drop = [];
  const keep = [];
  for (const { record_id: id } of removed) {
    if (drop.includes(id) || keep.includes(id)) continue;
    (held.has(id) ? keep : drop).push(id);
  }
  return { drop, keep };
}
