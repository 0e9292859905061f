/** Adding jobs. Job ids are deterministic, so adding a job that exists is a no-op. */
import { createHash } from 'node:crypto';
import type { RedisClient } from './redis.js';
import type { Logger } from '../logger.js';
import type { FairPriorities } from './fair-priority.js';
import { withCorrelation, type FoundBySearch } from './jobs.js';
import type { Queues } from './queues.js';

export interface DepositJobRef {
  id: string;
  number: string;
  supplierId: string;
  /** The request that caused it (X-Request-Id), carried into the job's log lines. */
  correlationId?: string;
  /** The batch it came in: the job's name says so, so Bull Board's search finds a batch's jobs together. */
  batchId?: string;
}

/** `deposit F2026-0042`, or `batch 3f2a9c1e · deposit F2026-0042` for an entry of a batch. */
export function depositJobName(invoice: Pick<DepositJobRef, 'number' | 'batchId'>): string {
  return `${invoice.batchId ? `batch ${invoice.batchId.slice(0, 8)} · ` : ''}deposit ${invoice.number}`;
}

export interface EnqueueDeps {
  queues: Queues;
  priorities: FairPriorities;
}

/** Job id: the invoice id. Priority: fair order across suppliers (fair-priority.ts). */
export async function enqueueDeposit(deps: EnqueueDeps, invoice: DepositJobRef): Promise<void> {
  await enqueueDeposits(deps, [invoice]);
}

/** Several deposit jobs in two Redis round trips: their priorities, then one pipelined add. */
async function enqueueDeposits(deps: EnqueueDeps, invoices: readonly DepositJobRef[]): Promise<void> {
  const priorities = await deps.priorities.nextOfEach(invoices.map((invoice) => invoice.supplierId));
  await deps.queues.deposit.addBulk(
    invoices.map((invoice, i) => ({
      name: depositJobName(invoice),
      data: withCorrelation({ invoiceId: invoice.id }, invoice.correlationId),
      opts: { jobId: invoice.id, priority: priorities[i] ?? 1 },
    })),
  );
}

/** More than this waits for the next batch: one pipelined add stays short. */
const MAX_BATCH = 100;

interface Waiting {
  invoice: DepositJobRef;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * The intake's deposit jobs, added in batches: under load, the invoices committed while a batch is on its way to
 * Redis share the next one (two round trips per batch instead of two per invoice). Each caller still learns
 * whether its own job was added.
 */
export class DepositJobBatcher {
  #waiting: Waiting[] = [];
  #draining = false;

  constructor(private readonly deps: EnqueueDeps) {}

