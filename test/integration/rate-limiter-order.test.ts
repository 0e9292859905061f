/**
 * Within a process the rate limiter admits waiting calls by their job's priority, then by arrival: a supplier's lone
 * invoice does not lose the race for a slot to the backlog of another (the fair order of deposits, kept at the limit).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callPriority, ChorusRateLimiter } from '../../src/chorus/rate-limiter.js';
import { TEST_REDIS_URL, uniqueName } from '../helpers/harness.js';

let redis: Redis;
beforeAll(() => {
  redis = new Redis(TEST_REDIS_URL);
});
afterAll(() => redis.quit());

describe('the rate limiter within a process', () => {
  it('admits the waiting calls in priority order (0 first), then in arrival order', async () => {
    const limiter = new ChorusRateLimiter(redis, `{${uniqueName()}}`, 2);
    const admitted: string[] = [];
    const call = (label: string, priority: number) =>
      callPriority.run(priority, async () => {
        const release = await limiter.acquire(1000);
        admitted.push(label);
        release();
      });
    // The first call asks Redis at once; the others queue behind it and each freed turn goes to the best of them.
    const calls = [
      call('A1', 1),
      call('A2', 2),
      call('A3', 3),
      call('A4', 4),
      call('B1', 1),
      call('report', 0),
      call('A5', 5),
    ];
    await Promise.all(calls);
    expect(admitted).toEqual(['A1', 'report', 'B1', 'A2', 'A3', 'A4', 'A5']);
  });
});
