/**
 * Ready for Redis Cluster: every key the relay and BullMQ write carries the hash-tagged prefix `{QUEUE_PREFIX}`,
 * so all of them hash to one slot, as BullMQ's multi-key scripts and ours need. Checked on one node, after a
 * deposit went through every queue it touches (deposit, report, status sync, alerts, deliveries).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '../../workers/worker.js';
import { TEST_REDIS_URL } from '../helpers/harness.js';
import {
  createPipelineHarness,
  FAST_PIPELINE_ENV,
  read,
  settled,
  submit,
  type PipelineHarness,
} from '../helpers/pipeline.js';

/** The slot Redis Cluster gives a key: CRC16 (XMODEM) of its hash tag, or of the whole key without one, mod 16384. */
function keySlot(key: string): number {
  const open = key.indexOf('{');
  const close = open >= 0 ? key.indexOf('}', open + 1) : -1;
  const hashed = close > open + 1 ? key.slice(open + 1, close) : key;
  let crc = 0;
  for (const byte of Buffer.from(hashed, 'utf8')) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}

let p: PipelineHarness;
let redis: Redis;
beforeAll(async () => {
  p = await createPipelineHarness({ env: FAST_PIPELINE_ENV });
  redis = new Redis(TEST_REDIS_URL);
});
afterAll(async () => {
  await redis.quit();
  await p.close();
});

describe('Redis keys', () => {
  it('the CRC16 slot function agrees with Redis Cluster on known keys', () => {
    // Values from the Redis Cluster specification (the "{user1000}" example shares a slot with its tag).
    expect(keySlot('123456789')).toBe(0x31c3 % 16384);
    expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'));
  });

  it('all live in one cluster slot, under the tagged prefix', async () => {
    const worker = startWorker(p.h.ctx);
    try {
      const { id } = await submit(p.h);
      await settled(p.h, id, ['integrated'], 30_000);
      expect((await read(p.h, id)).state).toBe('integrated');
    } finally {
      await worker.stop();
    }
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `*${p.h.name}*`, 'COUNT', 1000);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    expect(p.h.config.queuePrefix).toBe(`{${p.h.name}}`);
    expect(keys.length).toBeGreaterThan(10);
    expect(keys.filter((k) => !k.startsWith(`{${p.h.name}}:`))).toEqual([]);
    expect(new Set(keys.map(keySlot)).size).toBe(1);
    expect(keys.some((k) => k.includes(':deposit:'))).toBe(true);
  });
});
