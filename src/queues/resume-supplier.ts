/**
 * New credentials for a paused supplier account: the jobs of its waiting invoices were postponed to the next recheck
 * (SUPPLIER_PAUSE_RECHECK_SECONDS); they are promoted so that the invoices go now. A job that moved meanwhile is left
 * as it is, and one this misses runs at its recheck anyway.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { Invoice } from '../db/entities/invoice.js';
import { STATES_WAITING_ON_ACCOUNT } from '../invoices/states.js';
import type { Queues } from './queues.js';

/** Promotions sent to Redis at once. */
const BATCH = 50;

/** How many postponed jobs were promoted. */
export async function resumeSupplierJobs(
  deps: { em: EntityManager; queues: Queues },
  supplierAccountId: string,
): Promise<number> {
  const waiting = await deps.em.find(
    Invoice,
    { supplier: supplierAccountId, state: { $in: [...STATES_WAITING_ON_ACCOUNT] } },
    { fields: ['id'] },
  );
  const promote = async (name: 'deposit' | 'deposit-report', invoiceId: string): Promise<number> => {
    const job = await deps.queues[name].getJob(invoiceId);
    if (!job || !(await job.isDelayed())) return 0;
    return job.promote().then(
      () => 1,
      () => 0,
    );
  };
  let promoted = 0;
  for (let i = 0; i < waiting.length; i += BATCH) {
    const counts = await Promise.all(
      waiting.slice(i, i + BATCH).flatMap(({ id }) => [promote('deposit', id), promote('deposit-report', id)]),
    );
    promoted += counts.reduce((a, b) => a + b, 0);
  }
  return promoted;
}
