/** The entry points as the Procfile and `npm start` run them. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, createHarness, type Harness } from '../helpers/harness.js';
import { depositLikeTheQuickStart } from '../helpers/invoices.js';
import { freePort } from '../helpers/ports.js';
import { startProcess } from '../helpers/processes.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ http: false });
});
afterAll(() => h.close());

describe('the web process', () => {
  it('serves the API and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const web = startProcess('src/web.ts', { ...h.env, PORT: String(port) });
    try {
      await web.waitFor(/Intake API listening/);
      const res = await fetch(`http://127.0.0.1:${port}/v1/suppliers`, {
        headers: { authorization: `Bearer ${API_KEY}` },
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ data: [] });
      web.child.kill('SIGTERM');
      expect(await web.exited()).toEqual({ code: 0, signal: null });
      expect(web.output()).toContain('Shut down cleanly');
    } finally {
      web.child.kill('SIGKILL');
    }
  });
});

describe('the web process with WEB_CONCURRENCY=2', () => {
  it('runs two processes on one port, both serving, and all exit on SIGTERM', async () => {
    const port = await freePort();
    const web = startProcess('src/web.ts', { ...h.env, PORT: String(port), WEB_CONCURRENCY: '2' });
    try {
      await web.waitFor(/Starting 2 web processes/);
      await web.waitFor(/Intake API listening[\s\S]*Intake API listening/, 30_000);
      const statuses = await Promise.all(
        Array.from({ length: 10 }, () => fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status)),
      );
      expect(statuses.every((s) => s === 200)).toBe(true);
      web.child.kill('SIGTERM');
      expect(await web.exited()).toEqual({ code: 0, signal: null });
      expect(web.output().match(/Shut down cleanly/g)).toHaveLength(2);
    } finally {
      web.child.kill('SIGKILL');
    }
  });
});

describe('npm start without PISTE credentials', () => {
  it('starts the Chorus Pro simulator, says so loudly, and takes an invoice', async () => {
    const [port, simulatorPort] = [await freePort(), await freePort()];
    const start = startProcess('scripts/start.ts', {
      ...h.env,
      PORT: String(port),
      SIMULATOR_PORT: String(simulatorPort),
    });
    try {
      await start.waitFor(/Ready: POST invoices/, 30_000);
      expect(start.output()).toMatch(
        /No PISTE credentials \(PISTE_CLIENT_ID, PISTE_SANDBOX_CLIENT_ID\): NOT talking to Chorus Pro\. The Chorus Pro SIMULATOR plays it, for sandbox and production accounts, at http:\/\/127\.0\.0\.1:\d+/,
      );
      expect((await fetch(`http://127.0.0.1:${simulatorPort}/simulator/counts`)).status).toBe(200);

      const res = await depositLikeTheQuickStart(`http://127.0.0.1:${port}`, API_KEY, 'START-1', 'Factur-X');
      expect(res.status).toBe(202);

      start.child.kill('SIGTERM');
      expect(await start.exited()).toEqual({ code: 0, signal: null });
    } finally {
      start.child.kill('SIGKILL');
    }
  });
});
