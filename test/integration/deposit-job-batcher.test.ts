/**
 * The intake's deposit jobs are added in batches (queues/enqueue.ts): requests committed together share one
 * priority script and one pipelined add. Checked against real Redis: every job is there with its fair priority,
 * far fewer priority calls than jobs, a failed batch fails each of its callers, and a Redis that lost its
 * scripts (restart, SCRIPT FLUSH) still gets them.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DepositJobBatcher, type DepositJobRef } from '../../src/queues/enqueue.js';
import { FairPriorities } from '../../src/queues/fair-priority.js';
import { closeQueues, createQueues, type Queues } from '../../src/queues/queues.js';
import { TEST_REDIS_URL, uniqueName } from '../helpers/harness.js';

const PIPELINE = { depositBackoffMs: 1_000, deliveryBackoffMs: 1_000 };

let prefix: string;
let redis: Redis;
let queues: Queues;

/** Our own class, counting the batches it is asked for; every call still goes to Redis. */
class CountedPriorities extends FairPriorities {
  calls = 0;
  override nextOfEach(supplierKeys: readonly string[]): Promise<number[]> {
    this.calls += 1;
    return super.nextOfEach(supplierKeys);
  }
}

beforeAll(() => {
  prefix = `{${uniqueName()}}`;
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  queues = createQueues(redis, prefix, PIPELINE);
});
afterAll(async () => {
  await closeQueues(queues);
  await redis.quit();
});

const ref = (supplierId: string, i: number): DepositJobRef => ({
  id: randomUUID(),
  number: `F-${supplierId}-${i}`,
  supplierId,
});

describe('deposit jobs added in batches', () => {
  it('adds every job with its fair priority, in a handful of priority calls', async () => {
    const priorities = new CountedPriorities(redis, prefix);
    const batcher = new DepositJobBatcher({ queues, priorities });
    const big = Array.from({ length: 50 }, (_, i) => ref('big', i));
    const small = Array.from({ length: 10 }, (_, i) => ref('small', i));
    // As the intake does: each request adds its own job as soon as its invoice is committed.
    await Promise.all([...big, ...small].map((invoice) => batcher.add(invoice)));

    const priorityOf = async (invoice: DepositJobRef) => (await queues.deposit.getJob(invoice.id))?.priority;
    // Start-time fair queueing from an idle queue: each supplier's n-th invoice gets priority n, so the small
    // supplier's ten interleave with the big one's first ten instead of waiting behind fifty.
    expect(await Promise.all(big.map(priorityOf))).toEqual(big.map((_, i) => i + 1));
    expect(await Promise.all(small.map(priorityOf))).toEqual(small.map((_, i) => i + 1));
    expect((await queues.deposit.getJob(big[0]!.id))?.data.invoiceId).toBe(big[0]!.id);
    expect(priorities.calls).toBeGreaterThan(0);
    expect(priorities.calls).toBeLessThanOrEqual(3);
  });

  it('fails each caller of a batch Redis refused, then goes on', async () => {
    const offline = new Redis(TEST_REDIS_URL, { enableOfflineQueue: false, lazyConnect: true });
    const batcher = new DepositJobBatcher({ queues, priorities: new FairPriorities(offline, prefix) });
    const refused = [ref('offline', 1), ref('offline', 2)];
    const outcomes = await Promise.allSettled(refused.map((invoice) => batcher.add(invoice)));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(await queues.deposit.getJob(refused[0]!.id)).toBeUndefined();

    // The refused command set ioredis connecting (lazyConnect); wait until it is there.
    if (offline.status !== 'ready') await (offline.status === 'wait' ? offline.connect() : once(offline, 'ready'));
    try {
      const later = ref('offline', 3);
      await batcher.add(later);
      expect(await queues.deposit.getJob(later.id)).toBeDefined();
    } finally {
      await offline.quit();
    }
  });

  it('still adds jobs after Redis lost its scripts', async () => {
    const batcher = new DepositJobBatcher({ queues, priorities: new FairPriorities(redis, prefix) });
    await batcher.add(ref('flushed', 1));
    await redis.script('FLUSH');
    const after = ref('flushed', 2);
    await batcher.add(after);
    expect((await queues.deposit.getJob(after.id))?.priority).toBe(2);
  });
});
