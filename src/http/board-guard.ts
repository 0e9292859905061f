/**
 * Bull Board's own UI has no login and no CSRF defence, and its actions are plain PUT/POST calls: a page on
 * another site could make an operator's browser, which caches basic-auth credentials, clean or obliterate a
 * queue. So: basic auth with failed attempts locked out (board-login.ts), mutating calls only from the board's own
 * pages (Origin or Referer), headers that forbid framing the board, and with BOARD_READ_ONLY every action but retry
 * refused.
 */
import type { RequestHandler } from 'express';
import type { BoardLogin } from '../access/board-login.js';
import { RETRY_PAGE_PATH } from './board-retry.js';
import { sendError } from './errors.js';
import { pageHeaders } from './page-headers.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Retrying one failed job from our retry page: the one action a read-only board keeps (see board-retry.ts). */
const isRetryPage = (path: string) => path.startsWith(`${RETRY_PAGE_PATH}/`);

export interface BoardGuardSettings {
  /** The login and its lock-outs, shared with the sign-in of the /app pages. */
  login: BoardLogin;
  readOnly: boolean;
}

export function boardGuard(settings: BoardGuardSettings): RequestHandler[] {
  const login: RequestHandler = (req, res, next) => {
    const match = /^Basic (.+)$/i.exec(req.get('authorization') ?? '');
    const decoded = match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : '';
    const separator = decoded.indexOf(':');
    const refuse = () =>
      sendError(res, 401, 'UNAUTHORIZED', 'Bull Board needs the BOARD_USER and BOARD_PASSWORD credentials.');
    res.setHeader('WWW-Authenticate', 'Basic realm="chorus-relay queues", charset="UTF-8"');
    if (!match) return refuse();
    const user = separator > 0 ? decoded.slice(0, separator) : '';
    const password = separator > 0 ? decoded.slice(separator + 1) : '';
    const outcome = settings.login.attempt(user, password, req.ip ?? 'unknown', 'board');
    if (outcome.ok) {
      res.removeHeader('WWW-Authenticate');
      return next();
    }
    if (outcome.retryAfterSeconds !== null) {
      res.setHeader('Retry-After', String(outcome.retryAfterSeconds));
      return sendError(res, 429, 'LOGIN_LOCKED', 'Too many failed logins: try again after the time Retry-After gives.');
    }
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
