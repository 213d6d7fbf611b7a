// The outbox's pure decisions (js/outbox.js): batches, per-result outcomes, failures that never
// drop an item, capped backoff that resets, and queueing corrections behind earlier changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyResponse, BACKOFF_MAX_MS, backoffDelay, BATCH_SIZE, due, enqueue, idle, nextBatch, onFailure,
  reset, scheduleFailure, settle, splitSize, toChange, waitingCount,
} from '../js/outbox.js';

let seq = 0;
const item = (over = {}) => {
  seq += 1;
  return {
    change_id: `c${String(seq).padStart(4, '0')}`,
    record_id: `r${seq}`,
    form_id: 'institution_inspection',
    form_version: '2026.1',
    base_rev: null,
    data: { beds: seq },
    attachments: [],
    captured_at: '2026-11-20T08:15:00+07:00',
    username: 'inspector.sr',
    state: 'waiting',
    attempts: 0,
    queued_at: seq,
    ...over,
  };
};

test('a batch holds at most BATCH_SIZE waiting changes, oldest first', () => {
  const items = Array.from({ length: 120 }, () => item());
  const batch = nextBatch(items);
  assert.equal(batch.length, BATCH_SIZE);
  assert.deepEqual(batch.map((i) => i.queued_at), items.slice(0, BATCH_SIZE).map((i) => i.queued_at));
});

test('sent, rejected and conflict items are not pushed again', () => {
  const items = [item({ state: 'sent' }), item({ state: 'rejected' }), item({ state: 'conflict' }), item()];
  assert.deepEqual(nextBatch(items).map((i) => i.state), ['waiting']);
});

test('urgent forms go first', () => {
  const items = [item(), item({ priority: 'urgent' }), item()];
  assert.equal(nextBatch(items)[0].priority, 'urgent');
});

test('a change waits for the result of the earlier change of its record, then takes its rev', () => {
  const first = item({ record_id: 'R', attempts: 1 });
  const second = item({ record_id: 'R', after: first.change_id, base_rev: null });
  assert.deepEqual(nextBatch([first, second]).map((i) => i.change_id), [first.change_id]);
  const done = { ...first, state: 'sent', result: { status: 'applied', rev: 1 } };
  assert.deepEqual(nextBatch([done, second]).map((i) => i.change_id), [second.change_id]);
  assert.equal(toChange(second, [done, second]).base_rev, 1);
});

test('a correction after a rejected change keeps its own base_rev', () => {
  const first = item({ record_id: 'R', state: 'rejected', base_rev: 3, result: { status: 'rejected', rev: null, errors: [] } });
  const second = item({ record_id: 'R', after: first.change_id, base_rev: 3 });
  assert.equal(toChange(second, [first, second]).base_rev, 3);
});

test('two changes of one record never share a batch', () => {
  const a = item({ record_id: 'R' });
  const b = item({ record_id: 'R' });
  assert.equal(nextBatch([a, b]).length, 1);
});

test('the push body carries exactly the contract fields', () => {
  const change = toChange(item({ attachments: ['a'.repeat(64)] }));
  assert.deepEqual(Object.keys(change).sort(),
    ['attachments', 'base_rev', 'captured_at', 'change_id', 'data', 'form_id', 'form_version', 'record_id']);
});

for (const [status, state] of [['applied', 'sent'], ['merged', 'sent'], ['duplicate', 'sent'], ['conflict', 'conflict'], ['rejected', 'rejected']]) {
  test(`a ${status} result makes the item ${state}`, () => {
    const out = settle(item(), { status, rev: status === 'rejected' ? null : 2, errors: [], conflicts: [] }, { now: 5 });
    assert.equal(out.state, state);
    assert.equal(out.result.status, status);
  });
}

test('a rejected result marks only its item and keeps the errors by field', () => {
  const batch = [item(), item(), item()];
  const response = {
    results: [
      { change_id: batch[0].change_id, status: 'applied', rev: 1, errors: [], conflicts: [] },
      { change_id: batch[1].change_id, status: 'rejected', rev: null, errors: [{ path: 'beds', code: 'required', message: 'x' }], conflicts: [] },
      { change_id: batch[2].change_id, status: 'merged', rev: 4, errors: [], conflicts: [] },
    ],
  };
  const { items, counts } = applyResponse(batch, response, { now: 9 });
  assert.deepEqual(items.map((i) => i.state), ['sent', 'rejected', 'sent']);
  assert.deepEqual(items[1].result.errors, [{ path: 'beds', code: 'required', message: 'x' }]);
  assert.deepEqual(counts, { sent: 2, conflict: 0, rejected: 1, waiting: 0 });
});

test('results are matched by change_id, not only by position', () => {
  const batch = [item(), item()];
  const response = { results: [
    { change_id: batch[1].change_id, status: 'rejected', rev: null, errors: [], conflicts: [] },
    { change_id: batch[0].change_id, status: 'applied', rev: 1, errors: [], conflicts: [] },
  ] };
  assert.deepEqual(applyResponse(batch, response).items.map((i) => i.state), ['sent', 'rejected']);
});

