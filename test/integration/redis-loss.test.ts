/**
 * PostgreSQL is the source of truth. When Redis loses jobs (flushed, restarted without persistence) or is down
 * at intake time, every waiting invoice gets its deposit job back.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createContext } from '../../src/context.js';
import { Invoice } from '../../src/db/entities/invoice.js';
import { InvoiceEvent } from '../../src/db/entities/invoice-event.js';
import { sweepMissingDepositJobs } from '../../src/queues/deposit-sweeper.js';
import { loadSeed } from '../../src/simulator/model.js';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { createHarness, simulatorEnv, TEST_REDIS_URL, type Harness } from '../helpers/harness.js';
import { invoiceBody, jsonInit, supplierBody } from '../helpers/invoices.js';
import { deleteKeysWithPrefix } from '../helpers/redis-keys.js';
import { startProcess } from '../helpers/processes.js';

let h: Harness;
let redis: Redis;
let simulator: Simulator;
beforeAll(async () => {
  simulator = await startSimulator({ seed: loadSeed() });
  h = await createHarness({ env: simulatorEnv(simulator) });
  redis = new Redis(TEST_REDIS_URL);
  expect((await h.api('/v1/suppliers', jsonInit(supplierBody()))).status).toBe(201);
});
afterAll(async () => {
  await redis.quit();
  await h.close();
  await simulator.close();
});

/** Deletes every key of this test's queues: what FLUSHALL does to them, without touching anyone else's. */
const flushOurRedisKeys = () => deleteKeysWithPrefix(redis, `${h.config.queuePrefix}:`);

async function submit(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await h.api('/v1/invoices', jsonInit(await invoiceBody()));
    expect(res.status).toBe(202);
    ids.push(((await res.json()) as { id: string }).id);
  }
  return ids;
}

const sweep = () =>
  sweepMissingDepositJobs({
    em: h.ctx.orm.em,
    queues: h.ctx.queues,
    priorities: h.ctx.priorities,
    logger: h.ctx.logger,
    clock: h.ctx.clock,
    graceMs: 0,
    reportAfterMs: h.ctx.config.pipeline.reportAfterMs,
  });

describe('the deposit sweeper', () => {
  it('gives every waiting invoice its job back after Redis was flushed, once', async () => {
    const ids = await submit(5);
    expect(await sweep()).toEqual([]); // nothing is missing yet

    expect(await flushOurRedisKeys()).toBeGreaterThan(0);
    for (const id of ids) expect(await h.ctx.queues.deposit.getJob(id)).toBeUndefined();

    const restored = await sweep();
    expect(restored.sort()).toEqual([...ids].sort());
    for (const id of ids) expect((await h.ctx.queues.deposit.getJob(id))?.data).toEqual({ invoiceId: id });
    expect(await h.ctx.orm.em.fork().count(InvoiceEvent, { type: 'deposit-re-enqueued' })).toBe(5);

    expect(await sweep()).toEqual([]);
  });

  it('gives a job back when a flush left only part of it: a hash in no state, which a new add would not replace', async () => {
    const [id] = await submit(1);
    await flushOurRedisKeys();
    // What a job running through the flush leaves: its progress written into a job hash that no list holds.
    await redis.hset(`${h.config.queuePrefix}:deposit:${id}`, 'progress', '50');
    expect(await (await h.ctx.queues.deposit.getJob(id!))?.getState()).toBe('unknown');

    expect(await sweep()).toContain(id); // with the jobs of the earlier invoices, flushed too
    expect(['waiting', 'prioritized']).toContain(await (await h.ctx.queues.deposit.getJob(id!))?.getState());
    const events = await h.ctx.orm.em.fork().find(InvoiceEvent, { invoice: id!, type: 'deposit-re-enqueued' });
    expect(events.map((e) => e.message)).toEqual([
      'The deposit job was left in Redis without its data or its state (Redis lost its data mid-run); it has been added again.',
    ]);
    expect(await sweep()).toEqual([]);
  });

  it('gives a job back when a flush left it failed without its data, instead of retrying it for ever', async () => {
    const [id] = await submit(1);
    await flushOurRedisKeys();
    // What a CI run saw: the report job ran on after the flush, its next delay re-listed an id whose hash had lost
    // its data; it failed ("empty where"), and the sweeper retried it, 39 times.
    const key = `${h.config.queuePrefix}:deposit:${id}`;
    await redis.hset(key, 'data', '{}', 'failedReason', 'no invoice id', 'attemptsMade', '1');
    await redis.zadd(`${h.config.queuePrefix}:deposit:failed`, Date.now(), id!);
    expect(await (await h.ctx.queues.deposit.getJob(id!))?.getState()).toBe('failed');

    expect(await sweep()).toContain(id);
    const job = await h.ctx.queues.deposit.getJob(id!);
    expect(job?.data).toEqual({ invoiceId: id });
    expect(['waiting', 'prioritized']).toContain(await job?.getState());
    expect(await sweep()).toEqual([]);
  });

  it('leaves alone invoices younger than the grace period', async () => {
    const [id] = await submit(1);
    await flushOurRedisKeys();
    const restored = await sweepMissingDepositJobs({
      em: h.ctx.orm.em,
      queues: h.ctx.queues,
      priorities: h.ctx.priorities,
      logger: h.ctx.logger,
      clock: h.ctx.clock,
      graceMs: 60_000,
      reportAfterMs: h.ctx.config.pipeline.reportAfterMs,
    });
    expect(restored).not.toContain(id);
    expect(await sweep()).toContain(id);
  });
});

