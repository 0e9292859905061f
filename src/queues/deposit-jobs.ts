/** Adding deposit jobs. The job id is the invoice id: adding it again is a no-op while the job exists. */
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { Queues } from './queues.js';

export interface DepositJobRef {
  id: string;
  number: string;
}

export async function enqueueDeposit(queues: Queues, invoice: DepositJobRef): Promise<void> {
  await queues.deposit.add(`deposit ${invoice.number}`, { invoiceId: invoice.id }, { jobId: invoice.id });
}

/** BullMQ waits for a connection that is down instead of failing; the intake must not wait that long. */
const ENQUEUE_TIMEOUT_MS = 2_000;

/**
 * After the invoice is committed. If Redis is unreachable the invoice is still safe in PostgreSQL and the
 * sweeper adds its job later, so the caller still gets its 202 at once.
 */
export async function enqueueDepositAfterCommit(
  deps: { queues: Queues; redis: Redis; logger: Logger },
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
      enqueueDeposit(deps.queues, invoice),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer from Redis within ${ENQUEUE_TIMEOUT_MS} ms`)), ENQUEUE_TIMEOUT_MS);
      }),
    ]);
    return true;
  } catch (error) {
    return giveUp(error instanceof Error ? error.message : String(error));
  } finally {
    clearTimeout(timer);
  }
}
