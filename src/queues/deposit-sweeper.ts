/**
 * PostgreSQL is the source of truth, Redis is not: Redis can be flushed or lose its data on restart.
 * The sweeper finds stored invoices that wait for a deposit but have no job in Redis, and adds the job back.
 * Every worker process runs it; adding a job under an existing id is a no-op, so they never double up.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../context.js';
import { Invoice } from '../db/entities/invoice.js';
import { InvoiceEvent } from '../db/entities/invoice-event.js';
import { STATES_AWAITING_DEPOSIT } from '../invoices/states.js';
import type { Logger } from '../logger.js';
import { enqueueDeposit } from './deposit-jobs.js';
import type { Queues } from './queues.js';

const BATCH_SIZE = 500;

export interface SweeperDeps {
  em: EntityManager;
  queues: Queues;
  logger: Logger;
  clock: Clock;
  /** Invoices younger than this are skipped: the intake may still be adding their job. */
  graceMs: number;
}

/** One pass over every waiting invoice. Returns the ids whose job had to be added back. */
export async function sweepMissingDepositJobs(deps: SweeperDeps): Promise<string[]> {
  const olderThan = new Date(deps.clock.now().getTime() - deps.graceMs);
  const restored: string[] = [];
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const em = deps.em.fork();
    const batch = await em.find(
      Invoice,
      { state: { $in: [...STATES_AWAITING_DEPOSIT] }, createdAt: { $lte: olderThan }, id: { $gt: after } },
      { fields: ['id', 'number'], orderBy: { id: 'asc' }, limit: BATCH_SIZE },
    );
    if (batch.length === 0) break;
    after = batch[batch.length - 1]!.id;
    const states = await Promise.all(batch.map((invoice) => deps.queues.deposit.getJobState(invoice.id)));
    const missing = batch.filter((_, i) => states[i] === 'unknown');
    for (const invoice of missing) {
      await enqueueDeposit(deps.queues, invoice);
      em.create(InvoiceEvent, {
        invoice: invoice.id,
        type: 'deposit-re-enqueued',
        source: 'worker',
        message: 'The deposit job was missing from Redis and has been added again.',
      });
      deps.logger.warn('Deposit job was missing from Redis; added it again', { invoiceId: invoice.id });
      restored.push(invoice.id);
    }
    await em.flush();
    if (batch.length < BATCH_SIZE) break;
  }
  return restored;
}

/** Runs a sweep now and then every `intervalMs`, never two at once. `stop()` waits for a running sweep. */
export function startDepositSweeper(deps: SweeperDeps, intervalMs: number): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = (): void => {
    if (running !== null || stopped) return;
    running = sweepMissingDepositJobs(deps)
      .then(() => undefined)
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
