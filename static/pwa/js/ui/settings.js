// Settings: language, the PIN (set online), storage protection, device, sign-out (which warns
// about unsent work and keeps it for the next sign-in of the same user).

import { ApiFailure } from '../api.js';
import { formatBytes } from '../i18n.js';
import { IDLE_LOCK_CHOICES } from '../idle.js';
import { DAY_MS } from '../retention.js';
import { validPin } from '../session.js';
import { h, replace } from './dom.js';

export async function renderSettings(app, main) {
  const view = { setLang: () => draw() };
  async function draw() {
    const t = (k, p) => app.t(k, p);
    const hasPin = await app.session.hasPin();
    const estimate = await app.store.storageEstimate();
    const persisted = app.persisted;
    const pruned = await app.store.prunedAttachments();

    const pinMessage = h('p', { role: 'alert', class: 'hint', hidden: true });
    const pin1 = h('input', { id: 'pin-new', type: 'password', inputmode: 'numeric', autocomplete: 'off', maxlength: 8 });
    const pin2 = h('input', { id: 'pin-repeat', type: 'password', inputmode: 'numeric', autocomplete: 'off', maxlength: 8 });
    const pinForm = h('form', { class: 'card', onsubmit: setPin },
      h('h2', {}, t('pin')),
      h('p', {}, hasPin ? t('pin_set') : t('pin_not_set')),
      h('label', { for: 'pin-new' }, t('pin_new')), pin1,
      h('label', { for: 'pin-repeat' }, t('pin_repeat')), pin2,
      pinMessage,
      h('button', { type: 'submit' }, t('set_pin')),
      hasPin ? h('button', { type: 'button', onclick: async () => { await app.session.lock(); await app.route(); } }, t('lock_app')) : null,
      h('label', { for: 'idle-lock' }, t('idle_lock')),
      h('select', { id: 'idle-lock', onchange: (e) => app.setIdleLockMinutes(Number(e.target.value)) },
        ...IDLE_LOCK_CHOICES.map((n) => h('option', { value: String(n), selected: n === app.idle.minutes }, t('minutes_n', { n })))),
      h('p', { class: 'hint' }, hasPin ? t('idle_lock_on') : t('idle_lock_needs_pin')),
    );

    async function setPin(event) {
      event.preventDefault();
      pinMessage.hidden = false;
      if (!validPin(pin1.value)) { pinMessage.textContent = t('pin_invalid'); return; }
      if (pin1.value !== pin2.value) { pinMessage.textContent = t('pin_mismatch'); return; }
      try {
        await app.session.setPin(pin1.value);
        await draw();
        app.shell.notice(t('pin_set'));
      } catch (err) {
        if (!(err instanceof ApiFailure)) throw err;
        pinMessage.textContent = err.network ? t('pin_needs_online') : t('sync_sign_in');
      }
    }

    const storageText = persisted === true ? t('storage_persisted') : persisted === false ? t('storage_not_persisted') : t('storage_unknown');
    const signOutArea = h('div', { class: 'sign-out' },
      h('button', { type: 'button', class: 'danger', onclick: signOut }, t('sign_out')));

    async function signOut() {
      const n = await app.session.unsent();
      if (n > 0) {
        replace(signOutArea,
          h('p', { class: 'card warning', role: 'alert' }, t('sign_out_warn', { n, username: app.session.username })),
          h('button', { type: 'button', class: 'danger', onclick: reallySignOut }, t('sign_out')),
          h('button', { type: 'button', onclick: () => draw() }, t('back')));
        return;
      }
      await reallySignOut();
    }
    async function reallySignOut() {
      const kept = await app.session.unsent();
      await app.session.signOut();
      if (kept) app.shell.notice(t('signed_out_kept'));
      app.navigate('#/');
      await app.route();
    }

    replace(main,
      h('h1', {}, t('settings')),
      h('p', {}, t('signed_in_as', { username: app.session.username })),
      h('section', { class: 'card' },
        h('h2', {}, t('language')),
        h('div', { class: 'choices' },
          h('button', { type: 'button', lang: 'km', 'aria-pressed': String(app.lang === 'km'), onclick: () => app.setLanguage('km') }, 'ខ្មែរ'),
          h('button', { type: 'button', lang: 'en', 'aria-pressed': String(app.lang === 'en'), onclick: () => app.setLanguage('en') }, 'English'))),
      pinForm,
      h('section', { class: 'card' },
        h('h2', {}, t('storage')),
        h('p', { id: 'storage-persisted', dataset: { persisted: String(persisted) } }, storageText),
        estimate ? h('p', {}, t('storage_usage', { used: formatBytes(estimate.usage || 0, app.lang), quota: formatBytes(estimate.quota || 0, app.lang) })) : null,
        h('p', { id: 'attachments-retention' }, t('attachments_retention', { days: Math.round(app.syncer.retentionMs / DAY_MS) })),
        pruned ? h('p', { id: 'attachments-pruned' }, t('attachments_pruned', { n: pruned })) : null,
        h('p', { class: 'meta' }, t('device_id', { id: app.deviceId }))),
      signOutArea,
    );
  }
  await draw();
  return view;
}
