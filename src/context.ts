/**
 * The composition root: builds the dependencies every process shares and hands them over explicitly.
 * Nothing here is a module-level singleton; tests build their own context.
 */
import type { Redis } from 'ioredis';
import type { ChorusClient } from './chorus/client.js';
import { createChorusClient } from './chorus/create-client.js';
import { ChorusInvoicing } from './chorus/invoicing.js';
import { StructureDirectory } from './chorus/structure-directory.js';
import type { Config } from './config.js';
import { initOrm, type MikroORM } from './db/orm.js';
import { createLogger, type Logger } from './logger.js';
import { FairPriorities } from './queues/fair-priority.js';
import { createQueues, closeQueues, type Queues } from './queues/queues.js';
import { createRedis } from './queues/redis.js';
import { Releasers } from './shared/releasers.js';
import { SecretBox } from './shared/secret-box.js';

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

export interface AppContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly orm: MikroORM;
  /** The producer connection used by `queues` (fail-fast: see createRedis). */
  readonly redis: Redis;
  readonly queues: Queues;
  /** Fair order of deposits across suppliers. */
  readonly priorities: FairPriorities;
  readonly secretBox: SecretBox;
  /** Chorus Pro (or the simulator); null when no Chorus Pro is configured. */
  readonly chorus: ChorusClient | null;
  /** Deposits, reports and statuses in our own words; null without Chorus Pro. */
  readonly invoicing: ChorusInvoicing | null;
  /** Recipient structures as Chorus Pro describes them, cached; null without Chorus Pro. */
  readonly structures: StructureDirectory | null;
  readonly clock: Clock;
  /** Closes what this context opened, in reverse order. Idempotent. */
  close(): Promise<void>;
}

export interface ContextOverrides {
  logger?: Logger;
  clock?: Clock;
  /** A name for this process in Redis `CLIENT LIST` and in logs. */
  processName?: string;
}

export async function createContext(config: Config, overrides: ContextOverrides = {}): Promise<AppContext> {
  const logger = overrides.logger ?? createLogger(config.log);
  const releasers = new Releasers();
  try {
    const orm = await initOrm({ url: config.database.url, ssl: config.database.ssl, logger, ...(config.database.poolMax ? { poolMax: config.database.poolMax } : {}) });
    releasers.add('postgres', () => orm.close(true));

    const redis = createRedis(config.redis, { failFast: true, name: overrides.processName ?? 'chorus-relay' });
    // Without a listener ioredis prints every failed reconnection attempt as an unhandled error.
    redis.on('error', (error: Error) => logger.warn('Redis connection error', { error: error.message }));
    releasers.add('redis', () => redis.quit().catch(() => redis.disconnect()));

    const queues = createQueues(redis, config.queuePrefix, config.pipeline);
    for (const queue of Object.values(queues)) {
      queue.on('error', (error: Error) => logger.warn('Queue error', { queue: queue.name, error: error.message }));
    }
    releasers.add('queues', () => closeQueues(queues));

    const secretBox = new SecretBox(config.secretKey);
    const chorus = config.chorus ? createChorusClient(config.chorus, { redis, secretBox, keyPrefix: config.queuePrefix, maxPerSecond: config.pipeline.chorusMaxRps }) : null;
    return {
      config,
      logger,
      orm,
      redis,
      queues,
      priorities: new FairPriorities(redis, config.queuePrefix),
      secretBox,
      chorus,
      invoicing: chorus ? new ChorusInvoicing(chorus) : null,
      structures: chorus ? new StructureDirectory(chorus, redis, config.queuePrefix, config.pipeline.structureCacheSeconds) : null,
      clock: overrides.clock ?? systemClock,
      close: () => releasers.releaseAll((name, error) => logger.error(`Closing ${name} failed`, { error })),
    };
  } catch (error) {
    await releasers.releaseAll().catch(() => undefined);
    throw error;
  }
}
