// Which photo and signature blobs may leave the device, pure: a tablet used for months must not
// fill up with pictures the server already holds, and nothing the user may still need offline
// (or that the server has not confirmed) may go. No DOM, no IndexedDB, no clock of its own
// (callers pass `now`, ms since the epoch).
//
// A blob may be dropped when ALL of these hold (its metadata row stays: the app still knows the
// file exists and fetches it from the server when it must show it):
//   1. the server confirmed it: the row is `uploaded` (set only after a 200/201 or a HEAD saying
//      the file is complete) with an `uploaded_at`;
//   2. a change naming it is `sent` (the record that names it is stored on the server);
//   3. RETENTION_DAYS have passed since the later of its upload and the newest `sent` change
//      naming it (a record corrected and sent again keeps its photos on the device a while);
//   4. nothing on the device may still need it: no draft (of any user on the tablet), no change
//      that is waiting, rejected or in conflict, and no pulled record that was returned by a
//      supervisor or has open conflicts names it.
// Drafts and records are searched for any 64-hex string anywhere in their data, without the
// schema: a value that only looks like a hash keeps a blob a while longer, never the reverse.

export const RETENTION_DAYS = 14;
export const DAY_MS = 24 * 60 * 60 * 1000;
export const RETENTION_MS = RETENTION_DAYS * DAY_MS;

const SHA256 = /^[0-9a-f]{64}$/;

/** Every 64-hex string anywhere in a value (objects, arrays, nested): the attachments it may name. */
export function namedIn(value, into = new Set()) {
  if (typeof value === 'string') {
    if (SHA256.test(value)) into.add(value);
  } else if (Array.isArray(value)) {
    for (const v of value) namedIn(v, into);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) namedIn(v, into);
  }
  return into;
}

/** The attachments an outbox item names: its list and its data. */
const namedByItem = (item) => namedIn(item.data, new Set(item.attachments || []));

/** A pulled record the user may still have to correct (returned, or with open conflicts). */
export const needsAttention = (record) => (record.review && record.review.state === 'returned')
  || Boolean(record.open_conflicts && record.open_conflicts.length);

/** The attachments something on the device may still need as a blob: drafts, changes not
 * yet settled as `sent` (waiting, rejected, in conflict), pulled records needing attention. */
export function stillNeeded({ drafts = [], items = [], records = [] } = {}) {
  const keep = new Set();
  for (const d of drafts) namedIn(d.data, keep);
  for (const i of items) if (i.state !== 'sent') for (const sha of namedByItem(i)) keep.add(sha);
  for (const r of records) if (needsAttention(r)) namedIn(r.data, keep);
  return keep;
}

/** The files of records leaving the device (they left the user's scope: the pull's
 * `removed`): the SHA-256s that `leaving` (their pulled copies and settled changes) name and
 * nothing that stays on the device names (any user's drafts, outbox items, pulled records). */
export function departingFiles({ leaving = [], drafts = [], items = [], records = [] } = {}) {
  const named = new Set();
  for (const r of leaving) {
    namedIn(r.data, named);
    for (const sha of r.attachments || []) named.add(sha);
  }
  if (!named.size) return [];
  const kept = new Set();
  for (const d of drafts) namedIn(d.data, kept);
  for (const i of items) for (const sha of namedByItem(i)) kept.add(sha);
  for (const r of records) namedIn(r.data, kept);
  return [...named].filter((sha) => !kept.has(sha));
}

/** A time in ms from an ISO string or a number; null when there is none. */
export function toMs(value) {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value) {
    const ms = Date.parse(value);
    return Number.isFinite(ms) ? ms : null;
  }
  return null;
}

/** Cheap first test, on the row alone: a blob the server confirmed longer ago than the
 * retention. Necessary, not sufficient (see prunable). */
export function pastRetention(att, now, retentionMs = RETENTION_MS) {
  if (!att || !att.blob || att.state !== 'uploaded') return false;
  const at = toMs(att.uploaded_at);
  return at !== null && now - at >= retentionMs;
}

/** The sha256 of every attachment whose blob may be dropped now (rules at the top). */
export function prunable({ attachments = [], drafts = [], items = [], records = [], now, retentionMs = RETENTION_MS }) {
  if (!Number.isFinite(now)) throw new TypeError('prunable needs `now` (ms)');
  const candidates = attachments.filter((a) => pastRetention(a, now, retentionMs));
  if (!candidates.length) return [];
  const keep = stillNeeded({ drafts, items, records });
  const lastSent = new Map(); // sha -> newest sent_at of a sent change naming it
  for (const i of items) {
    if (i.state !== 'sent') continue;
    const at = toMs(i.sent_at) ?? 0;
    for (const sha of namedByItem(i)) lastSent.set(sha, Math.max(lastSent.get(sha) ?? 0, at));
  }
  return candidates
    .filter((a) => !keep.has(a.sha256) && lastSent.has(a.sha256))
    .filter((a) => now - Math.max(toMs(a.uploaded_at), lastSent.get(a.sha256)) >= retentionMs)
    .map((a) => a.sha256);
}

/** The row kept for a dropped blob: everything but the bytes, and when they left. */
export function withoutBlob(att, now) {
  return { ...att, blob: null, pruned_at: new Date(now).toISOString() };
}

/** Where an attachment's bytes are: 'device' (a blob here), 'server' (the server confirmed it
 * and the blob was dropped), or 'unknown' (no row, or a row without bytes or confirmation). */
export function whereIs(att) {
  if (att && att.blob) return 'device';
  if (att && att.state === 'uploaded') return 'server';
  return 'unknown';
}
