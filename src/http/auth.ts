import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { sendError } from './errors.js';

/** Compares digests so neither the length nor the content of a key leaks through timing. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** `Authorization: Bearer <one of API_KEYS>` on every /v1 route. */
export function requireApiKey(apiKeys: readonly string[]): RequestHandler {
  return (req, res, next) => {
    const match = /^Bearer (.+)$/i.exec(req.get('authorization') ?? '');
    const given = match?.[1]?.trim();
    // Check every key, so the time taken does not tell which one came close.
    const valid = given !== undefined && apiKeys.map((key) => sameSecret(given, key)).includes(true);
    if (!valid) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="chorus-relay"');
      return sendError(res, 401, 'UNAUTHORIZED', 'Send a valid API key as "Authorization: Bearer <key>".');
    }
    next();
  };
}

/** HTTP basic auth for Bull Board, whose own UI has none. */
export function requireBasicAuth(user: string, password: string): RequestHandler {
  return (req, res, next) => {
    const match = /^Basic (.+)$/i.exec(req.get('authorization') ?? '');
    const decoded = match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : '';
    const separator = decoded.indexOf(':');
    const ok = separator > 0 && sameSecret(decoded.slice(0, separator), user) && sameSecret(decoded.slice(separator + 1), password);
    if (!ok) {
      res.setHeader('WWW-Authenticate', 'Basic realm="chorus-relay queues", charset="UTF-8"');
      return sendError(res, 401, 'UNAUTHORIZED', 'Bull Board needs the BOARD_USER and BOARD_PASSWORD credentials.');
    }
    next();
  };
}
