// Who is using the app: the device's id, sign-in (one online sign-in lasts for the token's
// life), sign-in again with no signal for a user who signed in online on this device before,
// sign-out (never discards unsent work), and the PIN lock. The PIN is set online and kept only
// as a PBKDF2 hash, so the app can be unlocked with no signal.
//
// Offline sign-in: each online sign-in keeps, per user, `verifier:<username>` in `meta`: a
// random 16-byte salt, PBKDF2-SHA-256(password, salt, PASSWORD_ITERATIONS) of 64 bytes, of which
// the first 32 are the verifier (compared in constant time) and the last 32 an AES-GCM key that
// seals the session's token. Signed out offline (the token could not be revoked), the same user
// signs in again with no signal: the password opens the sealed token, and the queued work goes
// with it once online; a token revoked or expired meanwhile makes the app ask for the password
// online. The password itself is never stored.

import { ApiFailure } from './api.js';
import { request } from './db.js';
import { newUuid } from './uuid.js';

export { newUuid };

export const PIN_ITERATIONS = 150000;
export const PASSWORD_ITERATIONS = 310000;
export const PIN_MAX_TRIES = 5;
const PIN_PATTERN = /^[0-9]{4,8}$/;

export const validPin = (pin) => typeof pin === 'string' && PIN_PATTERN.test(pin);

const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
const unhex = (s) => new Uint8Array(s.match(/../g).map((h) => parseInt(h, 16)));

/** PBKDF2-SHA-256 of a PIN: hex of 32 bytes. */
export async function hashPin(pin, saltHex, iterations = PIN_ITERATIONS, subtle = globalThis.crypto.subtle) {
  const key = await subtle.importKey('raw', new TextEncoder().encode(pin), 'PBKDF2', false, ['deriveBits']);
  const bits = await subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: unhex(saltHex), iterations }, key, 256);
  return hex(bits);
}

export function newSalt() {
  const salt = new Uint8Array(16);
  globalThis.crypto.getRandomValues(salt);
  return hex(salt);
}

/** Compare two hex strings without an early exit. */
export function sameHash(a, b) {
  if (typeof a !== 'string' || typeof b !== 'string' || a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i += 1) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** PBKDF2-SHA-256 of a password: {verifier: hex of 32 bytes, key: an AES-GCM key from the next
 * 32 bytes (not extractable)}. */
export async function passwordSecrets(password, saltHex, iterations = PASSWORD_ITERATIONS, subtle = globalThis.crypto.subtle) {
  const base = await subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = new Uint8Array(await subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: unhex(saltHex), iterations }, base, 512));
  const key = await subtle.importKey('raw', bits.slice(32), 'AES-GCM', false, ['encrypt', 'decrypt']);
  return { verifier: hex(bits.slice(0, 32)), key };
}

async function seal(key, value, subtle = globalThis.crypto.subtle) {
  const iv = new Uint8Array(12);
  globalThis.crypto.getRandomValues(iv);
  const data = await subtle.encrypt({ name: 'AES-GCM', iv }, key, new TextEncoder().encode(JSON.stringify(value)));
  return { iv: hex(iv), data: hex(data) };
}

async function unseal(key, sealed, subtle = globalThis.crypto.subtle) {
  if (!sealed) return null;
  try {
    const data = await subtle.decrypt({ name: 'AES-GCM', iv: unhex(sealed.iv) }, key, unhex(sealed.data));
    return JSON.parse(new TextDecoder().decode(data));
  } catch {
    return null;
  }
}

/** Why an offline sign-in failed: 'unknown_user' (never signed in on this device) or
 * 'wrong_password'. */
export class OfflineSignInRefused extends Error {
  constructor(reason) {
    super(reason);
    this.reason = reason;
  }
}

/** The device's id: a UUID made once and kept. */
export async function deviceId(db) {
  let id = await db.getMeta('device_id');
  if (!id) {
    id = newUuid();
    await db.setMeta('device_id', id);
  }
  return id;
}

