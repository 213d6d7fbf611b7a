// The only module that opens IndexedDB: a thin promise wrapper in the manner of idb. Writes
// resolve when their transaction commits (tx.oncomplete), so "saved" means on disk. Never
// await a fetch inside a transaction: callers read, then talk to the network, then write.
//
// Stores (keys):
//   forms        [form_id, version] -> {form_id, version, title, hash, schema}
//   records      key "username|record_id" -> a pull entry + {key, username}     (index by_user)
//   drafts       draft_id -> {draft_id, username, record_id, form_id, form_version, base_rev, base_data, data, clashes, …}
//   outbox       change_id -> an outbox item (js/outbox.js)                    (index by_user)
//   attachments  sha256 -> {sha256, blob, content_type, size, state, username, created_at}
//   meta         key -> {key, value}: device_id, language, session, cursor:<user>, …

export const DB_NAME = 'homeward';
export const DB_VERSION = 1;

function upgrade(db, oldVersion) {
  if (oldVersion < 1) {
    db.createObjectStore('forms', { keyPath: ['form_id', 'version'] });
    const records = db.createObjectStore('records', { keyPath: 'key' });
    records.createIndex('by_user', 'username');
    records.createIndex('by_user_form', ['username', 'form_id']);
    db.createObjectStore('drafts', { keyPath: 'draft_id' }).createIndex('by_user', 'username');
    const outbox = db.createObjectStore('outbox', { keyPath: 'change_id' });
    outbox.createIndex('by_user', 'username');
    outbox.createIndex('by_state', 'state');
    db.createObjectStore('attachments', { keyPath: 'sha256' }).createIndex('by_state', 'state');
    db.createObjectStore('meta', { keyPath: 'key' });
  }
}

export const request = (req) => new Promise((resolve, reject) => {
  req.onsuccess = () => resolve(req.result);
  req.onerror = () => reject(req.error);
});

const committed = (tx) => new Promise((resolve, reject) => {
  tx.oncomplete = () => resolve();
  tx.onerror = () => reject(tx.error);
  tx.onabort = () => reject(tx.error || new DOMException('Transaction aborted', 'AbortError'));
});

export class Database {
  /** `onVersionChange` runs after the connection closed because another context (an app
   * update in a tab) wants a newer schema: the page reloads to follow; the service worker,
   * which opens the database for one sync at a time, needs nothing more. */
  constructor(idb, { onVersionChange = () => {} } = {}) {
    this.idb = idb;
    idb.onversionchange = () => { idb.close(); onVersionChange(); };
  }

  /** Run fn(stores) in one transaction; resolves with fn's result once it commits. */
  async tx(names, mode, fn) {
    const list = Array.isArray(names) ? names : [names];
    const tx = this.idb.transaction(list, mode);
    const done = committed(tx);
    const stores = Object.fromEntries(list.map((n) => [n, tx.objectStore(n)]));
    let result;
    try {
      result = await fn(stores, tx);
    } catch (err) {
      try { tx.abort(); } catch { /* already finished */ }
      await done.catch(() => {});
      throw err;
    }
    await done;
    return result;
  }

  get(store, key) {
    return this.tx(store, 'readonly', (s) => request(s[store].get(key)));
  }

  getAll(store, query) {
    return this.tx(store, 'readonly', (s) => request(s[store].getAll(query)));
  }

  getAllFromIndex(store, index, query) {
    return this.tx(store, 'readonly', (s) => request(s[store].index(index).getAll(query)));
  }

  countFromIndex(store, index, query) {
    return this.tx(store, 'readonly', (s) => request(s[store].index(index).count(query)));
  }

  put(store, value) {
    return this.tx(store, 'readwrite', (s) => request(s[store].put(value)));
  }

  putMany(store, values) {
    return this.tx(store, 'readwrite', (s) => Promise.all(values.map((v) => request(s[store].put(v)))));
  }

  delete(store, key) {
    return this.tx(store, 'readwrite', (s) => request(s[store].delete(key)));
  }

  async getMeta(key, fallback = null) {
    const row = await this.get('meta', key);
    return row === undefined ? fallback : row.value;
  }

  setMeta(key, value) {
    return this.put('meta', { key, value });
  }

  deleteMeta(key) {
    return this.delete('meta', key);
  }

  close() {
    this.idb.close();
  }
}

/** Open (and create or upgrade) the database. No DOM: the page and the service worker both
 * open it (the page passes `onVersionChange` to reload, see Database). */
export function openDatabase({ name = DB_NAME, factory = globalThis.indexedDB, onVersionChange } = {}) {
  return new Promise((resolve, reject) => {
    const req = factory.open(name, DB_VERSION);
    req.onupgradeneeded = (event) => upgrade(req.result, event.oldVersion);
    req.onsuccess = () => resolve(new Database(req.result, { onVersionChange }));
    req.onerror = () => reject(req.error);
    // onblocked: an older tab holds the database; it closes on versionchange and we proceed
  });
}

/** Ask the browser not to evict our data; returns true, false or null (no API). */
export async function requestPersistence(storage = globalThis.navigator && navigator.storage) {
  if (!storage || !storage.persist) return null;
  try {
    if (storage.persisted && await storage.persisted()) return true;
    return await storage.persist();
  } catch {
    return null;
  }
}

export async function storageEstimate(storage = globalThis.navigator && navigator.storage) {
  if (!storage || !storage.estimate) return null;
  try { return await storage.estimate(); } catch { return null; }
}
