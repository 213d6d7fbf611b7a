// Sync: push the outbox in batches, upload attachments after their records (resumably), pull
// the records in scope with the cursor, refresh the forms. No DOM, no window: the page drives a
// Syncer, and so does the service worker (syncInBackground) when Background Sync fires with no
// page of the app open. A whole run holds the Web Lock SYNC_LOCK, so the page, other tabs and
// the worker never sync at once. Decisions (batches, results, backoff) are js/outbox.js's; this
// module does the I/O.

import {
  applyResponse, BATCH_SIZE, due, enqueue, idle, nextBatch, onFailure, reset, scheduleFailure,
  splitSize, toChange, waitingCount,
} from './outbox.js';
import { ApiFailure, createApi } from './api.js';
import { openDatabase } from './db.js';
import { departures, versionsInUse } from './records.js';
import { departingFiles, pastRetention, prunable, RETENTION_MS, withoutBlob } from './retention.js';
import { deviceId, Session } from './session.js';

export const PERIOD_MS = 5 * 60 * 1000; // a sync at least this often while online
export const CHUNK_BYTES = 256 * 1024; // attachment upload chunk: a cut link loses at most this
const PULL_LIMIT = 500;
// an attachment upload answered with one of these is tried again soon, not kept as refused
// (a 409 WITH Upload-Offset never gets here: uploadOne resumes from that offset at once)
const BUSY_STATUSES = new Set([408, 409, 423, 429]);
// the Web Lock every sync run holds (page, tabs, service worker: one origin, one run at a time)
export const SYNC_LOCK = 'homeward-sync';

export const recordKey = (username, recordId) => `${username}|${recordId}`;

/** Put a change in the outbox, atomically with respect to a push that is marking a batch;
 * with `draftId`, the draft it came from is removed in the same transaction. */
export async function queueChange(db, change, now = Date.now(), { draftId = null } = {}) {
  const stores = draftId ? ['outbox', 'attachments', 'drafts'] : ['outbox', 'attachments'];
  return db.tx(stores, 'readwrite', async (s) => {
    const items = await req(s.outbox.index('by_user').getAll(change.username));
    const { put } = enqueue(items, change, { now });
    for (const item of put) await req(s.outbox.put(item));
    if (draftId) await req(s.drafts.delete(draftId));
    return put[put.length - 1];
  });
}

const req = (r) => new Promise((resolve, reject) => {
  r.onsuccess = () => resolve(r.result);
  r.onerror = () => reject(r.error);
});

