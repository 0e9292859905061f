/**
 * The API credential of a pages session signed in with Bull Board's login: an administrator of every supplier until
 * it expires, and nothing once altered, expired, or made before the board's login changed.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BoardSessions } from '../../src/access/board-sessions.js';
import { ApiKeyRegistry } from '../../src/access/keys.js';
import { SecretBox } from '../../src/shared/secret-box.js';

const box = new SecretBox(randomBytes(32));
const login = { user: 'operator', password: 'first-password-0123' };
let nowMs = 1_800_000_000_000;
const now = () => nowMs;

describe('a board session credential', () => {
  it('stands for an administrator of every supplier until it expires', () => {
    const sessions = new BoardSessions(box, login, now);
    const token = sessions.issue(nowMs + 60_000);
    expect(token).not.toContain(login.password);
    expect(sessions.identify(token)).toEqual({
      keyId: 'BOARD_USER',
      keyName: 'Bull Board login (operator)',
      role: 'admin',
      scope: null,
    });
    nowMs += 60_000;
    expect(sessions.identify(token)).toBeNull();
  });

  it('is nothing once altered, sealed with another key, or made before the password changed', () => {
    const sessions = new BoardSessions(box, login, now);
    const token = sessions.issue(nowMs + 60_000);
    const last = token.at(-2) === 'A' ? 'B' : 'A';
    expect(sessions.identify(`${token.slice(0, -2)}${last}${token.at(-1)}`)).toBeNull();
    expect(new BoardSessions(new SecretBox(randomBytes(32)), login, now).identify(token)).toBeNull();
    expect(new BoardSessions(box, { ...login, password: 'second-password-4567' }, now).identify(token)).toBeNull();
    expect(new BoardSessions(box, { ...login, user: 'someone-else' }, now).identify(token)).toBeNull();
  });

  it('is taken by the key registry only when the registry knows the board sessions', async () => {
    const sessions = new BoardSessions(box, login, now);
    const token = sessions.issue(nowMs + 60_000);
    // The database is never asked for such a credential: no entity manager is needed.
    const noDatabase = undefined as never;
    expect((await new ApiKeyRegistry([], sessions).identify(noDatabase, token))?.role).toBe('admin');
    expect(await new ApiKeyRegistry([]).identify(noDatabase, token)).toBeNull();
  });
});
