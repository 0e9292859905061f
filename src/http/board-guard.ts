/**
 * Bull Board's own UI has no login and no CSRF defence, and its actions are plain PUT/POST calls: a page on
 * another site could make an operator's browser, which caches basic-auth credentials, clean or obliterate a
 * queue. So: basic auth with failed attempts locked out per user name and per client address (never the password
 * logged), mutating calls only from the board's own pages (Origin or Referer), headers that forbid framing the
 * board, and with BOARD_READ_ONLY every action but retry refused.
 */
import type { RequestHandler } from 'express';
import type { Logger } from '../logger.js';
import { sameSecret } from './auth.js';
import { RETRY_PAGE_PATH } from './board-retry.js';
import { sendError } from './errors.js';
import { pageHeaders } from './page-headers.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Retrying one failed job from our retry page: the one action a read-only board keeps (see board-retry.ts). */
const isRetryPage = (path: string) => path.startsWith(`${RETRY_PAGE_PATH}/`);
/**
 * Failed attempts that lock a user name or an address out, and how long without a failure before the count starts
 * again.
 */
const FREE_ATTEMPTS = 5;
const WINDOW_MS = 15 * 60_000;
/** The first lock-out, doubled at each further failure, up to the longest. */
const FIRST_LOCK_MS = 1_000;
const MAX_LOCK_MS = 5 * 60_000;

export interface BoardGuardSettings {
  user: string;
  password: string;
  readOnly: boolean;
  logger: Logger;
  /** The clock of the lock-outs (tests move it). */
  now?: () => number;
}

interface Failures {
  count: number;
  /** The last failure. */
  since: number;
  lockedUntil: number;
}

export function boardGuard(settings: BoardGuardSettings): RequestHandler[] {
  const now = settings.now ?? Date.now;
  // Keyed `user:<name>` and `address:<ip>`: rotating one's address (or a forged X-Forwarded-For) does not reset the
  // count of the user name guessed, and guessing many names from one address is locked out too.
  const failures = new Map<string, Failures>();
  const lockedUntil = (keys: string[], at: number) =>
    Math.max(0, ...keys.map((k) => failures.get(k)).map((f) => (f && at - f.since < WINDOW_MS ? f.lockedUntil : 0)));
  const fail = (keys: string[], at: number): Failures => {
    let worst: Failures = { count: 0, since: at, lockedUntil: 0 };
    for (const key of keys) {
      const seen = failures.get(key);
      const entry =
        seen && at - seen.since < WINDOW_MS
          ? { ...seen, count: seen.count + 1, since: at }
          : { count: 1, since: at, lockedUntil: 0 };
      if (entry.count >= FREE_ATTEMPTS)
        entry.lockedUntil = at + Math.min(MAX_LOCK_MS, FIRST_LOCK_MS * 2 ** (entry.count - FREE_ATTEMPTS));
      failures.set(key, entry);
      if (entry.count > worst.count) worst = entry;
    }
    if (failures.size > 10_000) failures.clear();
    return worst;
  };

  const login: RequestHandler = (req, res, next) => {
    const match = /^Basic (.+)$/i.exec(req.get('authorization') ?? '');
    const decoded = match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : '';
    const separator = decoded.indexOf(':');
    const user = separator > 0 ? decoded.slice(0, separator) : '';
    const client = req.ip ?? 'unknown';
    const keys = [`user:${user.slice(0, 200).toLowerCase()}`, `address:${client}`];
    const refuse = () =>
      sendError(res, 401, 'UNAUTHORIZED', 'Bull Board needs the BOARD_USER and BOARD_PASSWORD credentials.');
    res.setHeader('WWW-Authenticate', 'Basic realm="chorus-relay queues", charset="UTF-8"');
    if (!match) return refuse();
    const at = now();
    const locked = lockedUntil(keys, at);
    if (locked > at) {
      // Not even checked: during a lock-out a right guess is refused like a wrong one, so guessing gains nothing.
      res.setHeader('Retry-After', String(Math.ceil((locked - at) / 1000)));
      settings.logger.warn('Bull Board login refused during a lock-out', { client, user: user.slice(0, 100) });
      return sendError(res, 429, 'LOGIN_LOCKED', 'Too many failed logins: try again after the time Retry-After gives.');
    }
    const ok =
      separator > 0 && sameSecret(user, settings.user) && sameSecret(decoded.slice(separator + 1), settings.password);
    if (ok) {
      for (const key of keys) failures.delete(key);
      res.removeHeader('WWW-Authenticate');
      return next();
    }
    const entry = fail(keys, at);
    settings.logger.warn('Bull Board login failed', {
      client,
      user: user.slice(0, 100),
      failures: entry.count,
      lockedForMs: Math.max(0, entry.lockedUntil - at),
    });
    return refuse();
  };

  const sameOrigin: RequestHandler = (req, res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const own = `${req.protocol}://${req.get('host') ?? ''}`;
    const origin = req.get('origin');
    const referer = req.get('referer');
    const fromBoard =
      origin !== undefined ? origin === own : referer !== undefined && referer.startsWith(`${own}${req.baseUrl}`);
    if (!fromBoard)
      return sendError(
        res,
        403,
        'CROSS_SITE_REQUEST',
        'Board actions are accepted only from the board’s own pages (Origin or Referer of this site).',
      );
    if (settings.readOnly && !isRetryPage(req.path)) {
      return sendError(
        res,
        403,
        'BOARD_READ_ONLY',
        'The board is read-only (BOARD_READ_ONLY=true): only retries are allowed.',
      );
    }
    next();
  };

  return [pageHeaders, login, sameOrigin];
}