const LOCATIONS_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export class Syncer extends EventTarget {
  constructor({
    db, api, session, deviceId, now = () => Date.now(), online = () => globalThis.navigator?.onLine !== false,
    retentionMs = RETENTION_MS, locks = globalThis.navigator?.locks ?? null,
  }) {
    super();
    this.locks = locks; // the Web Locks API (windows and workers); without it, runs exclude each other only within this context
    this.retentionMs = retentionMs;
    this.db = db;
    this.api = api;
    this.session = session;
    this.deviceId = deviceId;
    this.now = now;
    this.online = online;
    this.schedule = idle();
    this.batchSize = BATCH_SIZE;
    this.running = null;
    this.again = false;
    this.lastError = null;
    this.retryTimer = null;
    this.tickTimer = null;
    this.lastAttempt = 0;
  }

  emit(type, detail = {}) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  /** {waiting, lastSync, error, nextAt, running} for the status region. */
  async status() {
    const username = this.session.username;
    const items = username ? await this.db.getAllFromIndex('outbox', 'by_user', username) : [];
    return {
      waiting: waitingCount(items),
      lastSync: username ? await this.db.getMeta(`last_sync:${username}`) : null,
      error: this.lastError,
      nextAt: this.schedule.failures ? this.schedule.next_at : null,
      running: Boolean(this.running),
    };
  }

  /** Sync now. Concurrent calls share one run; a call during a run asks for one more. The run
   * holds the Web Lock SYNC_LOCK from its first read of the outbox to its last write, so a run
   * of another tab or of the service worker waits for this one to end, then reads the outbox
   * as this one left it (every item it pushed already settled): nothing is pushed twice. */
  run({ reason = 'manual' } = {}) {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const cycle = async () => {
      let outcome;
      do {
        this.again = false;
        outcome = await this.once(reason);
      } while (this.again && outcome.ok);
      return outcome;
    };
    this.running = (this.locks ? this.locks.request(SYNC_LOCK, cycle) : cycle()).finally(() => {
      this.running = null;
      this.emit('change');
    });
    this.emit('change');
    return this.running;
  }

  async once(reason) {
    const username = this.session.username;
    if (!username || this.session.expired(this.now())) {
      this.lastError = { code: 'sign_in' };
      this.emit('needs-sign-in');
      return { ok: false, error: this.lastError };
    }
    this.lastAttempt = this.now();
    try {
      const pushed = await this.push(username);
      const uploads = await this.uploadAttachments(username);
      await this.refreshForms(username);
      await this.refreshLocations(username);
      const pulled = await this.pull(username);
      await this.db.setMeta(`last_sync:${username}`, new Date(this.now()).toISOString());
      this.lastError = null;
      this.clearRetry();
      if (uploads.busy) {
        // a file the server is still receiving (the request the cut link left behind holds
        // it): not a failure of this run, but ask again soon, backing off, Retry-After honoured
        this.schedule = scheduleFailure(this.schedule, this.now(), { retryAfter: uploads.busy.retryAfter });
        this.armRetry();
      } else {
        this.schedule = reset();
      }
      const pruned = await this.pruneAttachments();
      this.emit('synced', { reason, pushed, pulled, pruned });
      return { ok: true, pushed, pulled, pruned, busy: Boolean(uploads.busy) };
    } catch (err) {
      if (!(err instanceof ApiFailure)) throw err;
      const decision = onFailure(err);
      this.lastError = { code: err.code, status: err.status, message: err.message, network: err.network };
      if (decision.action === 'sign_in') {
        this.emit('needs-sign-in');
      } else {
        this.schedule = scheduleFailure(this.schedule, this.now(), { retryAfter: err.retryAfter });
        this.armRetry();
      }
      this.emit('failed', { error: this.lastError, reason });
      return { ok: false, error: this.lastError };
    }
  }

  // --- push ----------------------------------------------------------------------------------

  /** Mark the next batch as attempted (in one transaction with the read, so a submission
   * queued meanwhile is never overwritten) and return it as sent. */
  async takeBatch(username) {
    const now = this.now();
    return this.db.tx('outbox', 'readwrite', async (s) => {
      const items = await req(s.outbox.index('by_user').getAll(username));
      const batch = nextBatch(items, { size: this.batchSize });
      const marked = batch.map((item) => {
        const change = toChange(item, items); // `after` becomes a fixed base_rev: a retry is identical
        const next = { ...item, base_rev: change.base_rev, attempts: (item.attempts || 0) + 1, last_attempt_at: now };
        delete next.after;
        return next;
      });
      for (const item of marked) await req(s.outbox.put(item));
      return marked;
    });
  }

  async push(username) {
    const counts = { sent: 0, conflict: 0, rejected: 0 };
    for (;;) {
      const batch = await this.takeBatch(username);
      if (!batch.length) break;
      let response;
      try {
        response = await this.api.push(this.deviceId, batch.map((i) => toChange(i)));
      } catch (err) {
        if (err instanceof ApiFailure && onFailure(err).action === 'split' && this.batchSize > 1) {
          this.batchSize = splitSize(Math.min(this.batchSize, batch.length));
          continue;
        }
        if (err instanceof ApiFailure && onFailure(err).action === 'split') {
          // one change alone is over the server's limit: it can never be sent as it is
          await this.settleLocally(batch[0], err);
          continue;
        }
        throw err;
      }
      this.batchSize = BATCH_SIZE;
      const { items } = applyResponse(batch, response, { now: this.now() });
      await this.saveResults(items);
      for (const i of items) if (i.state in counts) counts[i.state] += 1;
      this.emit('change');
      if (items.every((i) => i.state === 'waiting')) break; // the server answered nothing usable
    }
    return counts;
  }

  async settleLocally(item, err) {
    const rejected = {
      ...item,
      state: 'rejected',
      result: { status: 'rejected', rev: null, conflicts: [], errors: [{ path: '', code: err.code, message: err.message }] },
    };
    await this.saveResults([rejected]);
  }

  async saveResults(items) {
    await this.db.tx(['outbox', 'attachments'], 'readwrite', async (s) => {
      for (const item of items) {
        const current = await req(s.outbox.get(item.change_id));
        if (!current) continue;
        await req(s.outbox.put({ ...current, state: item.state, result: item.result, sent_at: item.sent_at ?? null }));
        if (item.state === 'sent' || item.state === 'conflict') {
          for (const sha of item.attachments || []) {
            const att = await req(s.attachments.get(sha));
            if (att && att.state !== 'uploaded') await req(s.attachments.put({ ...att, state: 'queued' }));
          }
        }
      }
    });
  }

  // --- attachments ---------------------------------------------------------------------------

  /** Upload queued attachments: HEAD for what the server holds, then PUT the rest in chunks
   * with Upload-Offset. A network failure stops (and backs off); a file the server is busy
   * with (409 without an offset: another request, typically the one a cut link left behind,
   * still appends to it; or 408/429) is skipped for now and returned as `busy`, so the run
   * goes on and asks again soon; a refusal of one file is kept on that file and does not stop
   * the others. Returns {busy: the first such ApiFailure, or null}. */
  async uploadAttachments() {
    const queued = await this.db.getAllFromIndex('attachments', 'by_state', 'queued');
    let busy = null;
    for (const att of queued) {
      try {
        await this.uploadOne(att);
        await this.db.put('attachments', { ...att, state: 'uploaded', uploaded_at: new Date(this.now()).toISOString(), error: null });
      } catch (err) {
        if (!(err instanceof ApiFailure) || err.network || err.status >= 500 || err.status === 401) throw err;
        if (BUSY_STATUSES.has(err.status)) {
          busy = busy || err;
          continue;
        }
        await this.db.put('attachments', { ...att, error: { status: err.status, code: err.code } });
      }
      this.emit('change');
    }
    return { busy };
  }

  /** After a successful sync: drop the blobs of attachments the server has held for the
   * retention period and nothing on the device still needs (js/retention.js decides). Reads
   * and writes in ONE transaction over attachments, drafts, outbox and records, so a draft or
   * a correction saved meanwhile is either seen here or saved after the decision. The row stays
   * (state `uploaded`, `blob: null`, `pruned_at`). Housekeeping: a failure here never fails the
   * sync; the next one tries again. Returns how many blobs were dropped. */
  async pruneAttachments() {
    const now = this.now();
    try {
      return await this.db.tx(['attachments', 'drafts', 'outbox', 'records'], 'readwrite', async (s) => {
        const uploaded = await req(s.attachments.index('by_state').getAll('uploaded'));
        if (!uploaded.some((a) => pastRetention(a, now, this.retentionMs))) return 0; // the usual case: nothing read
        const drop = prunable({
          attachments: uploaded,
          drafts: await req(s.drafts.getAll()),
          items: await req(s.outbox.getAll()),
          records: await req(s.records.getAll()),
          now,
          retentionMs: this.retentionMs,
        });
        const bySha = new Map(uploaded.map((a) => [a.sha256, a]));
        for (const sha of drop) await req(s.attachments.put(withoutBlob(bySha.get(sha), now)));
        return drop.length;
      });
    } catch (err) {
      globalThis.console?.warn('attachment pruning failed; the next sync tries again', err);
      return 0;
    }
  }

  async uploadOne(att) {
    const head = await this.api.attachmentStatus(att.sha256);
    if (head.complete) return;
    if (!att.blob) throw new ApiFailure({ status: 410, code: 'not_on_device', message: 'the file is no longer on this device' });
    let offset = head.offset || 0;
    const total = att.blob.size;
    for (let guard = 0; guard < 10000; guard += 1) {
      const chunk = att.blob.slice(offset, Math.min(total, offset + CHUNK_BYTES));
      let answer;
      try {
        answer = await this.api.putAttachment(att.sha256, chunk, { offset, total, contentType: att.content_type });
      } catch (err) {
        if (err instanceof ApiFailure && err.status === 409 && Number.isFinite(err.offset)) {
          offset = err.offset; // the server holds another amount: resume from there
          continue;
        }
        throw err;
      }
      if (answer.status === 200 || answer.status === 201) return;
      offset = Math.max(offset + chunk.size, answer.offset || 0);
      if (offset >= total) {
        const again = await this.api.attachmentStatus(att.sha256);
        if (again.complete) return;
        offset = again.offset || 0;
      }
    }
    throw new ApiFailure({ status: 0, code: 'upload_stuck', message: 'the upload does not progress' });
  }

  // --- pull ----------------------------------------------------------------------------------

  async pull(username) {
    let cursor = await this.db.getMeta(`cursor:${username}`);
    let count = 0;
    for (let guard = 0; guard < 100000; guard += 1) {
      const page = await this.api.pull(cursor, PULL_LIMIT);
      const records = page.records.map((r) => ({ ...r, key: recordKey(username, r.record_id), username }));
      const removed = page.removed || [];
      await this.db.tx(['records', 'meta', 'drafts', 'outbox', 'attachments'], 'readwrite', async (s) => {
        for (const r of records) await req(s.records.put(r));
        if (removed.length) {
          // records that left the user's scope leave the device, unless its own work holds them
          const mine = (rows) => rows.filter((row) => row.username === username);
          const allDrafts = await req(s.drafts.getAll());
          const allItems = await req(s.outbox.getAll());
          const { drop, keep } = departures({ removed, drafts: mine(allDrafts), items: mine(allItems) });
          if (drop.length) {
            // with their files (photos, signatures) and this device's settled changes of them,
            // unless something that stays names the same file
            const gone = new Set(drop);
            const keys = new Set(drop.map((id) => recordKey(username, id)));
            const allRecords = await req(s.records.getAll());
            const leavingItems = mine(allItems).filter((i) => gone.has(i.record_id));
            const files = departingFiles({
              leaving: [...allRecords.filter((r) => keys.has(r.key)), ...leavingItems],
              drafts: allDrafts,
              items: allItems.filter((i) => !leavingItems.includes(i)),
              records: allRecords.filter((r) => !keys.has(r.key)),
            });
            for (const key of keys) await req(s.records.delete(key));
            for (const i of leavingItems) await req(s.outbox.delete(i.change_id));
            for (const sha of files) {
              // a file the server holds goes; one still to upload stays until it is uploaded
              const att = await req(s.attachments.get(sha));
              if (att && att.state === 'uploaded') await req(s.attachments.delete(sha));
            }
          }
          for (const id of keep) {
            const copy = await req(s.records.get(recordKey(username, id)));
            if (copy) await req(s.records.put({ ...copy, left_scope: true }));
          }
        }
        await req(s.meta.put({ key: `cursor:${username}`, value: page.cursor }));
      });
      count += records.length;
      if (records.length || removed.length) this.emit('change');
      if (!page.more || page.cursor === cursor) break;
      cursor = page.cursor;
    }
    return count;
  }

  // --- forms ---------------------------------------------------------------------------------

  async refreshForms(username) {
    const key = `forms:${username}`;
    const known = await this.db.getMeta(key);
    const answer = await this.api.forms(known?.etag);
    const list = answer.notModified ? known : { etag: answer.etag, forms: answer.forms, fetched_at: new Date(this.now()).toISOString() };
    if (!answer.notModified) await this.db.setMeta(key, list);
    const needed = list.forms.map((f) => [f.form_id, f.version]);
    // versions the user's own drafts and records use (a correction opens on its version)
    const drafts = await this.db.getAllFromIndex('drafts', 'by_user', username);
    const items = await this.db.getAllFromIndex('outbox', 'by_user', username);
    for (const d of [...drafts, ...items]) needed.push([d.form_id, d.form_version]);
    for (const [formId, version] of needed) {
      if (await this.db.get('forms', [formId, version])) continue;
      const schema = await this.api.formVersion(formId, version);
      await this.db.put('forms', { form_id: formId, version, title: schema.title, schema });
    }
    if (!answer.notModified) await this.pruneForms();
  }

  /** The communes in the user's scope (for a form's location field), kept a day. Never fails
   * a sync: without them the field is typed as before. */
  async refreshLocations(username) {
    const key = `locations:${username}`;
    const known = await this.db.getMeta(key);
    if (known && this.now() - Date.parse(known.fetched_at) < LOCATIONS_MAX_AGE_MS) return;
    try {
      const answer = await this.api.locations();
      const communes = (answer.locations || []).filter((l) => l.level === 'commune')
        .map((l) => ({ code: l.code, name: l.name || {} }));
      await this.db.setMeta(key, { communes, fetched_at: new Date(this.now()).toISOString() });
    } catch {
      // an older server, a refusal, a lost answer: try again at the next sync
    }
  }

  /** Drop schema versions nobody on this device needs any more: not current for a user, not
   * used by any draft, unsettled change or pulled record. */
  async pruneForms() {
    const metas = await this.db.getAll('meta');
    const current = metas.filter((m) => m.key.startsWith('forms:')).flatMap((m) => m.value.forms || []);
    const keep = versionsInUse({
      drafts: await this.db.getAll('drafts'),
      items: await this.db.getAll('outbox'),
      records: await this.db.getAll('records'),
      current,
    });
    const stored = await this.db.getAll('forms');
    for (const f of stored) {
      if (!keep.has(`${f.form_id}@${f.version}`)) await this.db.delete('forms', [f.form_id, f.version]);
    }
  }

  // --- when to sync --------------------------------------------------------------------------

  /** The connection came back: forget the backoff, sync at once. */
  connectionBack() {
    this.schedule = reset();
    this.clearRetry();
    return this.run({ reason: 'online' });
  }

  armRetry() {
    this.clearRetry();
    const wait = Math.max(0, this.schedule.next_at - this.now());
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.online()) this.run({ reason: 'retry' });
    }, wait);
  }

  clearRetry() {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  /** A periodic check while online: sync when something waits or the last sync is old. */
  start(intervalMs = 30000) {
    this.stop();
    this.tickTimer = setInterval(async () => {
      if (!this.online() || this.running || !this.session.username) return;
      if (!due(this.schedule, this.now())) return;
      const { waiting } = await this.status();
      if (waiting > 0 || this.now() - this.lastAttempt >= PERIOD_MS) this.run({ reason: 'timer' });
    }, intervalMs);
  }

  stop() {
    if (this.tickTimer) clearInterval(this.tickTimer);
    this.tickTimer = null;
    this.clearRetry();
  }
}