describe('intake while Redis is down', () => {
  it('still answers 202 with the invoice stored, reports not ready, and the sweeper enqueues it later', async () => {
    const down = await createContext(loadConfig({ ...h.env, REDIS_URL: 'redis://127.0.0.1:1' }), {
      logger: h.ctx.logger,
    });
    const { createApp } = await import('../../src/http/app.js');
    const server = createApp(down).listen(0);
    await new Promise((resolve) => server.once('listening', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const started = Date.now();
      const res = await fetch(
        `http://127.0.0.1:${port}/v1/invoices`,
        jsonInit(await invoiceBody(), { authorization: `Bearer ${h.env.API_KEYS}` }),
      );
      expect(res.status).toBe(202);
      expect(Date.now() - started).toBeLessThan(5_000);
      const { id } = (await res.json()) as { id: string };
      expect(await h.ctx.orm.em.fork().findOne(Invoice, id)).not.toBeNull();
      expect(await h.ctx.queues.deposit.getJob(id)).toBeUndefined();

      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ checks: { postgres: 'ok', redis: 'down' } });

      expect(await sweep()).toContain(id);
      expect(await h.ctx.queues.deposit.getJob(id)).toBeDefined();
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await down.close();
    }
  });
});

describe('the worker process', () => {
  it('restores jobs lost in Redis by itself, and exits 0 on SIGTERM', async () => {
    const ids = await submit(3);
    await flushOurRedisKeys();
    const worker = startProcess('workers/main.ts', { ...h.env, SWEEP_INTERVAL_SECONDS: '1', SWEEP_GRACE_SECONDS: '0' });
    try {
      await worker.waitFor(/Worker started/);
      await expect
        .poll(async () => (await Promise.all(ids.map((id) => h.ctx.queues.deposit.getJob(id)))).every(Boolean), {
          timeout: 15_000,
        })
        .toBe(true);
      const signalled = Date.now();
      worker.child.kill('SIGTERM');
      const exit = await worker.exited();
      expect(exit).toEqual({ code: 0, signal: null });
      expect(Date.now() - signalled).toBeLessThan(30_000);
      expect(worker.output()).toContain('Shut down cleanly');
    } finally {
      worker.child.kill('SIGKILL');
    }
  });

  it('refuses to start without its configuration, naming what is missing', async () => {
    const worker = startProcess('workers/main.ts', { DATABASE_URL: h.env.DATABASE_URL! });
    const exit = await worker.exited();
    expect(exit.code).toBe(1);
    expect(worker.output()).toMatch(/API_KEYS is required but not set/);
    expect(worker.output()).toMatch(/SECRET_KEY is required but not set/);
  });
});
