/**
 * At most `maxPerSecond` calls to Chorus Pro per second from all our processes together: a sliding-window log
 * in Redis (a sorted set of call times, taken from Redis's clock so that every process agrees).
 *
 * The window is a little longer than a second: a request admitted here reaches Chorus Pro a few milliseconds
 * later, and those delays vary, so two calls admitted 1000 ms apart could arrive 990 ms apart.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return tonumber(oldest[2]) + window - now + 1
`;

export const WINDOW_MARGIN_MS = 100;

export class ChorusRateLimiter {
  readonly #key: string;

  constructor(
    private readonly redis: Redis,
    keyPrefix: string,
    readonly maxPerSecond: number,
  ) {
    if (!Number.isInteger(maxPerSecond) || maxPerSecond < 1) throw new Error('maxPerSecond must be a positive integer');
    this.#key = `${keyPrefix}:chorus-rate`;
  }

  /** Waits until a call is allowed, then counts it. */
  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const waitMs = Number(await this.redis.eval(ACQUIRE, 1, this.#key, this.maxPerSecond, 1000 + WINDOW_MARGIN_MS, randomUUID()));
      if (waitMs <= 0) return;
      signal?.throwIfAborted();
      await new Promise((resolve) => setTimeout(resolve, Math.min(waitMs, 1000)));
    }
  }
}
