/**
 * The job contracts, in one place.
 *
 * Glossary
 * - invoice: one supplier invoice we received, a row in PostgreSQL (the source of truth).
 * - flux: what Chorus Pro receives in one `deposer/flux` call; its receipt number is `numeroFluxDepot`.
 * - deposit: sending an invoice's flux to Chorus Pro.
 * - queue: a BullMQ queue per workload that differs in rate limit or concurrency.
 * - job: one unit of work in a queue. Payloads carry ids, never rows: the processor reloads what it needs.
 * - scheduler: a BullMQ job scheduler that produces a job on a cadence (status sync).
 * - processor: the function a worker runs for the jobs of one queue (one file each, in workers/processors).
 * - attempt: one run of a job; BullMQ retries failed attempts with backoff.
 */
import type { DefaultJobOptions } from 'bullmq';

export const QUEUE_NAMES = ['deposit', 'status-sync', 'alerts'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export interface JobPayloads {
  /** Deposit one invoice with Chorus Pro. Job id: the invoice id, so an invoice never has two deposit jobs. */
  deposit: { invoiceId: string };
  /** Bring the Chorus statuses of one supplier account's invoices up to date. */
  'status-sync': { supplierAccountId: string };
  /** Deliver one alert (e-mail or webhook). */
  alerts: { alertId: string };
}

const DAY_SECONDS = 86_400;

/**
 * Retention keeps finished jobs long enough for an operator to look at them in Bull Board, and bounded so Redis
 * does not grow for ever (PostgreSQL keeps the history). Attempts and backoff are per workload.
 */
export const DEFAULT_JOB_OPTIONS: Record<QueueName, DefaultJobOptions> = {
  deposit: {
    attempts: 8,
    backoff: { type: 'exponential', delay: 30_000, jitter: 0.5 },
    removeOnComplete: { age: 7 * DAY_SECONDS, count: 10_000 },
    removeOnFail: { age: 30 * DAY_SECONDS },
  },
  'status-sync': {
    attempts: 3,
    backoff: { type: 'exponential', delay: 60_000, jitter: 0.5 },
    removeOnComplete: { age: DAY_SECONDS, count: 1_000 },
    removeOnFail: { age: 7 * DAY_SECONDS },
  },
  alerts: {
    attempts: 10,
    backoff: { type: 'exponential', delay: 10_000, jitter: 0.5 },
    removeOnComplete: { age: 7 * DAY_SECONDS, count: 10_000 },
    removeOnFail: { age: 30 * DAY_SECONDS },
  },
};

/**
 * Every worker must use the same stall settings: the stalled check is throttled cluster-wide by whichever worker
 * ran it last, so a worker with other values would delay the recovery of jobs from a crashed process.
 */
export const WORKER_STALL_SETTINGS = { lockDuration: 60_000, stalledInterval: 30_000, maxStalledCount: 1 } as const;
