/**
 * PostgreSQL is the source of truth, Redis is not: Redis can be flushed or lose its data on restart, and a job
 * can fail from a crash (a stalled worker) rather than from a decision. The sweeper walks the invoices whose
 * state says a job must exist (a deposit job for queued and depositing ones, a report job for those awaiting
 * their report) and adds it back when it is missing, or retries it when a crash left it failed.
 * Every worker process runs it; job ids are the invoice ids, so sweepers never double up.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Job } from 'bullmq';
import type { Clock } from '../shared/clock.js';
import { batchesById } from '../db/batches.js';
import { Invoice } from '../db/entities/invoice.js';
import { record } from '../invoices/lifecycle.js';
import { STATES_AWAITING_DEPOSIT, STATES_AWAITING_REPORT } from '../invoices/states.js';
import type { Logger } from '../logger.js';
import { enqueueDeposit, enqueueReport, requestIntegrationSearch, type EnqueueDeps } from './enqueue.js';
import type { Queues } from './queues.js';
import { SupplierAccount } from '../db/entities/supplier-account.js';
import { sqlList } from '../db/sql.js';
import { STATUSES_ON_THEIR_WAY } from '../invoices/status-history.js';
import { withoutGhost } from './ghost-jobs.js';

const BATCH_SIZE = 500;

export interface SweeperDeps extends EnqueueDeps {
  em: EntityManager;
  logger: Logger;
  clock: Clock;
  /** Invoices not updated for this long only: the intake or a processor may be about to add the job. */
  graceMs: number;
  /** REPORT_AFTER_SECONDS: when a flux's report is first read. */
  reportAfterMs: number;
}

/** One pass. Returns the ids whose job had to be added back or retried. */
export async function sweepMissingDepositJobs(deps: SweeperDeps): Promise<string[]> {
  const olderThan = new Date(deps.clock.now().getTime() - deps.graceMs);
  const restored: string[] = [];
  const inFlight = {
    state: { $in: [...STATES_AWAITING_DEPOSIT, ...STATES_AWAITING_REPORT] },
    updatedAt: { $lte: olderThan },
  };
  for await (const { em, rows: batch } of batchesById(deps.em, Invoice, inFlight, { size: BATCH_SIZE })) {
    const jobs = await Promise.all(
      batch.map((invoice): Promise<Job | undefined> =>
        (STATES_AWAITING_REPORT.includes(invoice.state) ? deps.queues['deposit-report'] : deps.queues.deposit).getJob(
          invoice.id,
        ),
      ),
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
        // Read when it would have been: the integration search gets its time first.
        const depositedAt = (invoice.depositedAt ?? invoice.updatedAt).getTime();
        await enqueueReport(deps.queues, invoice, depositedAt + deps.reportAfterMs - deps.clock.now().getTime());
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
 * Asks again for the integration search of every account with invoices on their way (deposited and not found yet, or
 * DEPOSEE / EN_COURS_ACHEMINEMENT within the hour, as status-sync.ts counts them): a search lost with Redis's data
 * would otherwise leave them to their report and the regular sync. One waiting search per technical account makes
 * this cheap.
 */
export async function sweepIntegrationSearches(deps: {
  em: EntityManager;
  queues: Queues;
  delayMs: number;
  now: Date;
}): Promise<number> {
  const em = deps.em.fork();
  const rows = await em
    .getConnection()
    .execute<Array<{ supplier_id: string }>>(
      `select distinct supplier_id from invoice where state = 'awaiting_report' or (state = 'integrated' and chorus_status in (${sqlList(STATUSES_ON_THEIR_WAY)}) and chorus_status_at > ?)`,
      [new Date(deps.now.getTime() - 3_600_000)],
    );
  const ids = rows.map((row) => row.supplier_id);
  const accounts =
    ids.length === 0
      ? []
      : await em.find(SupplierAccount, { id: { $in: ids } }, { fields: ['id', 'siret', 'environment', 'chorusLogin'] });
  for (const account of accounts) await requestIntegrationSearch(deps.queues, account, deps.delayMs);
  return accounts.length;
}

/**
 * Runs a sweep now and then every `intervalMs`, never two at once, with any other passes that restore jobs from
 * rows (alerts, deliveries, follow-ups). `stop()` waits for a running sweep.
 */
export function startDepositSweeper(
  deps: SweeperDeps,
  intervalMs: number,
  otherPasses: Array<() => Promise<unknown>> = [],
): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = (): void => {
    if (running !== null || stopped) return;
    running = sweepMissingDepositJobs(deps)
      .then(async () => {
        for (const pass of otherPasses) await pass();
      })
      .catch((error: unknown) => {
        deps.logger.error('Deposit sweep failed; will try again', {
          error: error instanceof Error ? error.message : String(error),
        });
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
