/**
 * The job contracts, in one place.
 *
 * Glossary
 * - invoice: one supplier invoice we received, a row in PostgreSQL (the source of truth).
 * - flux: what Chorus Pro receives in one `deposer/flux` call; its receipt number is `numeroFluxDepot`.
 * - deposit: sending an invoice's flux to Chorus Pro.
 * - report: Chorus Pro's processing report of a flux (`consulterCRDetaille`).
 * - queue: a BullMQ queue per workload that differs in rate limit or concurrency.
 * - job: one unit of work in a queue. Payloads carry ids, never rows: the processor reloads what it needs.
 * - scheduler: a BullMQ job scheduler that produces a job on a cadence (status sync).
 * - processor: the function a worker runs for the jobs of one queue (one file each, in workers/processors).
 * - attempt: one run of a job; BullMQ retries failed attempts with backoff. A deposit attempt is also a row.
 * - follow-up: a supplier's answer to an invoice held at Chorus Pro (recycle, complete); a row, then a job.
 * - validation: a subcontractor's or co-contractor's invoice in a main contractor's inbox, waiting for its decision
 *   (approve, refuse); a row, and the decision a job.
 * - notification: something subscribers must hear about (an alert, a status change); a row written with the
 *   change it tells of. Its `alerts` job fans it out into deliveries, one per matching subscription.
 * - delivery: one notification sent to one subscription (an e-mail, a webhook call); a row, then a job.
 */
import type { DefaultJobOptions } from 'bullmq';
import type { PipelineConfig } from '../config.js';

export const QUEUE_NAMES = [
  'deposit',
  'deposit-report',
  'status-sync',
  'follow-ups',
  'validations',
  'alerts',
  'deliveries',
  'checks',
] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** The request that caused a job (X-Request-Id), carried from job to job so their log lines can be joined. */
export const withCorrelation = <T extends object>(
  data: T,
  correlationId: string | undefined,
): T & { correlationId?: string } => (correlationId ? { ...data, correlationId } : data);

export interface JobPayloads {
  /**
   * Deposit one invoice with Chorus Pro, or find out what became of a deposit whose outcome is unknown. Job id: the
   * invoice id.
   */
  deposit: { invoiceId: string; correlationId?: string };
  /**
   * Follow the report of a deposited flux until it is final. Job id: the invoice id. `found`: the integration search
   * found the invoice past its first status; the job reads its history and records it, without the report.
   */
  'deposit-report': { invoiceId: string; poll: number; correlationId?: string; found?: FoundBySearch };
  /**
   * Bring the Chorus statuses of one technical account's invoices up to date (every supplier account that logs in
   * with it). `integration`: the short search that runs while invoices are on their way, finding their integration
   * and first statuses in bulk; `idleRuns` counts the searches in a row that found nothing (the next waits longer).
   */
  'status-sync': { supplierAccountId: string; integration?: { idleRuns: number } };
  /** Send a recycle or completion to Chorus Pro. Job id: the follow-up id. */
  'follow-ups': { followUpId: string; correlationId?: string };
  /** Send a validator's decision (approve, refuse) to Chorus Pro. Job id: the decision's id. */
  validations: { validationId: string; correlationId?: string };
  /** Fan a notification out to the subscriptions that want it. Job id: the notification id. */
  alerts: { notificationId: string; correlationId?: string };
  /** Send one e-mail or webhook call. Job id: the delivery id. */
  deliveries: { deliveryId: string; correlationId?: string };
  /** Periodic look-outs (overdue payments, expiring passwords, recipients that never report payment). */
  checks: Record<string, never>;
}

/** An invoice as the integration search listed it (dates as ISO strings: job data is JSON). */
export interface FoundBySearch {
  chorusInvoiceId: string;
  number: string | null;
  fluxNumber: string | null;
  status: string | null;
  statusAt: string | null;
  comment: string | null;
}

const DAY_SECONDS = 86_400;

/**
 * A failed job shows its sentence alone in Bull Board (what failed, why, what to do): no stack of internal paths, one
 * per attempt. The worker's log keeps the stack, redacted.
 */
const NO_STACK = { stackTraceLimit: 0 } as const;
/** Work about an invoice: kept a week when done, a month when failed, for the operator who looks into it. */
const KEEP_INVOICE_WORK = {
  removeOnComplete: { age: 7 * DAY_SECONDS, count: 10_000 },
  removeOnFail: { age: 30 * DAY_SECONDS },
  ...NO_STACK,
} as const;
/** Periodic work: a day when done, a week when failed. */
const KEEP_PERIODIC_WORK = {
  removeOnComplete: { age: DAY_SECONDS, count: 1_000 },
  removeOnFail: { age: 7 * DAY_SECONDS },
  ...NO_STACK,
} as const;

const exponential = (delay: number, jitter = 0.5) => ({ type: 'exponential', delay, jitter }) as const;

/**
 * Retention keeps finished jobs long enough for an operator to look at them in Bull Board, and bounded so Redis
 * does not grow for ever (PostgreSQL keeps the history). Attempts and backoff are per workload.
 */
export function defaultJobOptions(
  pipeline: Pick<PipelineConfig, 'depositBackoffMs' | 'deliveryBackoffMs'>,
): Record<QueueName, DefaultJobOptions> {
  return {
    deposit: { attempts: 8, backoff: exponential(pipeline.depositBackoffMs), ...KEEP_INVOICE_WORK },
    'deposit-report': { attempts: 8, backoff: exponential(pipeline.depositBackoffMs), ...KEEP_INVOICE_WORK },
    'status-sync': { attempts: 3, backoff: exponential(60_000), ...KEEP_PERIODIC_WORK },
    'follow-ups': { attempts: 8, backoff: exponential(pipeline.depositBackoffMs), ...KEEP_INVOICE_WORK },
    validations: { attempts: 8, backoff: exponential(pipeline.depositBackoffMs), ...KEEP_INVOICE_WORK },
    alerts: { attempts: 10, backoff: exponential(5_000), ...KEEP_INVOICE_WORK },
    // A receiver that is down for a while still gets its calls: 12 attempts from the backoff span about 17 hours at 30
    // s.
    deliveries: { attempts: 12, backoff: exponential(pipeline.deliveryBackoffMs, 0.3), ...KEEP_INVOICE_WORK },
    checks: { attempts: 3, backoff: exponential(60_000), ...KEEP_PERIODIC_WORK },
  };
}

/**
 * Every worker must use the same stall settings: the stalled check is throttled cluster-wide by whichever worker
 * ran it last, so a worker with other values would delay the recovery of jobs from a crashed process.
 */
export function workerStallSettings(pipeline: Pick<PipelineConfig, 'workerLockMs'>) {
  return {
    lockDuration: pipeline.workerLockMs,
    stalledInterval: Math.max(500, Math.round(pipeline.workerLockMs / 2)),
    maxStalledCount: 1,
  } as const;
}

/** The invoice a job is about, when its payload names one (every invoice job's does; periodic ones do not). */
export function invoiceIdOfJobData(data: unknown): string | null {
  if (typeof data !== 'object' || data === null || !('invoiceId' in data)) return null;
  return typeof data.invoiceId === 'string' ? data.invoiceId : null;
}