/** A device's session (loaded from `db`), its API client and its Syncer, wired as the page
 * and the service worker both need them (the session signs in through the API; the API sends
 * the session's token). */
export async function syncParts(db) {
  const id = await deviceId(db);
  const session = new Session(db, null);
  const api = createApi({ getToken: () => session.token });
  session.api = api;
  await session.load();
  return { deviceId: id, session, api, syncer: new Syncer({ db, api, session, deviceId: id }) };
}

// --- Background Sync with no page --------------------------------------------------------------

/** Thrown to Background Sync so the browser tries again later (its contract: a rejected
 * waitUntil is retried, with backoff, a few times). */
export class SyncLater extends Error {
  constructor(message, error = null) {
    super(message);
    this.name = 'SyncLater';
    this.error = error;
  }
}

/** What a run's outcome means for a Background Sync event: 'done' (nothing more to do now),
 * 'stop' (nobody signed in, or the server refused the token: do nothing, and do not ask the
 * browser to retry, which would only be refused again) or 'retry' (no connection, a server
 * error, a file the server is still receiving, changes left waiting). `left`: changes still
 * waiting after the run. Pure. */
export function backgroundVerdict(outcome, left = 0) {
  if (outcome.ok) return outcome.busy || left > 0 ? 'retry' : 'done';
  if (outcome.error && (outcome.error.code === 'sign_in' || outcome.error.status === 401)) return 'stop';
  return 'retry';
}