export class Session {
  constructor(db, api) {
    this.db = db;
    this.api = api;
    this.current = null; // {username, token, expires_at, user}
  }

  async load() {
    this.current = await this.db.getMeta('session');
    return this.current;
  }

  get username() { return this.current ? this.current.username : null; }
  get token() { return this.current ? this.current.token : null; }

  /** The token cannot be used (none, its life over, or refused by the server). */
  expired(now = Date.now()) {
    return !this.current || !this.current.token || !(Date.parse(this.current.expires_at) > now);
  }

  /** Someone is signed in: with a usable token, or offline with their password (the work
   * waits for a token). */
  active(now = Date.now()) {
    return Boolean(this.current) && (this.current.offline === true || !this.expired(now));
  }

  /** Signed in offline and the token is not usable: the password is needed online. */
  needsPasswordOnline(now = Date.now()) {
    return Boolean(this.current && this.current.offline === true && this.expired(now));
  }

  async signIn(username, password) {
    const id = await deviceId(this.db);
    const answer = await this.api.signIn(username.trim(), password, id);
    const current = {
      username: answer.user.username,
      token: answer.access_token,
      expires_at: answer.expires_at,
      user: answer.user,
      signed_in_at: new Date().toISOString(),
    };
    await this.rememberPassword(current, password);
    await this.db.deleteMeta(`offline_failures:${current.username}`);
    await this.db.setMeta('session', current);
    await this.db.deleteMeta('locked');
    await this.db.deleteMeta(`pin_failures:${current.username}`);
    this.current = current;
    return current;
  }

  /** Keep what lets this user sign in again offline: a fresh salt, the verifier, and the
   * token sealed under the password's key. */
  async rememberPassword(current, password) {
    const salt = newSalt();
    const { verifier, key } = await passwordSecrets(password, salt);
    await this.db.setMeta(`verifier:${current.username}`, {
      salt, hash: verifier, iterations: PASSWORD_ITERATIONS, user: current.user, set_at: new Date().toISOString(),
      sealed: await seal(key, { token: current.token, expires_at: current.expires_at }),
    });
  }

  /** Has this user signed in online on this device before? */
  async knowsUser(username) {
    return Boolean(username && await this.db.getMeta(`verifier:${username.trim()}`));
  }

  /** Sign in with no signal, as a user who signed in online on this device before: the
   * password checked against the stored verifier (constant time), the sealed token reopened
   * (null when it was revoked at an online sign-out). Throws OfflineSignInRefused. */
  async signInOffline(username, password) {
    const name = username.trim();
    const stored = await this.db.getMeta(`verifier:${name}`);
    if (!stored) throw new OfflineSignInRefused('unknown_user');
    const { verifier, key } = await passwordSecrets(password, stored.salt, stored.iterations);
    if (!sameHash(verifier, stored.hash)) {
      // as the PIN: after PIN_MAX_TRIES wrong passwords offline, only an online sign-in will do
      const failures = (await this.db.getMeta(`offline_failures:${name}`, 0)) + 1;
      if (failures >= PIN_MAX_TRIES) {
        await this.db.deleteMeta(`verifier:${name}`);
        await this.db.deleteMeta(`offline_failures:${name}`);
        throw new OfflineSignInRefused('too_many');
      }
      await this.db.setMeta(`offline_failures:${name}`, failures);
      throw new OfflineSignInRefused('wrong_password');
    }
    await this.db.deleteMeta(`offline_failures:${name}`);
    const token = await unseal(key, stored.sealed);
    const current = {
      username: name,
      token: token ? token.token : null,
      expires_at: token ? token.expires_at : new Date(0).toISOString(),
      user: stored.user,
      signed_in_at: new Date().toISOString(),
      offline: true,
    };
    await this.db.setMeta('session', current);
    await this.db.deleteMeta('locked');
    await this.db.deleteMeta(`pin_failures:${name}`);
    this.current = current;
    return current;
  }

