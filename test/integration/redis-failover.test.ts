/**
 * A Redis failover under load, with real processes: a Redis Cluster (3 primaries, 3 replicas) and a primary with a
 * replica behind 3 sentinels, a web process and a worker process of the relay, and the simulator. The primary that
 * holds the relay's keys is SIGKILLed after the 20th of 60 invoices: every invoice must still be accepted, integrated
 * and deposited exactly once, `/readyz` must come back by itself, and no process may exit.
 */
import { setInterval as everyInterval, setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Invoice } from '../../src/db/entities/invoice.js';
import { InvoiceEvent } from '../../src/db/entities/invoice-event.js';
import { loadSeed } from '../../src/simulator/model.js';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { API_KEY, createHarness, simulatorEnv, type Harness } from '../helpers/harness.js';
import { invoiceBody, jsonInit, supplierBody } from '../helpers/invoices.js';
import { FAST_PIPELINE_ENV } from '../helpers/pipeline.js';
import { freePort } from '../helpers/ports.js';
import { startProcess, type RunningProcess } from '../helpers/processes.js';
import {
  isPrimary,
  startRedisCluster,
  startRedisSentinel,
  type RedisDeployment,
} from '../../scripts/lib/redis-deployments.js';

const INVOICES = 60;
const KILL_AFTER = 20;

interface Run {
  deployment: RedisDeployment;
  simulator: Simulator;
  h: Harness;
  web: RunningProcess;
  worker: RunningProcess;
  baseUrl: string;
}

async function startRun(deployment: RedisDeployment): Promise<Run> {
  const simulator = await startSimulator({ seed: loadSeed(), timing: { fluxStepMs: 50, invoiceStepMs: 50 } });
  // The harness reads PostgreSQL; its HTTP server stays off: the web process under test is a process of its own.
  const h = await createHarness({
    env: { ...simulatorEnv(simulator), ...FAST_PIPELINE_ENV, ...deployment.env, LOG_LEVEL: 'info' },
    http: false,
  });
  const port = await freePort();
  const web = startProcess('src/web.ts', { ...h.env, PORT: String(port) });
  const worker = startProcess('workers/main.ts', h.env);
  await Promise.all([web.waitFor(/Intake API listening/, 60_000), worker.waitFor(/Worker started/, 60_000)]);
  return { deployment, simulator, h, web, worker, baseUrl: `http://127.0.0.1:${port}` };
}

async function stopRun(run: Run | undefined): Promise<void> {
  if (!run) return;
  for (const p of [run.web, run.worker]) p.child.kill('SIGTERM');
  await Promise.all([run.web.exited(), run.worker.exited()]);
  await run.h.close();
  await run.simulator.close();
}

const post = (run: Run, path: string, body: unknown) =>
  fetch(`${run.baseUrl}${path}`, jsonInit(body, { authorization: `Bearer ${API_KEY}` }));

interface Figures {
  /** From the SIGKILL to the replica answering as primary. */
  promotedAfterMs: number;
  /** From the promotion to the web process's first 200 on /readyz. */
  readyAfterPromotionMs: number;
  /** The longest time, from the SIGKILL on, in which no invoice was integrated while some waited: the pause. */
  longestStallAfterKillMs: number;
  /** From the SIGKILL to the last of the 60 invoices integrated. */
  allIntegratedAfterKillMs: number;
}

