// Which uploaded photo and signature blobs may leave the device (js/retention.js), pure: only
// after the server confirmed them, their record is sent and the retention has passed, and never
// while a draft, a waiting, rejected or conflicting change, or a returned record names them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DAY_MS, departingFiles, namedIn, needsAttention, pastRetention, prunable, RETENTION_DAYS, RETENTION_MS, stillNeeded, toMs,
  whereIs, withoutBlob,
} from '../js/retention.js';

const NOW = Date.UTC(2026, 11, 20, 3, 0); // 20 Dec 2026, 10:00 in Phnom Penh
const ago = (days) => NOW - days * DAY_MS;
const iso = (ms) => new Date(ms).toISOString();
const sha = (c) => c.repeat(64);
const [P, Q, R, S] = ['a', 'b', 'c', 'd'].map(sha);
const BLOB = { size: 300000, type: 'image/jpeg' }; // stands for a Blob: only its presence matters

const att = (hash, over = {}) => ({
  sha256: hash, blob: BLOB, content_type: 'image/jpeg', size: 300000, state: 'uploaded',
  uploaded_at: iso(ago(15)), username: 'inspector.sr', created_at: iso(ago(16)), ...over,
});
const item = (hash, over = {}) => ({
  change_id: `change-${hash.slice(0, 4)}-${over.state || 'sent'}`, record_id: `record-${hash.slice(0, 4)}`,
  username: 'inspector.sr', state: 'sent', sent_at: ago(15), attachments: [hash],
  data: { photos: [{ _row_id: 'row-1', photo: hash }] }, ...over,
});
const decide = (world) => prunable({ now: NOW, ...world }).sort();

test('the retention is 14 days', () => {
  assert.equal(RETENTION_DAYS, 14);
  assert.equal(RETENTION_MS, 14 * 24 * 3600 * 1000);
});

test('a blob the server confirmed 14 days ago, whose record is sent, may go; a day earlier it stays', () => {
  assert.deepEqual(decide({ attachments: [att(P, { uploaded_at: iso(ago(14)) })], items: [item(P, { sent_at: ago(14) })] }), [P]);
  assert.deepEqual(decide({ attachments: [att(P, { uploaded_at: iso(ago(13)) })], items: [item(P, { sent_at: ago(14) })] }), []);
  assert.deepEqual(decide({ attachments: [att(P, { uploaded_at: iso(ago(14) + 1) })], items: [item(P, { sent_at: ago(20) })] }), []);
});

test('never before the server confirmed it: local and queued blobs stay however old', () => {
  for (const state of ['local', 'queued']) {
    const a = att(P, { state, uploaded_at: undefined, created_at: iso(ago(400)) });
    assert.deepEqual(decide({ attachments: [a], items: [item(P, { sent_at: ago(400) })] }), [], state);
  }
  // an `uploaded` row with no upload time is not trusted either
  assert.deepEqual(decide({ attachments: [att(P, { uploaded_at: null })], items: [item(P)] }), []);
  assert.deepEqual(decide({ attachments: [att(P, { uploaded_at: 'not a date' })], items: [item(P)] }), []);
});

test('only when a sent change names it: an uploaded blob no sent record names stays', () => {
  assert.deepEqual(decide({ attachments: [att(P)], items: [] }), []);
  assert.deepEqual(decide({ attachments: [att(P)], items: [item(Q)] }), []);
});

test('never while a draft names it, of any user on the tablet, deep in a repeat', () => {
  const drafts = [{ draft_id: 'd1', username: 'inspector.pp1', data: { photos: [{ _row_id: 'r', photo: P }], note: 'x' } }];
  assert.deepEqual(decide({ attachments: [att(P), att(Q)], items: [item(P), item(Q)], drafts }), [Q]);
});

test('never while a change naming it waits, was rejected or is in conflict', () => {
  for (const state of ['waiting', 'rejected', 'conflict']) {
    const items = [item(P), item(P, { state, sent_at: null })];
    assert.deepEqual(decide({ attachments: [att(P)], items }), [], state);
  }
  // named only in the data (a change made before `attachments` was listed) still counts
  const quiet = item(P, { state: 'waiting', attachments: [], sent_at: null });
  assert.deepEqual(decide({ attachments: [att(P)], items: [item(P), quiet] }), []);
});

test('never while a pulled record naming it is returned or has open conflicts; approved ones let it go', () => {
  const pulled = (review, conflicts = []) => ({
    key: 'inspector.sr|record-aaaa', record_id: 'record-aaaa', rev: 1, data: { inspector_signature: P },
    review: { state: review, comment: null }, open_conflicts: conflicts,
  });
  const world = { attachments: [att(P)], items: [item(P)] };
  assert.deepEqual(decide({ ...world, records: [pulled('returned')] }), []);
  assert.deepEqual(decide({ ...world, records: [pulled('received', [{ path: 'beds' }])] }), []);
  assert.deepEqual(decide({ ...world, records: [pulled('approved')] }), [P]);
  assert.deepEqual(decide({ ...world, records: [pulled('received')] }), [P]);
  assert.ok(needsAttention(pulled('returned')) && !needsAttention(pulled('rejected')));
});

