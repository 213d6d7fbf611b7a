// The frame around every view: the top bar (home, language, Sync now, records, settings, lock),
// the status region (how many submissions wait, when the last sync succeeded), the update
// notice and short messages.

import { attentionText, formatDateTime, syncDoneText, waitingText } from '../i18n.js';
import { h, replace } from './dom.js';

export class Shell {
  constructor(app) {
    this.app = app;
    this.bar = document.getElementById('bar');
    this.statusEl = document.getElementById('status');
    this.main = document.getElementById('main');
    this.updateEl = document.getElementById('update');
    this.noticeEl = document.getElementById('notice');
    this.updateShown = false;
    this.noticeTimer = null;
    this.attention = { count: 0, first: null }; // counted again whenever no sync runs
    setInterval(() => this.refreshStatus(), 60000);
  }

  render() {
    const { app } = this;
    const t = (k, p) => app.t(k, p);
    const signedIn = app.signedIn();
    const online = navigator.onLine;
    const labels = (long, short) => [h('span', { class: 'long', 'aria-hidden': 'true' }, t(long)), h('span', { class: 'short', 'aria-hidden': 'true' }, t(short))];
    replace(this.bar,
      h('a', { class: 'brand', href: '#/' }, h('img', { src: '/icon.svg', alt: '', width: 32, height: 32 }), h('span', {}, t('app_name'))),
      h('span', { class: `net ${online ? 'on' : 'off'}`, id: 'net' }, online ? t('online') : t('offline')),
      // who is signed in, always in sight (a shared tablet)
      signedIn && h('span', { class: 'who', id: 'signed-in-as', title: t('signed_in_as', { username: app.session.username }) },
        h('span', { class: 'visually-hidden' }, t('signed_in_as', { username: '' })), app.session.username),
      h('button', { type: 'button', class: 'lang', lang: app.lang === 'en' ? 'km' : 'en', 'aria-label': t('language_switch'), onclick: () => app.setLanguage(app.lang === 'en' ? 'km' : 'en') }, labels('language_switch', 'language_short')),
      h('nav', { class: 'actions', 'aria-label': t('menu') },
        // each action's name is its full label; a phone shows a shorter one (a part of it), on
        // one line: the header stays one row of actions, and no Khmer word is cut
        signedIn && h('button', { type: 'button', class: 'sync', id: 'sync-now', 'aria-label': t('sync_now'), onclick: () => this.syncNow() }, labels('sync_now', 'sync_short')),
        signedIn && h('a', { class: 'button', href: '#/records', 'aria-label': t('records') }, labels('records', 'records_short')),
        signedIn && h('a', { class: 'button', href: '#/settings', 'aria-label': t('settings') }, labels('settings', 'settings_short')),
        signedIn && h('button', { type: 'button', 'aria-label': t('lock'), onclick: () => this.lock() }, labels('lock', 'lock')),
      ),
    );
    this.statusEl.setAttribute('aria-label', t('status_region'));
    if (this.updateShown) this.showUpdate();
    this.refreshStatus();
  }

  async syncNow() {
    const result = await this.app.syncer.run({ reason: 'manual' });
    if (result && result.ok) this.notice(syncDoneText(this.app.lang, result.pushed), { error: result.pushed?.rejected > 0 });
  }

  async lock() {
    const { app } = this;
    if (!(await app.session.hasPin())) {
      this.notice(app.t('pin_not_set'));
      app.navigate('#/settings');
      return;
    }
    await app.session.lock();
    await app.route();
  }

  async refreshStatus() {
    const { app } = this;
    const t = (k, p) => app.t(k, p);
    const net = document.getElementById('net');
    if (net) {
      net.className = `net ${navigator.onLine ? 'on' : 'off'}`;
      net.textContent = navigator.onLine ? t('online') : t('offline');
    }
    const syncButton = document.getElementById('sync-now');
    if (!app.session.current) {
      replace(this.statusEl);
      return;
    }
    const s = await app.syncer.status();
    if (syncButton) {
      syncButton.disabled = s.running;
      syncButton.setAttribute('aria-busy', s.running ? 'true' : 'false');
    }
    const lines = [
      h('span', { class: 'waiting', dataset: { count: String(s.waiting) } }, waitingText(app.lang, s.waiting)),
      ' ',
      h('span', { class: 'last-sync' }, s.lastSync ? t('last_sync', { when: formatDateTime(s.lastSync, app.lang) }) : t('never_synced')),
    ];
    // records refused by the server (or returned, in conflict): how many, and a way to them
    if (!s.running) this.attention = await app.store.attention();
    const { count, first } = this.attention;
    if (count) {
      lines.push(' ', h('a', {
        class: 'attention-link', id: 'status-attention', dataset: { count: String(count) },
        href: count === 1 && first ? `#/record/${encodeURIComponent(first)}` : '#/records',
      }, attentionText(app.lang, count)));
    }
    if (s.running) lines.push(' ', h('span', { class: 'syncing' }, t('syncing')));
    else if (s.error) {
      const reason = s.error.code === 'sign_in' || s.error.status === 401 ? t('sync_sign_in')
        : t('sync_failed', { message: s.error.network ? t('network_error') : t('server_error', { status: s.error.status }) });
      lines.push(' ', h('span', { class: 'sync-error' }, reason));
      if (s.nextAt) lines.push(' ', h('span', {}, t('sync_retry_at', { when: formatDateTime(s.nextAt, app.lang) })));
    }
    replace(this.statusEl, ...lines);
  }

  showUpdate() {
    const { app } = this;
    this.updateShown = true;
    this.updateEl.hidden = false;
    replace(this.updateEl,
      h('span', {}, app.t('update_ready')),
      h('button', { type: 'button', class: 'primary', onclick: () => app.activateUpdate(true) }, app.t('update_reload')),
    );
  }

  /** A short message, spoken politely, gone after a while. */
  notice(text, { error = false } = {}) {
    this.noticeEl.className = error ? 'notice error' : 'notice';
    this.noticeEl.textContent = text;
    this.noticeEl.hidden = false;
    clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => { this.noticeEl.hidden = true; }, 6000);
  }
}
