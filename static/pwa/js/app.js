// The field app's entry point: opens the device's database, restores the session, registers
// the service worker, routes (#/, #/draft/<id>, #/records, #/record/<id>, #/settings) and
// keeps sync going (on reconnect, on a timer, on Background Sync's ping, on "Sync now").

import { openDatabase, requestPersistence } from './db.js';
import { DEFAULT_IDLE_LOCK_MINUTES, IdleLock } from './idle.js';
import { syncDoneText, t as translate, LANGS } from './i18n.js';
import { Store } from './store.js';
import { syncParts } from './sync.js';
import { Shell } from './ui/shell.js';
import { renderHome } from './ui/home.js';
import { renderEditor } from './ui/editor.js';
import { renderFind, renderRecord, renderRecords } from './ui/records.js';
import { renderSettings } from './ui/settings.js';
import { renderLock, renderSignIn } from './ui/signin.js';

const UPDATE_CHECK_MS = 10 * 60 * 1000;

function defaultLanguage() {
  const nav = (globalThis.navigator && navigator.language) || 'en';
  return nav.toLowerCase().startsWith('km') ? 'km' : 'en';
}

class App {
  async start() {
    // another tab (an app update) wants a newer schema: the connection closes; reload to follow
    this.db = await openDatabase({ onVersionChange: () => location.reload() });
    this.lang = (await this.db.getMeta('language')) || defaultLanguage();
    if (!LANGS.includes(this.lang)) this.lang = 'en';
    ({ deviceId: this.deviceId, session: this.session, api: this.api, syncer: this.syncer } = await syncParts(this.db));
    // what the views read and write (they never touch this.db themselves)
    this.store = new Store({ db: this.db, session: this.session, api: this.api });
    this.shell = new Shell(this);
    this.cleanup = null;
    this.openDraftId = null;
    document.documentElement.lang = this.lang;

    this.syncer.addEventListener('change', () => this.shell.refreshStatus());
    this.syncer.addEventListener('failed', () => this.shell.refreshStatus());
    this.syncer.addEventListener('synced', (e) => {
      this.shell.refreshStatus();
      // a refusal in a sync the user did not start (after Submit, on reconnect, the timer):
      // say so at once ("Sync now" says what it did itself)
      const { reason, pushed } = e.detail || {};
      if (reason !== 'manual' && pushed && pushed.rejected > 0) {
        this.shell.notice(syncDoneText(this.lang, pushed), { error: true });
      }
      if (this.view && this.view.onSynced) this.view.onSynced(e.detail);
    });
    this.syncer.addEventListener('needs-sign-in', async () => {
      this.shell.refreshStatus();
      // the server no longer accepts the token (revoked, expired): sign in again, work kept
      if (this.syncer.lastError && this.syncer.lastError.status === 401 && this.session.current) {
        await this.session.markExpired();
        if (!this.openDraftId) await this.route();
      }
    });

    // signed in offline with no usable token (revoked at an online sign-out, or expired): once
    // online, ask for the password before anything is sent (unless a draft is open: the status
    // line says it then, and the next page asks)
    this.syncer.addEventListener('needs-sign-in', async () => {
      if (this.session.needsPasswordOnline() && navigator.onLine && !this.openDraftId && await this.serverAnswers()) {
        this.askPasswordOnline = true;
        await this.route();
      }
    });

    window.addEventListener('hashchange', () => this.route());
    window.addEventListener('online', () => {
      this.shell.refreshStatus();
      if (this.signedIn()) this.syncer.connectionBack();
    });
    window.addEventListener('offline', () => this.shell.refreshStatus());

    this.idle = new IdleLock({
      minutes: (await this.db.getMeta('idle_lock_minutes')) || DEFAULT_IDLE_LOCK_MINUTES,
      lock: () => this.lockWhenIdle(),
    });
    for (const type of ['pointerdown', 'keydown', 'input', 'wheel', 'touchstart']) {
      window.addEventListener(type, () => this.idle.touch(), { capture: true, passive: true });
    }
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.idle.check();
    });
    setInterval(() => this.idle.check(), 5000);

    await this.route();
    this.registerServiceWorker();
    this.persist();
    this.syncer.start();
    if (this.signedIn() && navigator.onLine) this.syncer.run({ reason: 'startup' });
  }

  t(key, params) { return translate(this.lang, key, params); }

  /** Does the server answer (not only "the browser thinks it is online")? */
  async serverAnswers() {
    try {
      return (await fetch('/healthz', { cache: 'no-store' })).ok;
    } catch {
      return false;
    }
  }

  /** The idle lock's action: only a signed-in user with a PIN, not already locked. */
  async lockWhenIdle() {
    if (!this.signedIn() || !(await this.session.hasPin()) || await this.session.isLocked()) return false;
    await this.session.lock();
    await this.route();
    return true;
  }

  async setIdleLockMinutes(minutes) {
    await this.db.setMeta('idle_lock_minutes', minutes);
    this.idle.setMinutes(minutes);
  }

  signedIn() { return this.session.active(); }

  async setLanguage(lang) {
    this.lang = lang;
    document.documentElement.lang = lang;
    await this.db.setMeta('language', lang);
    this.shell.render();
    if (this.view && this.view.setLang) this.view.setLang(lang);
    else await this.route();
  }

  navigate(hash) {
    if (location.hash === hash) this.route();
    else location.hash = hash;
  }

  async route() {
    if (this.cleanup) {
      const done = this.cleanup;
      this.cleanup = null;
      await done();
    }
    this.view = null;
    this.openDraftId = null;
    this.shell.render();
    const main = this.shell.main;
    if (!this.session.active()) {
      this.view = await renderSignIn(this, main, { expired: Boolean(this.session.current) });
      return;
    }
    if (this.askPasswordOnline && this.session.needsPasswordOnline()) {
      // signed in offline without a usable token, and the server answers: a real token before syncing
      this.askPasswordOnline = false;
      this.view = await renderSignIn(this, main, { username: this.session.username, message: this.t('sign_in_online_again'), notice: true });
      return;
    }
    if (await this.session.isLocked()) {
      this.view = await renderLock(this, main);
      return;
    }
    const [, name, arg] = (location.hash.replace(/^#\/?/, '').match(/^([^/]*)\/?(.*)$/) || []);
    let view;
    if (name === 'draft' && arg) view = await renderEditor(this, main, decodeURIComponent(arg));
    else if (name === 'records') view = await renderRecords(this, main);
    else if (name === 'record' && arg) view = await renderRecord(this, main, decodeURIComponent(arg));
    else if (name === 'find') view = await renderFind(this, main);
    else if (name === 'settings') view = await renderSettings(this, main);
    else view = await renderHome(this, main);
    this.view = view || null;
    this.cleanup = view && view.destroy ? () => view.destroy() : null;
    this.shell.refreshStatus();
  }

  /** A new draft (a new record, or a correction or follow-up of one: see drafts.js newDraft),
   * opened in the editor; saved on the device at the first answer typed. */
  async startDraft(form, options = {}) {
    const draft = await this.store.createDraft(form, options);
    // kept in memory until something is typed: opening a form and going back leaves nothing
    this.newDraft = draft;
    this.navigate(`#/draft/${encodeURIComponent(draft.draft_id)}`);
    return draft;
  }

  /** After sign-in or unlock. */
  async signedInNow() {
    await this.route();
    if (navigator.onLine) this.syncer.connectionBack();
  }

  async persist() {
    let answer = await this.db.getMeta('persisted');
    if (answer !== true) {
      answer = await requestPersistence();
      await this.db.setMeta('persisted', answer);
    }
    this.persisted = answer;
  }

  /** Ask for a Background Sync; where the browser has none, the online event and the timer do. */
  async requestBackgroundSync() {
    try {
      const reg = await navigator.serviceWorker?.ready;
      if (reg && reg.sync) await reg.sync.register('homeward-sync');
    } catch {
      // not supported or not allowed: the other triggers cover it
    }
  }

  registerServiceWorker() {
    if (!('serviceWorker' in navigator)) return;
    navigator.serviceWorker.addEventListener('message', (event) => {
      if (event.data && event.data.type === 'sync' && this.signedIn()) this.syncer.run({ reason: 'background-sync' });
    });
    let reloading = false;
    navigator.serviceWorker.addEventListener('controllerchange', () => {
      if (this.reloadOnActivate && !reloading) {
        reloading = true;
        location.reload();
      }
    });
    // a module worker: it imports the app's sync modules to sync with no page open.
    // updateViaCache 'none': an update fetches those modules past the HTTP cache too
    navigator.serviceWorker.register('/sw.js', { type: 'module', updateViaCache: 'none' }).then((reg) => {
      this.registration = reg;
      const watch = (worker) => {
        if (!worker) return;
        worker.addEventListener('statechange', () => {
          if (worker.state === 'installed' && navigator.serviceWorker.controller) this.updateReady();
        });
      };
      if (reg.waiting && navigator.serviceWorker.controller) this.updateReady();
      reg.addEventListener('updatefound', () => watch(reg.installing));
      // look for a new version after a sync, at most every UPDATE_CHECK_MS: the browser itself
      // looks at each navigation (this page's load counts), and for a module worker a look that
      // finds nothing new costs a request per imported module (and can swallow a check asked
      // for meanwhile: the browser merges update calls while one runs)
      let lastCheck = Date.now();
      this.syncer.addEventListener('synced', () => {
        if (Date.now() - lastCheck < UPDATE_CHECK_MS) return;
        lastCheck = Date.now();
        reg.update().catch(() => {});
      });
    }).catch(() => {
      // no service worker (private mode, an old browser): the app still works online
    });
  }

  /** A new version is installed and waiting. Activate it now only when no draft is open;
   * otherwise wait for the user. Either way IndexedDB is untouched. */
  updateReady() {
    this.shell.showUpdate();
    if (!this.openDraftId) this.activateUpdate(false);
  }

  activateUpdate(reload) {
    const waiting = this.registration && this.registration.waiting;
    this.reloadOnActivate = reload;
    if (waiting) waiting.postMessage({ type: 'skip-waiting' });
    else if (reload) location.reload();
  }
}

const app = new App();
globalThis.homeward = app; // for the console and the tests
app.start().catch((err) => {
  document.body.textContent = `Homeward could not start: ${err && err.message}`;
  throw err;
});