  add(invoice: DepositJobRef): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({ invoice, resolve, reject });
      if (!this.#draining) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    // The other requests of this turn of the event loop join the first batch.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.#waiting.length > 0) {
      const batch = this.#waiting.splice(0, MAX_BATCH);
      try {
        await enqueueDeposits(
          this.deps,
          batch.map((w) => w.invoice),
        );
        for (const w of batch) w.resolve();
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    this.#draining = false;
  }
}

/** BullMQ waits for a connection that is down instead of failing; the intake must not wait that long. */
const ENQUEUE_TIMEOUT_MS = 2_000;

/**
 * After the invoice is committed. If Redis is unreachable the invoice is still safe in PostgreSQL and the
 * sweeper adds its job later, so the caller still gets its 202 at once.
 */
export async function enqueueDepositAfterCommit(
  deps: { depositJobs: DepositJobBatcher; redis: RedisClient; logger: Logger },
  invoice: DepositJobRef,
): Promise<boolean> {
  const giveUp = (reason: string): false => {
    deps.logger.warn('Deposit job not enqueued; the sweeper will add it', { invoiceId: invoice.id, reason });
    return false;
  };
  if (deps.redis.status !== 'ready') return giveUp(`Redis connection is ${deps.redis.status}`);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      deps.depositJobs.add(invoice),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer from Redis within ${ENQUEUE_TIMEOUT_MS} ms`)),
          ENQUEUE_TIMEOUT_MS,
        );
      }),
    ]);
    return true;
  } catch (error) {
    return giveUp(error instanceof Error ? error.message : String(error));
  } finally {
    clearTimeout(timer);
  }
}

/** Job id: the invoice id; a flux has one report to follow. */
export async function enqueueReport(
  queues: Queues,
  invoice: { id: string; number: string },
  delayMs: number,
  correlationId?: string,
): Promise<void> {
  const data = withCorrelation({ invoiceId: invoice.id, poll: 0 }, correlationId);
  await queues['deposit-report'].add(`report ${invoice.number}`, data, {
    jobId: invoice.id,
    delay: Math.max(0, Math.round(delayMs)),
  });
}

/**
 * The integration search found this invoice past its first status: its report job reads the history now (it was
 * waiting for REPORT_AFTER_SECONDS), so that the search itself never waits on one invoice's history.
 */
export async function readHistoryNow(
  queues: Queues,
  invoice: { id: string; number: string },
  found: FoundBySearch,
): Promise<void> {
  const queue = queues['deposit-report'];
  const job = await queue.getJob(invoice.id);
  if (!job) {
    await queue.add(`report ${invoice.number}`, { invoiceId: invoice.id, poll: 0, found }, { jobId: invoice.id });
    return;
  }
  await job.updateData({ ...job.data, found });
  if (await job.isDelayed()) await job.promote();
}

/** Job id: the follow-up id. */
export async function enqueueFollowUp(
  queues: Queues,
  followUp: { id: string; kind: string; invoiceNumber: string },
  correlationId?: string,
): Promise<void> {
  await queues['follow-ups'].add(
    `${followUp.kind} ${followUp.invoiceNumber}`,
    withCorrelation({ followUpId: followUp.id }, correlationId),
    { jobId: followUp.id },
  );
}

/** Job id: the delivery id. */
export async function enqueueDelivery(
  queues: Queues,
  delivery: { id: string; channel: string; label: string },
  correlationId?: string,
): Promise<void> {
  await queues.deliveries.add(
    `${delivery.channel} ${delivery.label}`,
    withCorrelation({ deliveryId: delivery.id }, correlationId),
    { jobId: delivery.id },
  );
}

/** `approve F2026-0042` in Bull Board. Job id: the decision's id (a failed decision may be asked again). */
export async function enqueueValidationDecision(
  queues: Queues,
  validation: { id: string; decisionId: string; action: string; invoiceNumber: string },
  correlationId?: string,
): Promise<void> {
  await queues.validations.add(
    `${validation.action} ${validation.invoiceNumber}`,
    withCorrelation({ validationId: validation.id }, correlationId),
    {
      jobId: validation.decisionId,
    },
  );
}

/** Supplier accounts that log in with the same Chorus Pro technical account share its searches. */
export function technicalAccountKey(account: { environment: string; chorusLogin: string }): string {
  return createHash('sha256').update(`${account.environment}\n${account.chorusLogin}`).digest('hex').slice(0, 16);
}

/** Where the integration search of a technical account keeps when it last started (ms since the epoch). */
export function integrationCursorKey(
  queuePrefix: string,
  account: { environment: string; chorusLogin: string },
): string {
  return `${queuePrefix}:integration-searched:${technicalAccountKey(account)}`;
}

/** The integration search slows down to this many times its cadence while nothing changes. */
const MOST_IDLE_FACTOR = 8;

/** How long the next integration search waits, after `idleRuns` searches in a row that found nothing. */
export function integrationSearchDelay(baseMs: number, idleRuns: number): number {
  return baseMs * Math.min(MOST_IDLE_FACTOR, 2 ** idleRuns);
}

/**
 * Asks for an integration search of the account's technical account in `delayMs`. One at a time per technical
 * account: while one waits, asking again is a no-op (every deposit of a busy month end asks, one search answers).
 */
export async function requestIntegrationSearch(
  queues: Queues,
  account: { id: string; siret: string; environment: string; chorusLogin: string },
  delayMs: number,
  idleRuns = 0,
): Promise<void> {
  const delay = Math.max(0, Math.round(delayMs));
  await queues['status-sync'].add(
    `integration search ${account.siret}`,
    { supplierAccountId: account.id, integration: { idleRuns } },
    // The key lives as long as the search waits: once it is due, a deposit asks for the next one.
    {
      delay,
      deduplication: { id: `integration-${technicalAccountKey(account)}`, ttl: Math.max(delay, 1) },
      // Each search asks for the next one, failed or not: a retry would only come late.
      attempts: 1,
    },
  );
}
