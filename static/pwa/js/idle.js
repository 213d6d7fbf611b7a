// The app locks itself after a while with no touch or key, where a PIN is set (unlocking with
// no signal needs the PIN): a tablet left on a table in a village shows no child's case.
// Nothing is lost: a draft is saved at every change, and unlocking returns to the same place.
// Pure: the clock and the lock are given, so the tests drive it.

export const IDLE_LOCK_CHOICES = [2, 5, 10, 30]; // minutes
export const DEFAULT_IDLE_LOCK_MINUTES = 5;

export class IdleLock {
  /** `lock()` locks (if it can) and says whether it did; `now()` gives milliseconds. */
  constructor({ minutes = DEFAULT_IDLE_LOCK_MINUTES, now = () => Date.now(), lock }) {
    this.now = now;
    this.lock = lock;
    this.minutes = minutes;
    this.last = now();
  }

  /** Someone used the app. */
  touch() {
    this.last = this.now();
  }

  setMinutes(minutes) {
    this.minutes = minutes;
    this.touch();
  }

  idleFor() {
    return this.now() - this.last;
  }

  /** Lock when idle for the whole delay; true when it locked. */
  async check() {
    if (!(this.minutes > 0) || this.idleFor() < this.minutes * 60000) return false;
    this.touch(); // one attempt per delay, whatever lock() decides
    return Boolean(await this.lock());
  }
}
