// Who is using the app: the device's id, sign-in (one online sign-in lasts for the token's
// life), sign-out (never discards unsent work), and the PIN lock. The PIN is set online and
// kept only as a PBKDF2 hash, so the app can be unlocked with no signal.

import { ApiFailure } from './api.js';
import { request } from './db.js';
import { newUuid } from './uuid.js';

export { newUuid };

export const PIN_ITERATIONS = 150000;
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

  expired(now = Date.now()) {
    return !this.current || Date.parse(this.current.expires_at) <= now;
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
    await this.db.setMeta('session', current);
    await this.db.deleteMeta('locked');
    await this.db.deleteMeta(`pin_failures:${current.username}`);
    this.current = current;
    return current;
  }

  /** The server refused the token: keep who it was (to fill the sign-in form), not the token's
   * life. Only the session of the refused token is touched: a sign-in made meanwhile in another
   * context (a tab, while the service worker synced) stays. */
  async markExpired() {
    if (!this.current) return;
    const refused = this.current.token;
    this.current = { ...this.current, expires_at: new Date(0).toISOString() };
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
   * (keyed by username) for the next sign-in. */
  async signOut() {
    if (this.current) {
      try { await this.api.revoke(); } catch (err) { if (!(err instanceof ApiFailure)) throw err; }
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
