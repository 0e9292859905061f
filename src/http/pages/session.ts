/**
 * The pages' session: the API key the person signed in with (or the credential of a board login, board-sessions.ts),
 * sealed (AES-256-GCM with SECRET_KEY) in an HttpOnly,
 * SameSite=Strict cookie that expires. Every page reads the API with that key, so what it shows and offers is exactly
 * what the key may see and do. The CSRF token of the forms is derived from the sealed value: another site can neither
 * read it nor send the cookie (SameSite=Strict), and a form without it is refused.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { SecretBox } from '../../shared/secret-box.js';
import type { Lang } from './i18n.js';

export const SESSION_COOKIE = 'chorus_relay_session';
export const LANG_COOKIE = 'chorus_relay_lang';
const BINDING = 'app-session';
/** A working day: the accountant signs in again the next morning. */
export const SESSION_MS = 10 * 3_600_000;

const sessionSchema = z.object({ key: z.string().min(1), expiresAt: z.number() });

export interface Session {
  apiKey: string;
  csrfToken: string;
}

function cookieOf(req: Request, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return null;
}

const csrfOf = (sealed: string) => createHash('sha256').update(`csrf:${sealed}`).digest('base64url');

export function readSession(req: Request, box: SecretBox, now: number): Session | null {
  const sealed = cookieOf(req, SESSION_COOKIE);
  if (!sealed) return null;
  try {
    const parsed = sessionSchema.safeParse(JSON.parse(box.open(sealed, BINDING)));
    if (!parsed.success || parsed.data.expiresAt <= now) return null;
    return { apiKey: parsed.data.key, csrfToken: csrfOf(sealed) };
  } catch {
    return null;
  }
}

export function startSession(res: Response, box: SecretBox, apiKey: string, now: number, secure: boolean): void {
  const sealed = box.seal(JSON.stringify({ key: apiKey, expiresAt: now + SESSION_MS }), BINDING);
  res.cookie(SESSION_COOKIE, sealed, {
    httpOnly: true,
    sameSite: 'strict',
    secure,
    path: '/app',
    maxAge: SESSION_MS,
  });
}

export function endSession(res: Response, secure: boolean): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure, path: '/app' });
}

export function csrfMatches(session: Session, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(session.csrfToken);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function langOf(req: Request): Lang {
  const asked = typeof req.query.lang === 'string' ? req.query.lang : cookieOf(req, LANG_COOKIE);
  return asked === 'en' ? 'en' : 'fr';
}
