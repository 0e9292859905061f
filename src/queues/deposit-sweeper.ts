/**
 * PostgreSQL is the source of truth, Redis is not: Redis can be flushed or lose its data on restart, and a job
 * can fail from a crash (a stalled worker) rather than from a decision. The sweeper walks the invoices whose
 * state says a job must exist (a deposit job for queued and depositing ones, a report job for those awaiting
 * their report) and adds it back when it is missing, or retries it when a crash left it failed.
 * Every worker process runs it; job ids are the invoice ids, so sweepers never double up.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Job } from 'bullmq';
import type { Clock } from '../context.js';
import { batchesById } from '../db/batches.js';
import { Invoice } from '../db/entities/invoice.js';
import { record } from '../invoices/lifecycle.js';
import { STATES_AWAITING_DEPOSIT, STATES_AWAITING_REPORT } from '../invoices/states.js';
import type { Logger } from '../logger.js';
import { enqueueDeposit, enqueueReport, type EnqueueDeps } from './enqueue.js';
import { withoutGhost } from './ghost-jobs.js';

const BATCH_SIZE = 500;

export interface SweeperDeps extends EnqueueDeps {
  em: EntityManager;
  logger: Logger;
  clock: Clock;
  /** Invoices not updated for this long only: the intake or a processor may be about to add the job. */
  graceMs: number;
}

/** One pass. Returns the ids whose job had to be added back or retried. */
export async function sweepMissingDepositJobs(deps: SweeperDeps): Promise<string[]> {
  const olderThan = new Date(deps.clock.now().getTime() - deps.graceMs);
  const restored: string[] = [];
  const inFlight = { state: { $in: [...STATES_AWAITING_DEPOSIT, ...STATES_AWAITING_REPORT] }, updatedAt: { $lte: olderThan } };
  for await (const { em, rows: batch } of batchesById(deps.em, Invoice, inFlight, { size: BATCH_SIZE })) {
    const jobs = await Promise.all(
      batch.map((invoice): Promise<Job | undefined> => (STATES_AWAITING_REPORT.includes(invoice.state) ? deps.queues['deposit-report'] : deps.queues.deposit).getJob(invoice.id)),
    );
    for (const [i, invoice] of batch.entries()) {
      const forReport = STATES_AWAITING_REPORT.includes(invoice.state);
      const found = await withoutGhost(jobs[i], 'invoiceId', invoice.id);
      if (found === 'locked') continue;
      const { job, ghost } = found;
      if (job && (await job.isFailed())) {
        await job.retry('failed');
      } else if (job) {
        continue;
      } else if (forReport) {
        await enqueueReport(deps.queues, invoice, 0);
      } else {
        await enqueueDeposit(deps, { id: invoice.id, number: invoice.number, supplierId: invoice.supplier.id });
      }
      const what = forReport ? 'report' : 'deposit';
      record(em, invoice, 'deposit-re-enqueued', 'worker', {
        message: job
          ? `The ${what} job had failed without a decision (a crash); it was started again.`
          : ghost
            ? `The ${what} job was left in Redis without its data or its state (Redis lost its data mid-run); it has been added again.`
            : `The ${what} job was missing from Redis and has been added again.`,
      });
      deps.logger.warn(job ? 'Job left failed by a crash; retried' : 'Job was missing from Redis; added it again', {
        invoiceId: invoice.id,
        queue: forReport ? 'deposit-report' : 'deposit',
      });
      restored.push(invoice.id);
    }
    await em.flush();
  }
  return restored;
}

/**
 * Runs a sweep now and then every `intervalMs`, never two at once, with any other passes that restore jobs from
 * rows (alerts, deliveries, follow-ups). `stop()` waits for a running sweep.
 */
export function startDepositSweeper(deps: SweeperDeps, intervalMs: number, otherPasses: Array<() => Promise<unknown>> = []): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = (): void => {
    if (running !== null || stopped) return;
    running = sweepMissingDepositJobs(deps)
      .then(async () => {
        for (const pass of otherPasses) await pass();
      })
      .catch((error: unknown) => {
        deps.logger.error('Deposit sweep failed; will try again', { error: error instanceof Error ? error.message : String(error) });
      })
      .finally(() => {
        running = null;
      });
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
