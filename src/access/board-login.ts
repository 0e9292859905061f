/**
 * Bull Board's login (BOARD_USER, BOARD_PASSWORD): an administrator of every supplier. It is checked in two places,
 * the board's basic auth and the sign-in of the /app pages, and both count their failures here, so guessing on one
 * does not reset the lock-out of the other. Failures are counted per user name and per client address (never the
 * password logged): rotating one's address does not reset the count of the user name guessed, and guessing many
 * names from one address is locked out too.
 */
import type { Logger } from '../logger.js';
import { sameSecret } from '../shared/same-secret.js';

/**
 * Failed attempts that lock a user name or an address out, and how long without a failure before the count starts
 * again.
 */
const FREE_ATTEMPTS = 5;
const WINDOW_MS = 15 * 60_000;
/** The first lock-out, doubled at each further failure, up to the longest. */
const FIRST_LOCK_MS = 1_000;
const MAX_LOCK_MS = 5 * 60_000;

export interface BoardLoginSettings {
  user: string;
  password: string;
  logger: Logger;
  /** The clock of the lock-outs (tests move it). */
  now?: () => number;
}

export type LoginOutcome = { ok: true } | { ok: false; retryAfterSeconds: number | null };

interface Failures {
  count: number;
  /** The last failure. */
  since: number;
  lockedUntil: number;
}

export class BoardLogin {
  readonly #settings: BoardLoginSettings;
  readonly #now: () => number;
  readonly #failures = new Map<string, Failures>();

  constructor(settings: BoardLoginSettings) {
    this.#settings = settings;
    this.#now = settings.now ?? Date.now;
  }

  /** The board's user name, for what a session signed in with it is called. */
  get user(): string {
    return this.#settings.user;
  }

  /**
   * Checks a login from `client` (where it is tried: `board` or `pages`, for the log). During a lock-out it is not
   * even checked: a right guess is refused like a wrong one, so guessing gains nothing.
   */
  attempt(user: string, password: string, client: string, where: 'board' | 'pages'): LoginOutcome {
    const keys = [`user:${user.slice(0, 200).toLowerCase()}`, `address:${client}`];
    const at = this.#now();
    const locked = this.#lockedUntil(keys, at);
    const logged = { client, user: user.slice(0, 100), where };
    if (locked > at) {
      this.#settings.logger.warn('Bull Board login refused during a lock-out', logged);
      return { ok: false, retryAfterSeconds: Math.ceil((locked - at) / 1000) };
    }
    const ok = user !== '' && sameSecret(user, this.#settings.user) && sameSecret(password, this.#settings.password);
    if (ok) {
      for (const key of keys) this.#failures.delete(key);
      return { ok: true };
    }
    const entry = this.#fail(keys, at);
    this.#settings.logger.warn('Bull Board login failed', {
      ...logged,
      failures: entry.count,
      lockedForMs: Math.max(0, entry.lockedUntil - at),
    });
    return { ok: false, retryAfterSeconds: null };
  }

  #lockedUntil(keys: string[], at: number): number {
    return Math.max(
      0,
      ...keys.map((k) => this.#failures.get(k)).map((f) => (f && at - f.since < WINDOW_MS ? f.lockedUntil : 0)),
    );
  }

  #fail(keys: string[], at: number): Failures {
    let worst: Failures = { count: 0, since: at, lockedUntil: 0 };
    for (const key of keys) {
      const seen = this.#failures.get(key);
      const entry =
        seen && at - seen.since < WINDOW_MS
          ? { ...seen, count: seen.count + 1, since: at }
          : { count: 1, since: at, lockedUntil: 0 };
      if (entry.count >= FREE_ATTEMPTS)
        entry.lockedUntil = at + Math.min(MAX_LOCK_MS, FIRST_LOCK_MS * 2 ** (entry.count - FREE_ATTEMPTS));
      this.#failures.set(key, entry);
      if (entry.count > worst.count) worst = entry;
    }
    if (this.#failures.size > 10_000) this.#failures.clear();
    return worst;
  }
}
