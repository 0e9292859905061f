/**
 * At most `maxPerSecond` calls to Chorus Pro in any one-second window, from all our processes together: a
 * guarantee, not a target. A call holds a slot from the moment it is admitted until one window after its answer
 * arrived; its arrival at Chorus Pro lies between the two, whatever the delays on the way (a loaded machine, a
 * slow network). The slots live in Redis (a sorted set scored with Redis's clock, so every process agrees).
 * A call still in flight is scored with the end of its lease (its timeout): a process killed mid-call frees its
 * slot when that lease ends.
 *
 * Within a process, calls are admitted in the order of their job's priority (`callPriority`, the BullMQ priority
 * of the job making the call; 0, no priority, goes first), then of arrival: only the first waiter asks Redis. Without
 * it the jobs in progress raced for each freed slot, and a supplier's lone invoice, taken early by the fair queue,
 * could lose that race to the invoices of a supplier with a backlog (the fairness test saw it 7th of 31).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../queues/redis.js';

const WINDOW_MS = 1000;

const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
local lease = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + lease, ARGV[3])
  if redis.call('PTTL', KEYS[1]) < lease + window then redis.call('PEXPIRE', KEYS[1], lease + window) end
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now + 1)
`;

/** The answer arrived: the slot is scored with now, and leaves the set one window later. */
const RELEASE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1])
return 0
`;

/** The priority of the job whose calls run in this async context; set by the worker around each job. */
export const callPriority = new AsyncLocalStorage<number>();

interface Waiter {
  priority: number;
  arrival: number;
  wake: () => void;
}

export class ChorusRateLimiter {
  readonly #key: string;
  readonly #waiting: Waiter[] = [];
  #arrivals = 0;
  #polling = false;

  constructor(
    private readonly redis: RedisClient,
    keyPrefix: string,
    readonly maxPerSecond: number,
  ) {
    if (!Number.isInteger(maxPerSecond) || maxPerSecond < 1) throw new Error('maxPerSecond must be a positive integer');
    this.#key = `${keyPrefix}:chorus-rate`;
  }

  /**
   * Waits until a call is allowed and takes its slot for at most `leaseMs` (the call's timeout). Returns the
   * release to run when the answer (or the failure) arrives.
   */
  async acquire(leaseMs: number, signal?: AbortSignal): Promise<() => void> {
    const id = randomUUID();
    await this.#turn(callPriority.getStore() ?? 0);
    try {
      for (;;) {
        const waitMs = Number(
          await this.redis.eval(ACQUIRE, 1, this.#key, this.maxPerSecond, WINDOW_MS, id, Math.max(leaseMs, WINDOW_MS)),
        );
        if (waitMs <= 0) break;
        signal?.throwIfAborted();
        await new Promise((resolve) => setTimeout(resolve, Math.min(waitMs, WINDOW_MS)));
      }
    } finally {
      this.#passTurn();
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // If this fails (Redis away), the lease ends the slot anyway.
      this.redis.eval(RELEASE, 1, this.#key, id).catch(() => undefined);
    };
  }

  /** Resolves when this call is the one of the process to ask Redis for a slot. */
  #turn(priority: number): Promise<void> {
    if (!this.#polling) {
      this.#polling = true;
      return Promise.resolve();
    }
    return new Promise((wake) => {
      this.#waiting.push({ priority, arrival: this.#arrivals++, wake });
    });
  }

  #passTurn(): void {
    if (this.#waiting.length === 0) {
      this.#polling = false;
      return;
    }
    let next = 0;
    for (let i = 1; i < this.#waiting.length; i++) {
      const [a, b] = [this.#waiting[i]!, this.#waiting[next]!];
      if (a.priority < b.priority || (a.priority === b.priority && a.arrival < b.arrival)) next = i;
    }
    const [waiter] = this.#waiting.splice(next, 1);
    waiter!.wake();
  }
}
