// The field app's other pure modules: i18n (every string in both languages, dates in both),
// records (states, labels, attachments, versions in use), session (the PIN hash), and the
// service worker's shell list (every file of the app is precached).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pbkdf2Sync } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDate, formatDateTime, khmerDigits, pick, STRINGS, t, waitingText } from '../js/i18n.js';
import { attachmentsIn, knownRev, labelAt, recordLabel, recordState, versionsInUse } from '../js/records.js';
import { DEFAULT_IDLE_LOCK_MINUTES, IDLE_LOCK_CHOICES, IdleLock } from '../js/idle.js';
import { hashPin, newSalt, newUuid, passwordSecrets, PASSWORD_ITERATIONS, sameHash, validPin } from '../js/session.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FORMS = fileURLToPath(new URL('../../../app/forms/definitions/', import.meta.url));
const inspection = JSON.parse(readFileSync(join(FORMS, 'institution_inspection.json'), 'utf8'));
const institution = JSON.parse(readFileSync(join(FORMS, 'institution.json'), 'utf8'));

test('English and Khmer have the same keys, none empty', () => {
  assert.deepEqual(Object.keys(STRINGS.km).sort(), Object.keys(STRINGS.en).sort());
  for (const lang of ['en', 'km']) {
    for (const [k, v] of Object.entries(STRINGS[lang])) assert.ok(v.trim(), `${lang}.${k}`);
  }
});

test('the Khmer strings are in Khmer (apart from names and codes)', () => {
  const same = Object.keys(STRINGS.en).filter((k) => STRINGS.en[k] === STRINGS.km[k]);
  assert.deepEqual(same, ['app_name']);
});

test('the contract labels are exact in English', () => {
  assert.equal(t('en', 'username'), 'Username');
  assert.equal(t('en', 'password'), 'Password');
  assert.equal(t('en', 'sign_in'), 'Sign in');
  assert.equal(t('en', 'save_draft'), 'Save draft');
  assert.equal(t('en', 'submit'), 'Submit');
  assert.equal(t('en', 'sync_now'), 'Sync now');
  assert.equal(t('en', 'update_ready'), 'Update ready — reload');
});

test('placeholders are filled, with Khmer digits in Khmer', () => {
  assert.equal(waitingText('en', 3), '3 submissions waiting to upload.');
  assert.equal(waitingText('en', 1), '1 submission waiting to upload.');
  assert.equal(waitingText('km', 12), 'ការបញ្ជូន ១២ កំពុងរង់ចាំផ្ទុកឡើង។');
  assert.equal(khmerDigits('2026'), '២០២៦');
});

test('dates read in both languages', () => {
  const d = new Date(2026, 10, 24, 14, 5);
  assert.equal(formatDate(d, 'en'), '24 Nov 2026');
  assert.equal(formatDate(d, 'km'), '២៤ វិច្ឆិកា ២០២៦');
  assert.equal(formatDateTime(d, 'en'), '24 Nov 2026, 14:05');
  assert.equal(formatDateTime(d, 'km'), '២៤ វិច្ឆិកា ២០២៦ ម៉ោង ១៤:០៥');
  assert.equal(formatDate('2026-02-01', 'en'), '1 Feb 2026');
  assert.equal(formatDate('not a date', 'en'), '');
});

test('pick falls back to the other language', () => {
  assert.equal(pick({ en: 'A', km: 'ក' }, 'km'), 'ក');
  assert.equal(pick({ en: 'A' }, 'km'), 'A');
});

// --- records --------------------------------------------------------------------------------

const sent = (rev, over = {}) => ({ change_id: `c${rev}`, state: 'sent', queued_at: rev, result: { status: 'applied', rev }, ...over });

test('a record is a draft, then waiting, then sent', () => {
  assert.equal(recordState({ draft: { draft_id: 'd' } }).state, 'draft');
  assert.equal(recordState({ items: [{ state: 'waiting', queued_at: 1 }] }).state, 'waiting');
  assert.equal(recordState({ items: [sent(1)] }).state, 'sent');
});

test('a rejected change shows its errors', () => {
  const s = recordState({ items: [{ state: 'rejected', queued_at: 1, result: { errors: [{ path: 'beds' }] } }] });
  assert.equal(s.state, 'rejected');
  assert.deepEqual(s.errors, [{ path: 'beds' }]);
});

