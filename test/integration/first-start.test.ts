/**
 * A newcomer's first `npm start` (issue 15): no `.env`, nothing but PostgreSQL and Redis. The dev entry point writes
 * one with fresh values, prints the API key and the board's address, reaches "Ready", and the printed key deposits
 * an invoice; the next start reads that `.env` (as `npm start` passes it to node) and writes nothing. Run from a
 * directory of its own, as a clone would be, through tsx (the suite does not build `dist/`).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../helpers/harness.js';
import { depositLikeTheQuickStart } from '../helpers/invoices.js';
import { freePort } from '../helpers/ports.js';
import { ROOT, startProcess } from '../helpers/processes.js';

let h: Harness;
let dir = '';
beforeAll(async () => {
  h = await createHarness({ http: false });
  dir = mkdtempSync(join(tmpdir(), 'chorus-relay-first-start-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await h.close();
});

describe('npm start without .env, outside production', () => {
  it('writes one with fresh values, says so with the key and the board, and the key deposits an invoice', async () => {
    const [port, simulatorPort] = [await freePort(), await freePort()];
    // Only what locates this test's database and Redis keys: no key, no board password, no secret key.
    const env = {
      PORT: String(port),
      SIMULATOR_PORT: String(simulatorPort),
      DATABASE_URL: h.env.DATABASE_URL!,
      REDIS_URL: h.env.REDIS_URL!,
      QUEUE_PREFIX: h.env.QUEUE_PREFIX!,
      SIMULATOR_SCENARIO: join(ROOT, 'scenarios/demo.json'),
      SIMULATOR_STATE_FILE: join(dir, '.simulator-state.json'),
    };
    const first = startProcess('scripts/start.ts', env, { cwd: dir, nodeArgs: ['--env-file-if-exists=.env'] });
    let apiKey: string;
    let invoiceId: string;
    try {
      await first.waitFor(/Ready: POST invoices/, 60_000);
      // The development .env lets webhooks reach private addresses: the start says so.
      expect(first.output()).toMatch(/WEBHOOK_ALLOW_PRIVATE_NETWORKS is on/);
      const said =
        /No \.env: wrote \.env with fresh development values\. API key: (dev-[0-9a-f]{32}) .*Bull Board: http:\/\/localhost:(\d+)\/admin\/queues \(admin \/ (\S+)\)/.exec(
          first.output(),
        );
      expect(said, first.output()).not.toBeNull();
      apiKey = said![1]!;
      expect(said![2]).toBe(String(port));

      const written = readFileSync(join(dir, '.env'), 'utf8');
      expect(written).toContain(`API_KEYS=${apiKey}\n`);
      expect(written).toContain(`BOARD_PASSWORD=${said![3]}\n`);
      expect(written).toMatch(/^SECRET_KEY=[0-9a-f]{64}$/m);
      expect(written).toContain('WEBHOOK_ALLOW_PRIVATE_NETWORKS=true\n');
      expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);

      const res = await depositLikeTheQuickStart(`http://127.0.0.1:${port}`, apiKey, 'FIRST-1', 'UBL');
      expect(res.status, await res.clone().text()).toBe(202);
      invoiceId = ((await res.json()) as { id: string }).id;

      first.child.kill('SIGTERM');
      expect(await first.exited()).toEqual({ code: 0, signal: null });
    } finally {
      first.child.kill('SIGKILL');
    }

    const again = startProcess('scripts/start.ts', env, { cwd: dir, nodeArgs: ['--env-file-if-exists=.env'] });
    try {
      await again.waitFor(/Ready: POST invoices/, 60_000);
      expect(again.output()).not.toContain('No .env');
      const read = await fetch(`http://127.0.0.1:${port}/v1/invoices/${invoiceId}`, {
        headers: { authorization: `Bearer ${apiKey}` },
      });
      expect(read.status).toBe(200);
      again.child.kill('SIGTERM');
      expect(await again.exited()).toEqual({ code: 0, signal: null });
    } finally {
      again.child.kill('SIGKILL');
    }
  });

  it('names the variable of a port already in use, the simulator’s or the API’s', async () => {
    const busy = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => busy.once('listening', resolve));
    const taken = (busy.address() as { port: number }).port;
    const here = mkdtempSync(join(tmpdir(), 'chorus-relay-busy-port-'));
    try {
      for (const [variable, env] of [
        ['SIMULATOR_PORT', { SIMULATOR_PORT: String(taken), PORT: String(await freePort()) }],
        ['PORT', { SIMULATOR_PORT: String(await freePort()), PORT: String(taken) }],
      ] as const) {
        const run = startProcess(
          'scripts/start.ts',
          {
            ...env,
            DATABASE_URL: h.env.DATABASE_URL!,
            REDIS_URL: h.env.REDIS_URL!,
            QUEUE_PREFIX: h.env.QUEUE_PREFIX!,
            SIMULATOR_SCENARIO: join(ROOT, 'scenarios/demo.json'),
            SIMULATOR_STATE_FILE: join(here, '.simulator-state.json'),
          },
          { cwd: here, nodeArgs: ['--env-file-if-exists=.env'] },
        );
        expect((await run.exited()).code).toBe(1);
        expect(run.output()).toContain(`Port ${taken} (${variable}), where`);
        expect(run.output()).toContain(`${variable}=${taken + 1} npm start`);
        expect(run.output()).not.toMatch(/at .*\.ts:\d+/);
      }
    } finally {
      busy.close();
      rmSync(here, { recursive: true, force: true });
    }
  });

  it('writes nothing in production: the missing variables stop the process, each named with how to set it', async () => {
    const production = mkdtempSync(join(tmpdir(), 'chorus-relay-production-'));
    try {
      const run = startProcess(
        'scripts/start.ts',
        { NODE_ENV: 'production', DATABASE_URL: h.env.DATABASE_URL!, REDIS_URL: h.env.REDIS_URL! },
        { cwd: production },
      );
      expect((await run.exited()).code).toBe(1);
      expect(run.output()).toMatch(/API_KEYS is required but not set: the intake's API keys, comma-separated/);
      expect(run.output()).toMatch(/SECRET_KEY is required but not set .*openssl rand -hex 32/);
      expect(run.output()).toContain('Set them in the environment (Heroku: heroku config:set NAME=value) or in .env');
      expect(existsSync(join(production, '.env'))).toBe(false);
    } finally {
      rmSync(production, { recursive: true, force: true });
    }
  });
});