test('the retention counts from the newest sent change naming it: a re-sent correction keeps it', () => {
  const attachments = [att(P, { uploaded_at: iso(ago(40)) })];
  const first = item(P, { sent_at: ago(40) });
  assert.deepEqual(decide({ attachments, items: [first, item(P, { change_id: 'fix', sent_at: ago(3) })] }), []);
  assert.deepEqual(decide({ attachments, items: [first, item(P, { change_id: 'fix', sent_at: ago(15) })] }), [P]);
  // sent_at may be an ISO string too
  assert.deepEqual(decide({ attachments, items: [first, item(P, { change_id: 'fix', sent_at: iso(ago(2)) })] }), []);
});

test('a blob already dropped is not dropped again; several go at once', () => {
  const attachments = [att(P, { blob: null, pruned_at: iso(ago(1)) }), att(Q), att(R), att(S, { state: 'queued' })];
  const items = [item(P), item(Q), item(R), item(S)];
  assert.deepEqual(decide({ attachments, items }), [Q, R]);
});

test('a shared photo stays while any record naming it needs it', () => {
  const items = [item(P), item(P, { change_id: 'other', record_id: 'record-other', state: 'rejected', sent_at: null })];
  assert.deepEqual(decide({ attachments: [att(P)], items }), []);
});

test('prunable needs a clock; pastRetention is a cheap necessary test', () => {
  assert.throws(() => prunable({ attachments: [] }), TypeError);
  assert.ok(pastRetention(att(P), NOW));
  assert.ok(!pastRetention(att(P, { uploaded_at: iso(ago(1)) }), NOW));
  assert.ok(!pastRetention(att(P, { blob: null }), NOW));
  assert.ok(!pastRetention(att(P, { state: 'queued' }), NOW));
  assert.ok(pastRetention(att(P, { uploaded_at: iso(ago(2)) }), NOW, DAY_MS));
});

test('hashes are found anywhere in data, and nothing else', () => {
  const data = {
    photos: [{ _row_id: 'r1', photo: P }, { _row_id: 'r2', photo: Q }],
    group: { inner: { signature: R } },
    upper: S.toUpperCase(), short: 'a'.repeat(63), text: `see ${P}`, n: 64, none: null,
  };
  assert.deepEqual([...namedIn(data)].sort(), [P, Q, R]);
  assert.deepEqual([...stillNeeded({ drafts: [{ data }] })].sort(), [P, Q, R]);
  assert.deepEqual([...stillNeeded({ items: [item(S, { state: 'sent' })] })], []);
});

test('the row left behind keeps what the app needs to know the file is on the server', () => {
  const before = att(P);
  const after = withoutBlob(before, NOW);
  assert.equal(after.blob, null);
  assert.equal(after.pruned_at, iso(NOW));
  for (const k of ['sha256', 'content_type', 'size', 'state', 'uploaded_at', 'username', 'created_at']) assert.equal(after[k], before[k], k);
  assert.equal(before.blob, BLOB, 'the input is not changed');
  assert.equal(whereIs(before), 'device');
  assert.equal(whereIs(after), 'server');
  assert.equal(whereIs(att(P, { blob: null, state: 'queued' })), 'unknown');
  assert.equal(whereIs(undefined), 'unknown');
  assert.equal(toMs(5), 5);
  assert.equal(toMs(''), null);
});

test('the files of records leaving the device go unless something that stays names them', () => {
  const leaving = [
    { record_id: 'r1', data: { sig: P, photos: [{ photo: Q }] } },
    item(R, { record_id: 'r1', data: { sig: P } }),
  ];
  // nothing else names them: all three go
  assert.deepEqual(departingFiles({ leaving }).sort(), [P, Q, R].sort());
  // a draft (of any user), a change that stays, a pulled record that stays: each keeps its file
  assert.deepEqual(departingFiles({ leaving, drafts: [{ data: { x: P } }] }).sort(), [Q, R].sort());
  assert.deepEqual(departingFiles({ leaving, items: [item(Q, { record_id: 'r2' })] }).sort(), [P, R].sort());
  assert.deepEqual(departingFiles({ leaving, records: [{ record_id: 'r3', data: { deep: [{ p: R }] } }] }).sort(), [P, Q].sort());
  assert.deepEqual(departingFiles({ leaving: [{ record_id: 'r4', data: { text: 'no file' } }] }), []);
});
