/**
 * A sign-in to the /app pages with Bull Board's login holds no API key, yet the pages read and act through the API.
 * Such a session gets a credential of its own: sealed with SECRET_KEY (only this service can make one), expiring with
 * the session, and void as soon as BOARD_USER or BOARD_PASSWORD changes. The API takes it as an administrator of
 * every supplier, named in the audit as the board's login.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { SecretBox } from '../shared/secret-box.js';
import type { Caller } from './roles.js';

export const BOARD_SESSION_PREFIX = 'board-session.';
const BINDING = 'board-session';
const sealedSchema = z.object({ login: z.string(), expiresAt: z.number() });

export class BoardSessions {
  readonly #box: SecretBox;
  readonly #login: { user: string; password: string };
  readonly #now: () => number;

  constructor(box: SecretBox, login: { user: string; password: string }, now: () => number) {
    this.#box = box;
    this.#login = login;
    this.#now = now;
  }

  /** Which login a credential was made for: a digest, so the credential says nothing of the password. */
  #fingerprint(): string {
    return createHash('sha256').update(`${BINDING}\n${this.#login.user}\n${this.#login.password}`).digest('base64url');
  }

  /** A credential for the API, valid until `expiresAt` (epoch ms). */
  issue(expiresAt: number): string {
    return `${BOARD_SESSION_PREFIX}${this.#box.seal(JSON.stringify({ login: this.#fingerprint(), expiresAt }), BINDING)}`;
  }

  /** The caller a credential stands for, or null: altered, expired, or made for another login. */
  identify(token: string): Caller | null {
    if (!token.startsWith(BOARD_SESSION_PREFIX)) return null;
    try {
      const parsed = sealedSchema.safeParse(
        JSON.parse(this.#box.open(token.slice(BOARD_SESSION_PREFIX.length), BINDING)),
      );
      if (!parsed.success || parsed.data.expiresAt <= this.#now() || parsed.data.login !== this.#fingerprint())
        return null;
    } catch {
      return null;
    }
    return { keyId: 'BOARD_USER', keyName: `Bull Board login (${this.#login.user})`, role: 'admin', scope: null };
  }
}