test('a return pulled after the push shows the comment; a correction sent after it is sent', () => {
  const pulled = { rev: 1, review: { state: 'returned', comment: 'Count the beds again' }, open_conflicts: [] };
  const returned = recordState({ items: [sent(1)], pulled });
  assert.equal(returned.state, 'returned');
  assert.equal(returned.comment, 'Count the beds again');
  assert.equal(returned.rev, 1);
  const corrected = recordState({ items: [sent(1), sent(2, { queued_at: 5 })], pulled });
  assert.equal(corrected.state, 'sent');
  assert.equal(corrected.rev, 2);
});

test('open conflicts from a pull or a push show both values', () => {
  const clash = { path: 'beds', server_value: 10, client_value: 12 };
  assert.equal(recordState({ items: [sent(2)], pulled: { rev: 2, review: {}, open_conflicts: [clash] } }).state, 'conflict');
  const pushed = recordState({ items: [{ state: 'conflict', queued_at: 1, result: { status: 'conflict', rev: 2, conflicts: [clash] } }] });
  assert.equal(pushed.state, 'conflict');
  assert.deepEqual(pushed.conflicts, [clash]);
});

test('a conflict resolved on the server and pulled is settled on the device', () => {
  const clash = { path: 'beds', server_value: 10, client_value: 12 };
  const item = { state: 'conflict', queued_at: 1, result: { status: 'conflict', rev: 2, conflicts: [clash] } };
  const stillOpen = { rev: 2, review: {}, open_conflicts: [clash] };
  assert.equal(recordState({ items: [item], pulled: stillOpen }).state, 'conflict');
  const older = { rev: 1, review: {}, open_conflicts: [] }; // a pull from before the push
  assert.equal(recordState({ items: [item], pulled: older }).state, 'conflict');
  const resolved = { rev: 3, review: {}, open_conflicts: [] };
  const settled = recordState({ items: [item], pulled: resolved });
  assert.equal(settled.state, 'sent');
  assert.deepEqual(settled.conflicts, []);
  assert.equal(settled.rev, 3);
});

test('the known rev is the newest of the pull and the push results', () => {
  assert.equal(knownRev({ items: [sent(3)], pulled: { rev: 2 } }), 3);
  assert.equal(knownRev({ items: [], pulled: { rev: 5 } }), 5);
  assert.equal(knownRev({}), null);
});

test('records are named by the form\'s instance_name', () => {
  const rec = { record_id: 'abcdef12-0000', data: { institution_name: 'Sunrise', code: 'SR-01' } };
  assert.equal(recordLabel(institution, rec), 'Sunrise (SR-01)');
  assert.equal(recordLabel(inspection, { record_id: 'x', data: { inspection_date: '2026-11-20' } }), 'Inspection 2026-11-20');
  assert.equal(recordLabel(null, { record_id: 'abcdef1234', data: {} }), 'abcdef12');
});

test('attachments are found in groups and repeats', () => {
  const a = 'a'.repeat(64);
  const b = 'b'.repeat(64);
  const data = { photos: [{ _row_id: 'r', photo: a }], inspector_signature: b, beds: 3 };
  assert.deepEqual(attachmentsIn(inspection, data).sort(), [a, b]);
});

test('a path reads as its labels', () => {
  assert.equal(labelAt(inspection, 'beds', 'en'), 'Beds');
  assert.equal(labelAt(inspection, 'children.girls_0_2', 'en'), 'Children and young people living in the institution › Girls aged 0–2');
  assert.equal(labelAt(inspection, 'photos.0.photo', 'en'), 'Photos 1 › Photo');
});

test('versions in use keep a draft\'s old version', () => {
  const keep = versionsInUse({ drafts: [{ form_id: 'f', form_version: '1' }], current: [{ form_id: 'f', version: '2' }] });
  assert.ok(keep.has('f@1') && keep.has('f@2'));
  const gone = versionsInUse({ items: [{ form_id: 'f', form_version: '0', state: 'sent' }] });
  assert.ok(!gone.has('f@0'));
});

// --- session --------------------------------------------------------------------------------

test('a PIN is kept as a PBKDF2 hash, and compared without shortcuts', async () => {
  const salt = newSalt();
  const hash = await hashPin('1234', salt, 1000);
  assert.match(hash, /^[0-9a-f]{64}$/);
  // The same derivation by node's own OpenSSL PBKDF2: the stored value is the hash, not the PIN.
  assert.equal(hash, pbkdf2Sync('1234', Buffer.from(salt, 'hex'), 1000, 32, 'sha256').toString('hex'));
  assert.ok(sameHash(hash, await hashPin('1234', salt, 1000)));
  assert.ok(!sameHash(hash, await hashPin('1235', salt, 1000)));
  assert.ok(!sameHash(hash, await hashPin('1234', newSalt(), 1000)));
  assert.ok(validPin('0000') && validPin('12345678'));
  assert.ok(!validPin('123') && !validPin('123456789') && !validPin('12a4'));
});