  /** The server refused the token: keep who it was (to fill the sign-in form), not the token's
   * life. Only the session of the refused token is touched: a sign-in made meanwhile in another
   * context (a tab, while the service worker synced) stays. */
  async markExpired() {
    if (!this.current) return;
    const refused = this.current.token;
    this.current = { ...this.current, expires_at: new Date(0).toISOString(), offline: false };
    const expired = this.current;
    await this.db.tx('meta', 'readwrite', async (s) => {
      const stored = await request(s.meta.get('session'));
      if (stored && stored.value && stored.value.token === refused) await request(s.meta.put({ key: 'session', value: expired }));
    });
  }

  /** Work that would be lost if it were discarded: drafts and changes not yet uploaded. */
  async unsent(username = this.username) {
    if (!username) return 0;
    const drafts = await this.db.getAllFromIndex('drafts', 'by_user', username);
    const items = await this.db.getAllFromIndex('outbox', 'by_user', username);
    return drafts.length + items.filter((i) => i.state === 'waiting' || i.state === 'rejected').length;
  }

  /** Sign out: revoke the token when there is a connection; keep every draft and queued change
   * (keyed by username) for the next sign-in. Revoked, the token leaves the sealed copy too (an
   * offline sign-in then needs the password online before anything is sent); not revoked (no
   * connection), the sealed copy stays for an offline sign-in of the same user. */
  async signOut() {
    if (this.current) {
      let revoked = false;
      try {
        if (this.current.token) {
          await this.api.revoke();
          revoked = true;
        }
      } catch (err) { if (!(err instanceof ApiFailure)) throw err; }
      const key = `verifier:${this.current.username}`;
      const stored = await this.db.getMeta(key);
      if (revoked && stored) await this.db.setMeta(key, { ...stored, sealed: null });
    }
    await this.db.deleteMeta('session');
    await this.db.deleteMeta('locked');
    this.current = null;
  }

  // --- PIN lock --------------------------------------------------------------------------------

  async hasPin(username = this.username) {
    return Boolean(username && await this.db.getMeta(`pin:${username}`));
  }

  /** Set the PIN: only with a connection and a token the server still accepts. */
  async setPin(pin) {
    if (!validPin(pin)) throw new Error('pin_invalid');
    await this.api.me(); // throws ApiFailure offline or when the token is no longer valid
    const salt = newSalt();
    const hash = await hashPin(pin, salt);
    await this.db.setMeta(`pin:${this.username}`, { salt, hash, iterations: PIN_ITERATIONS, set_at: new Date().toISOString() });
    await this.db.deleteMeta(`pin_failures:${this.username}`);
  }

  async isLocked() {
    return Boolean(await this.db.getMeta('locked'));
  }

  async lock() {
    if (!this.current) return;
    await this.db.setMeta('locked', { username: this.username, at: new Date().toISOString() });
  }

  /** {ok: true} or {ok: false, left}; after PIN_MAX_TRIES wrong PINs the PIN is wiped and
   * only a password sign-in unlocks. */
  async unlockWithPin(pin) {
    const username = this.username;
    const stored = await this.db.getMeta(`pin:${username}`);
    if (!stored) return { ok: false, left: 0 };
    const hash = await hashPin(String(pin), stored.salt, stored.iterations);
    if (sameHash(hash, stored.hash)) {
      await this.db.deleteMeta('locked');
      await this.db.deleteMeta(`pin_failures:${username}`);
      return { ok: true };
    }
    const failures = (await this.db.getMeta(`pin_failures:${username}`, 0)) + 1;
    if (failures >= PIN_MAX_TRIES) {
      await this.db.deleteMeta(`pin:${username}`);
      await this.db.deleteMeta(`pin_failures:${username}`);
      return { ok: false, left: 0 };
    }
    await this.db.setMeta(`pin_failures:${username}`, failures);
    return { ok: false, left: PIN_MAX_TRIES - failures };
  }
}
