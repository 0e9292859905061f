/** Adding deposit jobs. The job id is the invoice id: adding it again is a no-op while the job exists. */
import type { Logger } from '../logger.js';
import type { Queues } from './queues.js';

export interface DepositJobRef {
  id: string;
  number: string;
}

export async function enqueueDeposit(queues: Queues, invoice: DepositJobRef): Promise<void> {
  await queues.deposit.add(`deposit ${invoice.number}`, { invoiceId: invoice.id }, { jobId: invoice.id });
}

/**
 * After the invoice is committed. If Redis is unreachable the invoice is still safe: the sweeper adds its job
 * later, so the caller still gets its 202.
 */
export async function enqueueDepositAfterCommit(queues: Queues, invoice: DepositJobRef, logger: Logger): Promise<boolean> {
  try {
    await enqueueDeposit(queues, invoice);
    return true;
  } catch (error) {
    logger.warn('Could not enqueue the deposit job; the sweeper will retry', {
      invoiceId: invoice.id,
      error: error instanceof Error ? error.message : String(error),
    });
    return false;
  }
}