async function failoverUnderLoad(run: Run): Promise<Figures> {
  const { h, simulator, deployment } = run;
  expect((await post(run, '/v1/suppliers', supplierBody())).status).toBe(201);

  const integratedCount = () => h.ctx.orm.em.fork().count(Invoice, { state: 'integrated' });
  const numbers: string[] = [];
  let killedAt = 0;
  let promotedAt = 0;
  let watchingReadiness = true;
  const readiness: Array<{ at: number; status: number }> = [];
  // A sample of /readyz every 100 ms: the timeline the figures are read from (a sampler, not a wait).
  const watchReadiness = (async () => {
    const ticks = everyInterval(100);
    while (watchingReadiness) {
      const status = await fetch(`${run.baseUrl}/readyz`).then(
        (res) => res.status,
        () => 0,
      );
      readiness.push({ at: Date.now(), status });
      await ticks.next();
    }
    await ticks.return?.(undefined);
  })();

  let promotion: Promise<void> | undefined;
  for (let i = 0; i < INVOICES; i++) {
    if (i === KILL_AFTER) {
      const { replica } = await deployment.killPrimaryFor(`${h.config.queuePrefix}:deposit:id`);
      killedAt = Date.now();
      promotion = (async () => {
        await expect.poll(() => isPrimary(replica).catch(() => false), { timeout: 60_000, interval: 50 }).toBe(true);
        promotedAt = Date.now();
      })();
    }
    const body = await invoiceBody();
    const res = await post(run, '/v1/invoices', body).catch((error: unknown) => {
      // The connection broke: whether the web process is still there, and what it said last.
      console.error(
        `POST ${i + 1} failed; web exit code ${String(run.web.child.exitCode)}; its last lines:\n${run.web.output().split('\n').slice(-40).join('\n')}`,
      );
      throw error;
    });
    // PostgreSQL first: the intake accepts the invoice while Redis fails over.
    expect(res.status, await res.clone().text()).toBe(202);
    numbers.push(String(body.number));
  }

  await promotion;
  try {
    await expect.poll(integratedCount, { timeout: 180_000, interval: 250 }).toBe(INVOICES);
  } catch (error) {
    // What the processes said is all there is to learn why they stopped moving.
    // Where the jobs wait (Redis may not answer: two seconds each).
    for (const [name, queue] of Object.entries(h.ctx.queues)) {
      const counts = await Promise.race([queue.getJobCounts(), sleep(2_000).then(() => 'no answer')]);
      console.error(`${name} jobs: ${JSON.stringify(counts)}`);
    }
    const tail = (p: RunningProcess) => p.output().split('\n').slice(-80).join('\n');
    console.error(`worker's last lines:\n${tail(run.worker)}\nweb's last lines:\n${tail(run.web)}`);
    throw error;
  }
  const allIntegratedAt = Date.now();
  const integrations = (
    await h.ctx.orm.em.fork().find(InvoiceEvent, { type: ['integrated', 'deposit-reconciled'] }, { fields: ['at'] })
  )
    .map((e) => e.at.getTime())
    .filter((at) => at > killedAt)
    .sort((a, b) => a - b);
  const longestStall = Math.max(...integrations.map((at, i) => at - (i === 0 ? killedAt : integrations[i - 1]!)));

  await expect
    .poll(() => readiness.some((r) => r.at > promotedAt && r.status === 200), { timeout: 30_000, interval: 100 })
    .toBe(true);
  watchingReadiness = false;
  await watchReadiness;
  const readyAt = readiness.find((r) => r.at > promotedAt && r.status === 200)!.at;

  // Each invoice reached Chorus Pro once: not lost, not deposited twice by a job Redis forgot it had finished.
  const deposits = numbers.map((n) => simulator.world.depositsByInvoiceNumber.get(n) ?? 0);
  const notOnce = numbers.filter((_n, i) => deposits[i] !== 1);
  if (notOnce.length > 0) {
    // The invoice's own story, to learn which runs deposited it.
    const em = h.ctx.orm.em.fork();
    for (const number of notOnce) {
      const invoice = await em.findOneOrFail(Invoice, { number });
      const events = await em.find(InvoiceEvent, { invoice }, { orderBy: { id: 'asc' } });
      console.error(
        `${number} deposited ${simulator.world.depositsByInvoiceNumber.get(number) ?? 0} times:\n${events.map((e) => `${e.at.toISOString()} ${e.type} ${e.message ?? ''}`).join('\n')}`,
      );
      console.error(
        run.worker
          .output()
          .split('\n')
          .filter((line) => line.includes(invoice.id))
          .join('\n'),
      );
    }
  }
  expect(notOnce.map((n) => [n, deposits[numbers.indexOf(n)]])).toEqual([]);
  expect(run.web.child.exitCode).toBeNull();
  expect(run.worker.child.exitCode).toBeNull();
  expect(readyAt - promotedAt).toBeLessThan(30_000);

  return {
    promotedAfterMs: promotedAt - killedAt,
    readyAfterPromotionMs: readyAt - promotedAt,
    longestStallAfterKillMs: longestStall,
    allIntegratedAfterKillMs: allIntegratedAt - killedAt,
  };
}

const topologies: Array<[string, () => Promise<RedisDeployment>]> = [
  ['Redis Cluster (3 primaries, 3 replicas)', startRedisCluster],
  ['Redis Sentinel (a primary, a replica, 3 sentinels)', startRedisSentinel],
];

describe.each(topologies)('a failover of %s', (_name, start) => {
  let run: Run | undefined;
  let deployment: RedisDeployment | undefined;
  beforeAll(async () => {
    deployment = await start();
    run = await startRun(deployment);
  }, 120_000);
  afterAll(async () => {
    await stopRun(run);
    await deployment?.stop();
  }, 60_000);

  it('loses no invoice and deposits none twice while the primary holding our keys is killed mid-run', async () => {
    const figures = await failoverUnderLoad(run!);
    console.info(`failover figures: ${JSON.stringify(figures)}`);
  }, 300_000);
});
