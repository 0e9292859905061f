/** A simulator with fast clocks, a harness pointed at it, and helpers to watch invoices move. */
import { expect } from 'vitest';
import type { Clock } from '../../src/shared/clock.js';
import { SupplierAccount } from '../../src/db/entities/supplier-account.js';
import { loadSeed } from '../../src/simulator/model.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/server.js';
import { createHarness, simulatorEnv, type Harness } from './harness.js';
import { invoiceBody, jsonInit, supplierBody } from './invoices.js';

/** Pipeline timings shrunk for tests: everything that waits in production waits a fraction of a second here. */
export const FAST_PIPELINE_ENV: Record<string, string> = {
  REPORT_POLL_FIRST_SECONDS: '0.1',
  REPORT_POLL_MAX_SECONDS: '0.5',
  DEPOSIT_BACKOFF_SECONDS: '0.1',
  RECONCILE_WINDOW_SECONDS: '20',
  SUPPLIER_PAUSE_RECHECK_SECONDS: '0.3',
  WORKER_LOCK_SECONDS: '2',
  SWEEP_INTERVAL_SECONDS: '1',
  // Not 0: the sweeper would race the intake between its commit and its enqueue, and re-add jobs that were on their
  // way.
  SWEEP_GRACE_SECONDS: '2',
  CHORUS_MAX_RPS: '200',
  STATUS_SYNC_INTERVAL_SECONDS: '0.5',
  STATUS_SYNC_OVERLAP_SECONDS: '2',
  INTEGRATION_SEARCH_SECONDS: '0.2',
  REPORT_AFTER_SECONDS: '1',
  LOG_LEVEL: 'info',
};

export interface PipelineHarness {
  h: Harness;
  simulator: Simulator;
  close(): Promise<void>;
}

export async function createPipelineHarness(
  options: { env?: Record<string, string>; simulator?: SimulatorOptions; clock?: Clock } = {},
): Promise<PipelineHarness> {
  const simulator = await startSimulator({
    seed: loadSeed(),
    timing: { fluxStepMs: 50, invoiceStepMs: 50 },
    ...options.simulator,
  });
  const h = await createHarness({
    env: { ...simulatorEnv(simulator), ...FAST_PIPELINE_ENV, ...options.env },
    ...(options.clock ? { clock: options.clock } : {}),
  });
  expect((await h.api('/v1/suppliers', jsonInit(supplierBody()))).status).toBe(201);
  return {
    h,
    simulator,
    async close() {
      await h.close();
      await simulator.close();
    },
  };
}

export interface InvoiceState {
  id: string;
  number: string;
  state: string;
  chorus: {
    fluxNumber: string | null;
    invoiceId: string | null;
    status: string | null;
    stage: string | null;
    stageLabel: string | null;
    statusLabel: string | null;
    final: boolean | null;
    action: string | null;
  };
  lastError: { code: string; message: string } | null;
  events: Array<{ type: string; source: string; message: string; details: Record<string, unknown> | null }>;
  amountWithVat: string;
  engagementNumber: string | null;
  serviceCode: string | null;
  actionRequired: { reason: string; nextStep: { fr: string; en: string } } | null;
  statusFollowed: boolean;
  correctsInvoiceId: string | null;
  correctedByInvoiceId: string | null;
  followUps?: Array<{ id: string; kind: string; state: string; error: { code: string; message: string } | null }>;
}

export async function submit(h: Harness, overrides: Record<string, unknown> = {}): Promise<InvoiceState> {
  const res = await h.api('/v1/invoices', jsonInit(await invoiceBody(overrides)));
  expect(res.status, await res.clone().text()).toBe(202);
  return (await res.json()) as InvoiceState;
}

export async function read(h: Harness, id: string): Promise<InvoiceState> {
  return (await (await h.api(`/v1/invoices/${id}`)).json()) as InvoiceState;
}

/** Waits until the invoice is in one of `states`, and returns it; if it never gets there, says where it stopped. */
export async function settled(h: Harness, id: string, states: string[], timeoutMs = 20_000): Promise<InvoiceState> {
  let last: InvoiceState | undefined;
  try {
    await expect
      .poll(
        async () => {
          last = await read(h, id);
          return states.includes(last.state);
        },
        { timeout: timeoutMs, interval: 50 },
      )
      .toBe(true);
  } catch (error) {
    const deposit = await h.ctx.queues.deposit.getJob(id);
    const report = await h.ctx.queues['deposit-report'].getJob(id);
    const jobs = {
      deposit: deposit
        ? { state: await deposit.getState(), attemptsMade: deposit.attemptsMade, failedReason: deposit.failedReason }
        : null,
      report: report
        ? { state: await report.getState(), attemptsMade: report.attemptsMade, failedReason: report.failedReason }
        : null,
    };
    const seen = last
      ? { state: last.state, lastError: last.lastError, events: last.events.map((e) => `${e.type}: ${e.message}`) }
      : null;
    throw new Error(
      `Invoice ${id} did not reach ${states.join(' or ')} within ${timeoutMs} ms. Last seen: ${JSON.stringify(seen)}; jobs: ${JSON.stringify(jobs)}`,
      {
        cause: error,
      },
    );
  }
  return last!;
}

/**
 * Runs one status sync of the supplier account `siret` now and waits for it to complete; if it does not, says how
 * the job ended. For tests that sync only when they ask (STATUS_SYNC_INTERVAL_SECONDS set high).
 */
export async function syncSupplierNow(h: Harness, siret: string, timeoutMs = 30_000): Promise<void> {
  const supplier = await h.ctx.orm.em.fork().findOneOrFail(SupplierAccount, { siret });
  const queue = h.ctx.queues['status-sync'];
  const job = await queue.add('sync (test)', { supplierAccountId: supplier.id });
  await expect
    .poll(async () => (await job.getState()) === 'completed', { timeout: timeoutMs, interval: 50 })
    .toBe(true)
    .catch(async (error: unknown) => {
      const ended = await queue.getJob(job.id!);
      throw new Error(`sync job ${await job.getState()}: ${ended?.failedReason ?? ''}`, { cause: error });
    });
}