test('an item the response does not mention stays waiting', () => {
  const batch = [item(), item()];
  const response = { results: [{ change_id: batch[0].change_id, status: 'applied', rev: 1, errors: [], conflicts: [] }] };
  assert.deepEqual(applyResponse(batch, response).items.map((i) => i.state), ['sent', 'waiting']);
  assert.deepEqual(applyResponse(batch, {}).items.map((i) => i.state), ['waiting', 'waiting']);
});

test('an unknown status keeps the item queued', () => {
  assert.equal(settle(item(), { status: 'weird' }).state, 'waiting');
});

test('a conflict keeps both values of each clash', () => {
  const clash = { conflict_id: 'k', path: 'beds', server_value: 10, client_value: 12 };
  const out = settle(item(), { status: 'conflict', rev: 3, errors: [], conflicts: [clash] });
  assert.deepEqual(out.result.conflicts, [clash]);
});

test('network errors, 5xx, 429 and unknown 4xx retry; 401 asks for sign-in; 413 splits', () => {
  assert.equal(onFailure({ network: true }).action, 'retry');
  assert.equal(onFailure({ status: 500 }).action, 'retry');
  assert.equal(onFailure({ status: 503 }).action, 'retry');
  assert.equal(onFailure({ status: 429, retryAfter: 30 }).retryAfter, 30);
  assert.equal(onFailure({ status: 422 }).action, 'retry');
  assert.equal(onFailure({ status: 401 }).action, 'sign_in');
  assert.equal(onFailure({ status: 413 }).action, 'split');
  for (const f of [{ network: true }, { status: 500 }, { status: 400 }, { status: 404 }]) {
    assert.notEqual(onFailure(f).action, 'drop');
  }
});

test('backoff doubles, is capped, and resets', () => {
  const noJitter = { random: () => 1 };
  assert.equal(backoffDelay(1, noJitter), 2000);
  assert.equal(backoffDelay(2, noJitter), 4000);
  assert.equal(backoffDelay(3, noJitter), 8000);
  assert.equal(backoffDelay(50, noJitter), BACKOFF_MAX_MS);
  assert.ok(BACKOFF_MAX_MS <= 5 * 60 * 1000);
  for (let a = 1; a < 30; a += 1) {
    const d = backoffDelay(a);
    assert.ok(d >= 1000 && d <= BACKOFF_MAX_MS, `attempt ${a}: ${d}`);
  }
  let s = idle();
  for (let i = 0; i < 20; i += 1) s = scheduleFailure(s, 1000, noJitter);
  assert.equal(s.failures, 20);
  assert.equal(s.next_at, 1000 + BACKOFF_MAX_MS);
  assert.ok(!due(s, 1000));
  assert.ok(due(reset(), 1000));
});

test('Retry-After lengthens the wait but never past the cap', () => {
  const s = scheduleFailure(idle(), 0, { retryAfter: 60, random: () => 0 });
  assert.equal(s.next_at, 60000);
  const capped = scheduleFailure(idle(), 0, { retryAfter: 3600, random: () => 0 });
  assert.equal(capped.next_at, BACKOFF_MAX_MS);
});

test('a 413 halves the batch, down to one', () => {
  assert.equal(splitSize(50), 25);
  assert.equal(splitSize(1), 1);
});

test('queueing a record again replaces a change never sent, keeping its change_id', () => {
  const first = item({ record_id: 'R' });
  const { put } = enqueue([first], { ...item({ record_id: 'R' }), data: { beds: 99 } }, { now: 100 });
  assert.equal(put.length, 1);
  assert.equal(put[0].change_id, first.change_id);
  assert.deepEqual(put[0].data, { beds: 99 });
});

test('queueing a record whose change may have reached the server chains a new change', () => {
  const first = item({ record_id: 'R', attempts: 1 });
  const next = item({ record_id: 'R', state: undefined });
  const { put } = enqueue([first], next, { now: 100 });
  assert.equal(put[0].change_id, next.change_id);
  assert.equal(put[0].after, first.change_id);
  assert.equal(put[0].state, 'waiting');
});

test('a correction of a sent or rejected record is a new change with its own base_rev', () => {
  const first = item({ record_id: 'R', state: 'rejected', attempts: 1 });
  const next = item({ record_id: 'R', base_rev: 2 });
  const { put } = enqueue([first], next, { now: 100 });
  assert.equal(put[0].change_id, next.change_id);
  assert.equal(put[0].after, undefined);
  assert.equal(put[0].base_rev, 2);
});

test('other users\' items are never touched', () => {
  const other = item({ record_id: 'R', username: 'ccwc.pp' });
  const { put } = enqueue([other], item({ record_id: 'R' }), { now: 1 });
  assert.notEqual(put[0].change_id, other.change_id);
  assert.equal(put[0].after, undefined);
});

test('the waiting count counts only waiting items', () => {
  assert.equal(waitingCount([item(), item({ state: 'sent' }), item({ state: 'rejected' }), item()]), 2);
});

test('a lost response: the retry sends the same change, and duplicate ends it as sent', () => {
  const a = item({ attempts: 1 });
  const again = nextBatch([a]);
  assert.deepEqual(toChange(again[0]), toChange(a));
  const { items } = applyResponse(again, { results: [{ change_id: a.change_id, status: 'duplicate', rev: 1, errors: [], conflicts: [] }] });
  assert.equal(items[0].state, 'sent');
  assert.equal(nextBatch(items).length, 0);
});
