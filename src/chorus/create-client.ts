import type { RedisClient } from '../queues/redis.js';
import type { ChorusConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { SharedMetrics } from '../metrics/shared-metrics.js';
import type { SecretBox } from '../shared/secret-box.js';
import { ChorusClient } from './client.js';
import { ChorusRateLimiter } from './rate-limiter.js';
import { PisteTokenProvider } from './token-provider.js';

/**
 * A client for the configured Chorus Pro (or simulator), sharing its token, its rate limit and 429 pauses through
 * `redis`.
 */
export function createChorusClient(
  config: ChorusConfig,
  deps: {
    redis: RedisClient;
    secretBox: SecretBox;
    keyPrefix: string;
    maxPerSecond: number;
    logger: Logger;
    metrics?: SharedMetrics;
  },
): ChorusClient {
  const limiter = new ChorusRateLimiter(deps.redis, deps.keyPrefix, deps.maxPerSecond);
  const tokens = new PisteTokenProvider({
    oauthUrl: config.oauthUrl,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    redis: deps.redis,
    secretBox: deps.secretBox,
    keyPrefix: deps.keyPrefix,
    timeoutMs: config.timeoutMs,
  });
  return new ChorusClient({
    apiUrl: config.apiUrl,
    tokens,
    redis: deps.redis,
    keyPrefix: deps.keyPrefix,
    timeoutMs: config.timeoutMs,
    depositTimeoutMs: config.depositTimeoutMs,
    beforeRequest: async (operation, leaseMs) => {
      const waiting = performance.now();
      const release = await limiter.acquire(leaseMs);
      deps.metrics?.observe('chorus_relay_rate_limiter_wait_seconds', {}, (performance.now() - waiting) / 1000);
      const sent = performance.now();
      return (outcome) => {
        release();
        deps.metrics?.count('chorus_relay_chorus_calls_total', { endpoint: operation, outcome });
        deps.metrics?.observe(
          'chorus_relay_chorus_call_duration_seconds',
          { endpoint: operation },
          (performance.now() - sent) / 1000,
        );
      };
    },
    onUnreadableItems: (operation, items) => {
      deps.metrics?.count('chorus_relay_chorus_items_unreadable_total', { endpoint: operation }, items.length);
      // The item goes through the logger's redaction; the rest of the answer was read and used.
      for (const { list, index, problem, item } of items) {
        deps.logger.warn(
          `Chorus Pro's answer to ${operation} carried an item we cannot read; it was skipped, the others were read`,
          {
            endpoint: operation,
            list,
            index,
            problem,
            item,
          },
        );
      }
    },
  });
}
