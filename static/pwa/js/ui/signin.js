// The sign-in form (labelled Username, Password, button Sign in) and the PIN lock screen.

import { ApiFailure } from '../api.js';
import { OfflineSignInRefused } from '../session.js';
import { h, replace } from './dom.js';

export async function renderSignIn(app, main, { expired = false, username = '', message = '', notice = false } = {}) {
  const t = (k, p) => app.t(k, p);
  const error = h('p', { class: notice ? 'card warning' : 'error', role: 'alert', hidden: !message }, message);
  const user = h('input', {
    id: 'username', name: 'username', autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false', required: true,
    value: username || (app.session.current ? app.session.current.username : ''),
  });
  const pass = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const button = h('button', { type: 'submit', class: 'primary' }, t('sign_in'));
  const form = h('form', { class: 'card narrow', onsubmit: submit },
    h('h1', {}, t('sign_in_title')),
    h('p', {}, expired ? t('session_expired') : t('sign_in_intro')),
    h('label', { for: 'username' }, t('username')), user,
    h('label', { for: 'password' }, t('password')), pass,
    error,
    button,
  );
  replace(main, form);
  (user.value ? pass : user).focus();

  async function submit(event) {
    event.preventDefault();
    error.hidden = true;
    button.disabled = true;
    button.textContent = t('signing_in');
    try {
      try {
        await app.session.signIn(user.value, pass.value);
      } catch (err) {
        // no connection: a user who signed in here before signs in with their password
        if (!(err instanceof ApiFailure && err.network)) throw err;
        await app.session.signInOffline(user.value, pass.value);
        app.shell.notice(t('signed_in_offline'));
      }
      pass.value = '';
      await app.signedInNow();
    } catch (err) {
      if (!(err instanceof ApiFailure || err instanceof OfflineSignInRefused)) throw err;
      error.className = 'error';
      let text;
      if (err instanceof OfflineSignInRefused) {
        text = err.reason === 'unknown_user' ? t('sign_in_offline', { username: user.value.trim() })
          : err.reason === 'too_many' ? t('sign_in_offline_too_many') : t('sign_in_failed');
      } else if (err.status === 401) text = t('sign_in_failed');
      else if (err.status === 429) text = t('sign_in_wait', { seconds: err.retryAfter || 60 });
      else text = t('sign_in_error', { message: err.message });
      error.textContent = text;
      error.hidden = false;
      button.disabled = false;
      button.textContent = t('sign_in');
    }
  }
  return {};
}

export async function renderLock(app, main) {
  const t = (k, p) => app.t(k, p);
  const username = app.session.username;
  if (!(await app.session.hasPin())) {
    // no PIN (wiped after too many tries): only the password unlocks
    return renderSignIn(app, main, { username });
  }
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const pin = h('input', { id: 'pin', name: 'pin', type: 'password', inputmode: 'numeric', autocomplete: 'off', pattern: '[0-9]*', maxlength: 8, required: true });
  const form = h('form', { class: 'card narrow', onsubmit: submit },
    h('h1', {}, t('locked_title')),
    h('p', {}, t('signed_in_as', { username })),
    h('p', {}, t('locked_intro')),
    h('label', { for: 'pin' }, t('pin')), pin,
    error,
    h('button', { type: 'submit', class: 'primary' }, t('unlock')),
    h('button', { type: 'button', class: 'link', onclick: () => renderSignIn(app, main, { username }) }, t('unlock_password')),
  );
  replace(main, form);
  pin.focus();

  async function submit(event) {
    event.preventDefault();
    const answer = await app.session.unlockWithPin(pin.value);
    pin.value = '';
    if (answer.ok) {
      await app.route();
      return;
    }
    error.hidden = false;
    error.textContent = answer.left > 0 ? t('unlock_wrong', { left: answer.left }) : t('unlock_too_many');
    if (answer.left === 0) renderSignIn(app, main, { username, message: t('unlock_too_many') });
  }
  return {};
}
