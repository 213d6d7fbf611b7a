// The outbox's decisions, pure: which queued changes go in the next push, what each push
// result means for its change, what a failed push means for the queue, and how long to wait
// before trying again. No DOM, no IndexedDB, no clock of its own (callers pass `now`, ms).
//
// An outbox item: {change_id, record_id, form_id, form_version, base_rev, data, attachments,
// captured_at, username, state, queued_at, attempts, after?, priority?, result?}.
// state: 'waiting' (to push), 'sent' (stored on the server: applied, merged or duplicate),
// 'conflict' (stored, with clashes a supervisor resolves), 'rejected' (nothing stored: errors).
// `after` names an earlier change of the same record whose result must come first: its rev
// becomes this change's base_rev, so a correction never races the change it corrects.
// `attempts` counts pushes STARTED (marked before the request): an item with attempts > 0 may
// already be on the server, so its content never changes again (same change_id, same body).

export const BATCH_SIZE = 50;
export const BACKOFF_BASE_MS = 2000;
export const BACKOFF_MAX_MS = 4 * 60 * 1000;

const STORED = new Set(['applied', 'merged', 'duplicate', 'conflict']);
const DONE = new Set(['sent', 'conflict', 'rejected']);

/** The changes to push next: waiting, not held back by an earlier change of their record,
 * urgent forms first, then in the order they were queued. */
export function nextBatch(items, { size = BATCH_SIZE } = {}) {
  const byId = new Map(items.map((i) => [i.change_id, i]));
  const ready = items.filter((i) => i.state === 'waiting' && !heldBack(i, byId));
  ready.sort((a, b) => (rank(a) - rank(b)) || cmp(a.queued_at, b.queued_at) || cmp(a.change_id, b.change_id));
  // at most one change per record in a batch: the next one builds on this one's rev
  const seen = new Set();
  const batch = [];
  for (const item of ready) {
    if (seen.has(item.record_id)) continue;
    seen.add(item.record_id);
    batch.push(item);
    if (batch.length >= size) break;
  }
  return batch;
}

const rank = (i) => (i.priority === 'urgent' ? 0 : 1);
const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

function heldBack(item, byId) {
  if (!item.after) return false;
  const first = byId.get(item.after);
  return Boolean(first) && !DONE.has(first.state);
}

/** The change as the push body carries it; `after` resolved to a base_rev. */
export function toChange(item, items = []) {
  let baseRev = item.base_rev ?? null;
  if (item.after) {
    const first = items.find((i) => i.change_id === item.after);
    if (first && first.result && first.result.rev != null) baseRev = first.result.rev;
  }
  return {
    change_id: item.change_id,
    record_id: item.record_id,
    form_id: item.form_id,
    form_version: item.form_version,
    base_rev: baseRev,
    data: item.data,
    attachments: item.attachments || [],
    captured_at: item.captured_at,
  };
}

/** What one push result means for its item: the item as it should now be stored. */
export function settle(item, result, { now } = {}) {
  const status = result && result.status;
  const kept = {
    status,
    rev: result.rev ?? null,
    errors: result.errors || [],
    conflicts: result.conflicts || [],
  };
  if (STORED.has(status)) {
    return {
      ...item,
      state: status === 'conflict' ? 'conflict' : 'sent',
      result: kept,
      sent_at: now ?? null,
      base_rev: item.base_rev,
    };
  }
  if (status === 'rejected') return { ...item, state: 'rejected', result: kept, sent_at: null };
  // an unknown status: keep the item queued rather than lose it
  return { ...item, state: 'waiting' };
}

/** Match a push response to its batch. Results come in order; each also names its
 * change_id, which wins. An item without a result stays waiting. Returns the new items and
 * counts by outcome. */
export function applyResponse(batch, response, { now } = {}) {
  const results = (response && Array.isArray(response.results)) ? response.results : [];
  const byChange = new Map();
  results.forEach((r, i) => {
    if (r && r.change_id) byChange.set(r.change_id, r);
    else if (r && batch[i] && !byChange.has(batch[i].change_id)) byChange.set(batch[i].change_id, r);
  });
  const counts = { sent: 0, conflict: 0, rejected: 0, waiting: 0 };
  const items = batch.map((item) => {
    const result = byChange.get(item.change_id);
    const next = result ? settle(item, result, { now }) : { ...item, state: 'waiting' };
    counts[next.state] += 1;
    return next;
  });
  return { items, counts };
}

/** What a failed push (no usable response) means. `failure` is {status, code} for an HTTP
 * answer, or {network: true}. Never drops an item: the worst outcome is to wait. */
export function onFailure(failure) {
  const status = failure && failure.status;
  if (!status || failure.network) return { action: 'retry' };
  if (status === 401) return { action: 'sign_in' };
  if (status === 413) return { action: 'split' };
  if (status === 429 || status >= 500 || status === 408) return { action: 'retry', retryAfter: failure.retryAfter };
  // 400/403/404/409/415/422 on the whole push: a server or app we do not understand yet
  return { action: 'retry' };
}

/** Capped exponential backoff with jitter: ~2 s, 4 s, 8 s … at most BACKOFF_MAX_MS. */
export function backoffDelay(attempt, { base = BACKOFF_BASE_MS, max = BACKOFF_MAX_MS, random = Math.random } = {}) {
  const exp = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  const jittered = exp / 2 + random() * (exp / 2);
  return Math.min(max, Math.round(jittered));
}

/** The retry schedule: {failures, next_at}. */
export const idle = () => ({ failures: 0, next_at: 0 });

export function scheduleFailure(schedule, now, { retryAfter, random } = {}) {
  const failures = schedule.failures + 1;
  let delay = backoffDelay(failures, { random });
  if (retryAfter) delay = Math.min(BACKOFF_MAX_MS, Math.max(delay, retryAfter * 1000));
  return { failures, next_at: now + delay };
}

/** The connection came back, the user asked, or a push went through: try at once. */
export const reset = () => idle();

export const due = (schedule, now) => now >= schedule.next_at;

/** A smaller batch size after a 413: halve, never below 1. */
export const splitSize = (size) => Math.max(1, Math.floor(size / 2));

/** Queue a submission of a record. If the record's last change has never been tried, it is
 * replaced in place (same change_id: the server never saw it). If it may have reached the
 * server, the new change waits for its result (`after`). Returns {put: [items], remove: [ids]}. */
export function enqueue(items, change, { now }) {
  const mine = items.filter((i) => i.record_id === change.record_id && i.username === change.username);
  const pending = mine.filter((i) => i.state === 'waiting');
  const last = pending[pending.length - 1];
  if (last && !last.attempts && !last.after) {
    return {
      put: [{ ...last, data: change.data, attachments: change.attachments, captured_at: change.captured_at,
        form_version: change.form_version, queued_at: last.queued_at }],
      remove: [],
    };
  }
  const item = {
    ...change,
    state: 'waiting',
    attempts: 0,
    queued_at: now,
  };
  if (last) item.after = last.change_id;
  return { put: [item], remove: [] };
}

/** Items that count as waiting to upload (for the status line). */
export const waitingCount = (items) => items.filter((i) => i.state === 'waiting').length;
