/**
 * Never twice, never lost: real worker processes killed with SIGKILL at each point of a deposit, Redis flushed
 * and PostgreSQL cut mid-run. Each invoice must end integrated, deposited exactly once at the simulator.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DepositAttempt } from '../../src/db/entities/deposit-attempt.js';
import { Invoice } from '../../src/db/entities/invoice.js';
import { loadSeed } from '../../src/simulator/model.js';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { createHarness, simulatorEnv, TEST_REDIS_URL, type Harness } from '../helpers/harness.js';
import { jsonInit, supplierBody } from '../helpers/invoices.js';
import { FAST_PIPELINE_ENV, settled, submit } from '../helpers/pipeline.js';
import { deleteKeysWithPrefix } from '../helpers/redis-keys.js';
import { startProcess, type RunningProcess } from '../helpers/processes.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';

let simulator: Simulator;
let h: Harness;
let redis: Redis;
const running: RunningProcess[] = [];

beforeAll(async () => {
  simulator = await startSimulator({ seed: loadSeed(), timing: { fluxStepMs: 50, invoiceStepMs: 50 } });
  h = await createHarness({ env: { ...simulatorEnv(simulator), ...FAST_PIPELINE_ENV } });
  redis = new Redis(TEST_REDIS_URL);
  expect((await h.api('/v1/suppliers', jsonInit(supplierBody()))).status).toBe(201);
});
afterEach(() => {
  for (const p of running.splice(0)) p.child.kill('SIGKILL');
  simulator.faults.replace({});
});
afterAll(async () => {
  await redis.quit();
  await h.close();
  await simulator.close();
});

function worker(extra: Record<string, string> = {}): RunningProcess {
  const p = startProcess('workers/main.ts', { ...h.env, ...extra });
  running.push(p);
  return p;
}

const deposits = (number: string) => simulator.world.depositsByInvoiceNumber.get(number) ?? 0;
const attempts = async (invoiceId: string) =>
  (await h.ctx.orm.em.fork().find(DepositAttempt, { invoice: invoiceId }, { orderBy: { number: 'asc' } })).map(
    (a) => a.phase,
  );

describe('a worker killed with SIGKILL during a deposit', () => {
  it('before the call: the next worker deposits it, once', async () => {
    const first = worker({ FAILPOINTS: 'deposit:before-call' });
    await first.waitFor(/Worker started/);
    const invoice = await submit(h);
    expect(await first.exited()).toEqual({ code: null, signal: 'SIGKILL' });
    expect(deposits(invoice.number)).toBe(0);
    expect(await attempts(invoice.id)).toEqual(['prepared']);

    const second = worker();
    const done = await settled(h, invoice.id, ['integrated'], 30_000);
    expect(deposits(done.number)).toBe(1);
    expect(await attempts(invoice.id)).toEqual(['not_sent', 'sent']);
    // Both set up their schedulers once their Redis connection was up, without an error on the way.
    expect([first, second].filter((p) => p.output().includes('Could not set up the status-sync schedulers'))).toEqual(
      [],
    );
  });

  it('during the call: Chorus got it; the next worker finds it there and does not deposit again', async () => {
    simulator.faults.replace({ endpoints: { deposerFlux: { latencyMs: 1500 } } });
    const first = worker();
    await first.waitFor(/Worker started/);
    const before = simulator.counter.byEndpoint.get('deposerFlux') ?? 0;
    const invoice = await submit(h);
    await expect
      .poll(() => simulator.counter.byEndpoint.get('deposerFlux') ?? 0, { timeout: 15_000, interval: 10 })
      .toBe(before + 1);
    first.child.kill('SIGKILL');
    await first.exited();
    await expect.poll(() => deposits(invoice.number), { timeout: 5_000 }).toBe(1); // the simulator finished handling it
    simulator.faults.replace({});
    expect(await attempts(invoice.id)).toEqual(['sending']);

    worker();
    const done = await settled(h, invoice.id, ['integrated'], 30_000);
    expect(deposits(done.number)).toBe(1);
    expect(done.events.map((e) => e.type)).toContain('deposit-reconciled');
    expect(await attempts(invoice.id)).toEqual(['reconciled']);
  });

  it('after Chorus answered, before the answer was saved: the next worker finds it and does not deposit again', async () => {
    const first = worker({ FAILPOINTS: 'deposit:after-response' });
    await first.waitFor(/Worker started/);
    const invoice = await submit(h);
    expect(await first.exited()).toEqual({ code: null, signal: 'SIGKILL' });
    expect(deposits(invoice.number)).toBe(1);
    expect(await attempts(invoice.id)).toEqual(['sending']);

    worker();
    const done = await settled(h, invoice.id, ['integrated'], 30_000);
    expect(deposits(done.number)).toBe(1);
    expect(done.chorus.fluxNumber).toMatch(/^CPP/);
    expect(await attempts(invoice.id)).toEqual(['reconciled']);
  });
});

const flushOurRedisKeys = () => deleteKeysWithPrefix(redis, `${h.config.queuePrefix}:`);

/**
 * Waits until the first of these invoices is integrated while others are not: the moment to break something.
 * The invoices are submitted before the worker starts and each deposit takes 300 ms, so this moment exists.
 */
