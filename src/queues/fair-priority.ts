/**
 * Fair order across suppliers for deposits: one supplier's 10 000 invoices must not starve another supplier's
 * single invoice. Each job gets a BullMQ priority by start-time fair queueing: a supplier's next invoice goes
 * one step after the later of its own previous invoice and the invoice being served now. Two suppliers with
 * backlogs therefore alternate, and a newcomer goes right after what is being served.
 */
import { createHash } from 'node:crypto';
import type { RedisClient } from './redis.js';

/** BullMQ priorities stop at 2^21; past this the counters start again from 1 (a moment of FIFO order). */
const MAX_PRIORITY = 2_000_000;

/** The priorities of several deposits at once, in order (ARGV[1] is the ceiling, then one supplier per job). */
const NEXT = `
local priorities = {}
for i = 2, #ARGV do
  local served = tonumber(redis.call('GET', KEYS[2]) or '0')
  local last = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '0')
  local p = math.max(last, served) + 1
  if p > tonumber(ARGV[1]) then
    redis.call('DEL', KEYS[1])
    redis.call('SET', KEYS[2], '0')
    p = 1
  end
  redis.call('HSET', KEYS[1], ARGV[i], p)
  priorities[#priorities + 1] = p
end
return priorities
`;
const NEXT_SHA = createHash('sha1').update(NEXT).digest('hex');

const SERVED = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then redis.call('SET', KEYS[1], ARGV[1]) end
return 0
`;

export class FairPriorities {
  readonly #lastKey: string;
  readonly #servedKey: string;

  constructor(
    private readonly redis: RedisClient,
    keyPrefix: string,
  ) {
    this.#lastKey = `${keyPrefix}:deposit-fair:last`;
    this.#servedKey = `${keyPrefix}:deposit-fair:served`;
  }

  /** The priorities of the next deposits of these suppliers (one per entry, a supplier may repeat), in one call. */
  async nextOfEach(supplierKeys: readonly string[]): Promise<number[]> {
    if (supplierKeys.length === 0) return [];
    const args = [this.#lastKey, this.#servedKey, MAX_PRIORITY, ...supplierKeys];
    // By its digest: the script's text goes over the wire only when Redis does not have it yet (after a restart).
    const answer = await this.redis.evalsha(NEXT_SHA, 2, ...args).catch((error: unknown) => {
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) return this.redis.eval(NEXT, 2, ...args);
      throw error;
    });
    return Array.isArray(answer) ? answer.map(Number) : [];
  }

  /** A job of this priority has started. */
  async served(priority: number): Promise<void> {
    if (priority > 0) await this.redis.eval(SERVED, 1, this.#servedKey, priority);
  }
}
