/**
 * Bull Board's own UI has no login and no CSRF defence, and its actions are plain PUT/POST calls: a page on
 * another site could make an operator's browser, which caches basic-auth credentials, clean or obliterate a
 * queue. So: basic auth with failed attempts slowed down per client and logged (never the password), mutating
 * calls only from the board's own pages (Origin or Referer), and with BOARD_READ_ONLY every action but retry
 * refused.
 */
import type { RequestHandler } from 'express';
import type { Logger } from '../logger.js';
import { sameSecret } from './auth.js';
import { RETRY_PAGE_PATH } from './board-retry.js';
import { sendError } from './errors.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Retrying one failed job from our retry page: the one action a read-only board keeps (see board-retry.ts). */
const isRetryPage = (path: string) => path.startsWith(`${RETRY_PAGE_PATH}/`);
/** Attempts allowed before answers slow down, and the window they are counted in. */
const FREE_ATTEMPTS = 5;
const WINDOW_MS = 15 * 60_000;
const MAX_DELAY_MS = 10_000;

export interface BoardGuardSettings {
  user: string;
  password: string;
  readOnly: boolean;
  logger: Logger;
}

export function boardGuard(settings: BoardGuardSettings): RequestHandler[] {
  const failures = new Map<string, { count: number; since: number }>();

  const login: RequestHandler = (req, res, next) => {
    const match = /^Basic (.+)$/i.exec(req.get('authorization') ?? '');
    const decoded = match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : '';
    const separator = decoded.indexOf(':');
    const user = separator > 0 ? decoded.slice(0, separator) : '';
    const ok = separator > 0 && sameSecret(user, settings.user) && sameSecret(decoded.slice(separator + 1), settings.password);
    const client = req.ip ?? 'unknown';
    if (ok) {
      failures.delete(client);
      return next();
    }
    res.setHeader('WWW-Authenticate', 'Basic realm="chorus-relay queues", charset="UTF-8"');
    if (!match) return sendError(res, 401, 'UNAUTHORIZED', 'Bull Board needs the BOARD_USER and BOARD_PASSWORD credentials.');
    const now = Date.now();
    const seen = failures.get(client);
    const entry = seen && now - seen.since < WINDOW_MS ? { count: seen.count + 1, since: seen.since } : { count: 1, since: now };
    failures.set(client, entry);
    if (failures.size > 10_000) failures.clear();
    const delayMs = entry.count <= FREE_ATTEMPTS ? 0 : Math.min(MAX_DELAY_MS, 250 * 2 ** (entry.count - FREE_ATTEMPTS - 1));
    settings.logger.warn('Bull Board login failed', { client, user: user.slice(0, 100), failures: entry.count, delayMs });
    const answer = () => sendError(res, 401, 'UNAUTHORIZED', 'Bull Board needs the BOARD_USER and BOARD_PASSWORD credentials.');
    if (delayMs === 0) return answer();
    res.setHeader('Retry-After', String(Math.ceil(delayMs / 1000)));
    setTimeout(answer, delayMs).unref();
  };

  const sameOrigin: RequestHandler = (req, res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const own = `${req.protocol}://${req.get('host') ?? ''}`;
    const origin = req.get('origin');
    const referer = req.get('referer');
    const fromBoard = origin !== undefined ? origin === own : referer !== undefined && referer.startsWith(`${own}${req.baseUrl}`);
    if (!fromBoard) return sendError(res, 403, 'CROSS_SITE_REQUEST', 'Board actions are accepted only from the board’s own pages (Origin or Referer of this site).');
    if (settings.readOnly && !isRetryPage(req.path)) {
      return sendError(res, 403, 'BOARD_READ_ONLY', 'The board is read-only (BOARD_READ_ONLY=true): only retries are allowed.');
    }
    next();
  };

  return [login, sameOrigin];
}
