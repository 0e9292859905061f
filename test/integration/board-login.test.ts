/**
 * Bull Board's login against guessing: after 5 failed logins, a user name and an address are locked out, and a guess
 * during a lock-out is not even checked (a right one is refused too), so rotating X-Forwarded-For or sending guesses
 * in parallel gains nothing; X-Forwarded-For counts only behind a proxy named in TRUST_PROXY. The board's pages
 * cannot be framed by another site. The relay's clock is moved to end a lock-out; nothing sleeps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOARD_PASSWORD, BOARD_USER, createHarness, type Harness } from '../helpers/harness.js';

let offsetMs = 0;
const clock = { now: () => new Date(Date.now() + offsetMs) };
let h: Harness;
let behindProxy: Harness;
beforeAll(async () => {
  h = await createHarness({ clock });
  behindProxy = await createHarness({ clock, env: { TRUST_PROXY: 'loopback' } });
});
afterAll(async () => {
  await h.close();
  await behindProxy.close();
});

const basic = (password: string, user = BOARD_USER) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const login = (on: Harness, password: string, headers: Record<string, string> = {}) =>
  fetch(`${on.baseUrl}/admin/queues/api/queues`, { headers: { authorization: basic(password), ...headers } });
/** Past any lock-out (the longest is 5 minutes) and the 15 minutes after which failures are forgotten. */
const forgetFailures = () => (offsetMs += 16 * 60_000);

describe('the board login', () => {
  it('locks out after 5 failures whatever X-Forwarded-For says, and does not check a guess while locked', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await login(h, `wrong-password-${i}`, { 'x-forwarded-for': `203.0.113.${i + 1}` });
      statuses.push(res.status);
      if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5).every((s) => s === 429)).toBe(true);
    // The right password, while locked out: refused without being checked.
    expect((await login(h, BOARD_PASSWORD, { 'x-forwarded-for': '198.51.100.7' })).status).toBe(429);
    const checked = h.logs.lines.filter((l) => l.includes('Bull Board login failed'));
    expect(checked).toHaveLength(5);
    expect(h.logs.lines.filter((l) => l.includes('refused during a lock-out'))).toHaveLength(26);
    expect(h.logs.text).not.toContain('wrong-password');
    expect(h.logs.text).not.toContain(BOARD_PASSWORD);

    forgetFailures();
    expect((await login(h, BOARD_PASSWORD)).status).toBe(200);
  });

  it('checks at most 5 of 30 guesses sent at once', async () => {
    forgetFailures();
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => login(h, `parallel-guess-${i}`)));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(25);
    forgetFailures();
  });

  it('locks a user name out from every address behind a trusted proxy, and an address out for every user name', async () => {
    forgetFailures();
    for (let i = 0; i < 6; i++) await login(behindProxy, `guess-${i}`, { 'x-forwarded-for': `203.0.113.${i + 1}` });
    expect((await login(behindProxy, BOARD_PASSWORD, { 'x-forwarded-for': '203.0.113.99' })).status).toBe(429);
    forgetFailures();
    for (let i = 0; i < 6; i++) {
      await fetch(`${behindProxy.baseUrl}/admin/queues`, {
        headers: { authorization: basic('x', `user-${i}`), 'x-forwarded-for': '203.0.113.50' },
      });
    }
    expect((await login(behindProxy, BOARD_PASSWORD, { 'x-forwarded-for': '203.0.113.50' })).status).toBe(429);
    expect((await login(behindProxy, BOARD_PASSWORD, { 'x-forwarded-for': '203.0.113.51' })).status).toBe(200);
    const lockedAddress = behindProxy.logs.lines
      .map((l) => JSON.parse(l) as { message: string; client?: string })
      .filter((l) => l.message === 'Bull Board login refused during a lock-out');
    expect(lockedAddress.at(-1)?.client).toBe('203.0.113.50');
  });
});

describe('the board pages', () => {
  it('cannot be framed, sniffed, or tell other sites where the operator was', async () => {
    for (const path of ['', '/api/queues', '/queue/deposit']) {
      const res = await fetch(`${h.baseUrl}/admin/queues${path}`, {
        headers: { authorization: basic(BOARD_PASSWORD) },
      });
      expect(res.status, path).toBe(200);
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      expect(res.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toBe('same-origin');
    }
    // A refused login too: the login prompt is a page of the board.
    expect((await fetch(`${h.baseUrl}/admin/queues`)).headers.get('x-frame-options')).toBe('DENY');
  });
});