async function waitUntilPartlyDone(invoices: Array<{ id: string }>): Promise<void> {
  const ids = invoices.map((i) => i.id);
  await expect
    .poll(() => h.ctx.orm.em.fork().count(Invoice, { id: { $in: ids }, state: 'integrated' }), {
      timeout: 20_000,
      interval: 20,
    })
    .toBeGreaterThan(0);
  expect(await h.ctx.orm.em.fork().count(Invoice, { id: { $in: ids }, state: { $ne: 'integrated' } })).toBeGreaterThan(
    0,
  );
}

describe('infrastructure lost mid-run', () => {
  it('Redis flushed while invoices are in flight: every invoice ends integrated, each deposited once', async () => {
    simulator.faults.replace({ endpoints: { deposerFlux: { latencyMs: 300 } } });
    const invoices = [];
    for (let i = 0; i < 12; i++) invoices.push(await submit(h));
    const w = worker();
    await w.waitFor(/Worker started/);
    await waitUntilPartlyDone(invoices);
    expect(await flushOurRedisKeys()).toBeGreaterThan(0);
    for (const invoice of invoices) {
      const done = await settled(h, invoice.id, ['integrated'], 40_000);
      expect(deposits(done.number)).toBe(1);
    }
  });

  it('PostgreSQL cut while invoices are in flight: the worker reconnects by itself, nothing lost or doubled', async () => {
    const database = new URL(h.env.DATABASE_URL!);
    const proxy = await startTcpProxy(Number(database.port || 5432));
    database.port = String(proxy.port);
    simulator.faults.replace({ endpoints: { deposerFlux: { latencyMs: 300 } } });
    const invoices = [];
    for (let i = 0; i < 8; i++) invoices.push(await submit(h));
    // With the 0.1 s test backoff, 8 attempts could all fail inside the outage and the invoice would rightly
    // need an operator; production's backoff is 30 s. 0.5 s keeps 8 attempts spread over about a minute.
    const w = worker({ DATABASE_URL: database.toString(), DEPOSIT_BACKOFF_SECONDS: '0.5' });
    try {
      await w.waitFor(/Worker started/);
      await waitUntilPartlyDone(invoices);
      await proxy.cut();
      // The outage lasts until the worker has felt it: it tried to reconnect, twice, and was turned away.
      await expect.poll(() => proxy.turnedAway, { timeout: 20_000, interval: 20 }).toBeGreaterThanOrEqual(2);
      await proxy.restore();
      for (const invoice of invoices) {
        let done = await settled(h, invoice.id, ['integrated', 'needs_attention'], 45_000).catch(
          async (error: unknown) => {
            // Add what only this test knows: the deposit attempts and the worker's complaints.
            const complaints = w
              .output()
              .split('\n')
              .filter((l) => /error|fail|warn/i.test(l))
              .slice(-12)
              .join('\n');
            throw new Error(
              `${(error as Error).message}\nattempts: ${JSON.stringify(await attempts(invoice.id))}\nworker:\n${complaints}`,
              { cause: error },
            );
          },
        );
        if (done.state === 'needs_attention') {
          // The connection died as the `sending` mark was committed: the request never left, but nothing can
          // prove it, so the invoice waits for an operator instead of risking a second deposit.
          expect(done.lastError?.code).toBe('DEPOSIT_OUTCOME_UNKNOWN');
          expect(deposits(done.number)).toBe(0);
          expect((await h.api(`/v1/invoices/${done.id}/retry`, { method: 'POST' })).status).toBe(202);
          done = await settled(h, invoice.id, ['integrated'], 30_000);
        }
        expect(deposits(done.number)).toBe(1);
      }
      const states = await h.ctx.orm.em.fork().find(Invoice, { id: { $in: invoices.map((i) => i.id) } });
      expect(states.every((s) => s.state === 'integrated')).toBe(true);
    } finally {
      w.child.kill('SIGKILL');
      await proxy.close().catch(() => undefined);
    }
  });
});
