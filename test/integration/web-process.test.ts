/** The web entry point as the Procfile runs it: serves, then exits 0 on SIGTERM. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../helpers/harness.js';
import { startProcess } from '../helpers/processes.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ http: false });
});
afterAll(() => h.close());

describe('the web process', () => {
  it('serves the API and exits 0 on SIGTERM', async () => {
    const port = String(20_000 + Math.floor(Math.random() * 20_000));
    const web = startProcess('src/web.ts', { ...h.env, PORT: port });
    try {
      await web.waitFor(/Intake API listening/);
      const res = await fetch(`http://127.0.0.1:${port}/v1/suppliers`, { headers: { authorization: `Bearer ${h.env.API_KEYS}` } });
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