test('ids are UUID version 7: canonical, unique, and in the order they were made', () => {
  const v7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  const ids = Array.from({ length: 2000 }, () => newUuid());
  assert.ok(ids.every((id) => v7.test(id)));
  assert.equal(new Set(ids).size, ids.length);
  // the first 48 bits are the time in ms, big-endian: later ids sort after earlier ones
  const at = Date.UTC(2026, 10, 24, 8, 15);
  const id = newUuid(at, new Uint8Array(10));
  assert.equal(parseInt(id.replace(/-/g, '').slice(0, 12), 16), at);
  assert.equal(id, `${at.toString(16).padStart(12, '0').replace(/^(.{8})(.{4})$/, '$1-$2')}-7000-8000-000000000000`);
  const zeros = new Uint8Array(10);
  const ones = new Uint8Array(10).fill(255);
  assert.ok(newUuid(at, ones) < newUuid(at + 1, zeros));
});

// --- service worker -------------------------------------------------------------------------

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

test('the service worker precaches every file of the app shell', () => {
  const sw = readFileSync(join(ROOT, 'sw.js'), 'utf8');
  const listed = new Set([...sw.matchAll(/^\s+'(\/[^']*)',?$/gm)].map((m) => m[1]));
  const onDisk = walk(ROOT)
    .map((p) => `/${relative(ROOT, p).split('\\').join('/')}`)
    .filter((p) => !p.startsWith('/tests/') && p !== '/sw.js');
  const missing = onDisk.filter((p) => !listed.has(p));
  assert.deepEqual(missing, [], 'add these to SHELL in sw.js (and bump VERSION)');
  const extra = [...listed].filter((p) => p !== '/' && !onDisk.includes(p));
  assert.deepEqual(extra, [], 'SHELL names files that do not exist');
  assert.match(sw, /const VERSION = '[^']+'/);
});

// --- idle lock ------------------------------------------------------------------------------

test('the app locks itself after the chosen minutes without use, once per delay', async () => {
  let clock = 0;
  let locks = 0;
  const idle = new IdleLock({ minutes: 5, now: () => clock, lock: async () => { locks += 1; return true; } });
  clock = 4 * 60000;
  assert.equal(await idle.check(), false);
  idle.touch(); // used at 4 min: the delay starts again
  clock = 8.9 * 60000;
  assert.equal(await idle.check(), false);
  clock = 9 * 60000;
  assert.equal(await idle.check(), true);
  assert.equal(await idle.check(), false); // not again at once
  assert.equal(locks, 1);
  idle.setMinutes(2);
  clock += 2 * 60000;
  assert.equal(await idle.check(), true);
  const refused = new IdleLock({ minutes: 1, now: () => clock, lock: async () => false });
  clock += 60000;
  assert.equal(await refused.check(), false); // no PIN, say: nothing locked
  assert.ok(IDLE_LOCK_CHOICES.includes(DEFAULT_IDLE_LOCK_MINUTES));
});

test('a record that left the scope leaves the device unless its own work holds it', async () => {
  const { departures } = await import('../js/records.js');
  const removed = [{ record_id: 'a' }, { record_id: 'b' }, { record_id: 'c' }, { record_id: 'd' }, { record_id: 'a' }];
  const drafts = [{ record_id: 'b' }];
  const items = [
    { record_id: 'c', state: 'waiting' },
    { record_id: 'd', state: 'sent' },
    { record_id: 'e', state: 'rejected' },
  ];
  assert.deepEqual(departures({ removed, drafts, items }), { drop: ['a', 'd'], keep: ['b', 'c'] });
  assert.deepEqual(departures({}), { drop: [], keep: [] });
});

test('the offline sign-in verifier is PBKDF2-SHA-256 of the password (first 32 of 64 bytes), salted', async () => {
  assert.ok(PASSWORD_ITERATIONS >= 310000);
  const salt = newSalt();
  const { verifier, key } = await passwordSecrets('homeward-demo', salt, 1000);
  const expected = pbkdf2Sync('homeward-demo', Buffer.from(salt, 'hex'), 1000, 64, 'sha256');
  assert.equal(verifier, expected.subarray(0, 32).toString('hex'));
  assert.equal(key.algorithm.name, 'AES-GCM');
  assert.equal(key.extractable, false);
  const other = await passwordSecrets('homeward-demo', newSalt(), 1000);
  assert.ok(!sameHash(verifier, other.verifier)); // a fresh salt: another verifier
  assert.ok(!sameHash(verifier, (await passwordSecrets('homeward-dem0', salt, 1000)).verifier));
});