/** One sync run by the service worker, for Background Sync when no page of the app is open:
 * the page's own Syncer (push in batches, attachments, forms, pull, pruning) under the same
 * Web Lock, with the session the page keeps in IndexedDB (session.js). Resolves with the
 * run's outcome when there is nothing more to do, including when nobody is signed in or the
 * token was refused (then, as the page does, the session is marked expired, so the next
 * opening asks for the password and later events do nothing); rejects with SyncLater when the
 * browser should try again later. The database is opened for this run only. */
export async function syncInBackground() {
  const db = await openDatabase();
  try {
    const { session, syncer } = await syncParts(db);
    if (!session.current || session.expired()) return { ok: false, error: { code: 'sign_in' } };
    let outcome;
    try {
      outcome = await syncer.run({ reason: 'background-sync' });
    } finally {
      syncer.stop(); // no retry timer: the browser may stop the worker at any moment; it retries
    }
    const refused = !outcome.ok && outcome.error && outcome.error.status === 401;
    if (refused) await session.markExpired();
    const left = outcome.ok ? waitingCount(await db.getAllFromIndex('outbox', 'by_user', session.username)) : 0;
    const verdict = backgroundVerdict(outcome, left);
    if (verdict === 'retry') {
      const why = outcome.ok ? (outcome.busy ? 'files the server is still receiving' : `${left} changes still waiting`)
        : (outcome.error && outcome.error.message) || 'sync failed';
      throw new SyncLater(`background sync: try again later (${why})`, outcome.error || null);
    }
    return outcome;
  } finally {
    db.close();
  }
}
