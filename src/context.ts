/**
 * The composition root: builds the dependencies every process shares and hands them over explicitly.
 * Nothing here is a module-level singleton; tests build their own context.
 */
import type { RedisClient } from './queues/redis.js';
import type { ChorusClient } from './chorus/client.js';
import { createChorusClient } from './chorus/create-client.js';
import { ChorusInvoicing } from './chorus/invoicing.js';
import { StructureDirectory } from './chorus/structure-directory.js';
import type { ChorusEnvironment } from './chorus/environments.js';
import { SharedMetrics } from './metrics/shared-metrics.js';
import { createFileChecker, type FileChecker } from './invoices/einvoice/file-checker.js';
import { createRulesChecker, type RulesChecker } from './invoices/einvoice/en16931/rules-checker.js';
import type { Config } from './config.js';
import { initOrm, type MikroORM } from './db/orm.js';
import { createLogger, type Logger } from './logger.js';
import { FairPriorities } from './queues/fair-priority.js';
import { DepositJobBatcher } from './queues/enqueue.js';
import { ContractDirectory } from './contracts/directory.js';
import { createQueues, closeQueues, type Queues } from './queues/queues.js';
import { createRedis, describeRedis } from './queues/redis.js';
import { Releasers } from './shared/releasers.js';
import { SecretBox } from './shared/secret-box.js';
import { systemClock, type Clock } from './shared/clock.js';

/** What the workers use of one Chorus Pro environment. */
export interface ChorusAccess {
  readonly client: ChorusClient;
  /** Deposits, reports and statuses in our own words. */
  readonly invoicing: ChorusInvoicing;
  /** Recipient structures as Chorus Pro describes them, cached. */
  readonly structures: StructureDirectory;
}

export interface AppContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly orm: MikroORM;
  /** The producer connection used by `queues` (fail-fast: see createRedis). */
  readonly redis: RedisClient;
  readonly queues: Queues;
  /** Fair order of deposits across suppliers. */
  readonly priorities: FairPriorities;
  /** The intake's deposit jobs, added to `queues` in batches. */
  readonly depositJobs: DepositJobBatcher;
  /** Contract profiles by market number, briefly cached for the intake. */
  readonly contracts: ContractDirectory;
  readonly secretBox: SecretBox;
  /** Chorus Pro (or the simulator) per environment; null for an environment without PISTE credentials. */
  readonly chorus: Readonly<Record<ChorusEnvironment, ChorusAccess | null>>;
  readonly clock: Clock;
  /** Counters and histograms every process adds to, in Redis; served by the web process at /metrics. */
  readonly metrics: SharedMetrics;
  /** Reads invoice files in worker threads (started on first use). */
  readonly fileChecker: FileChecker;
  /** Runs the official EN 16931 rules on invoice files, in worker threads (started on first use). */
  readonly rulesChecker: RulesChecker;
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
  const clock = overrides.clock ?? systemClock;
  try {
    const orm = await initOrm({
      clock,
      url: config.database.url,
      ssl: config.database.ssl,
      logger,
      ...(config.database.poolMax ? { poolMax: config.database.poolMax } : {}),
    });
    releasers.add('postgres', () => orm.close(true));

    const redis = createRedis(config.redis, { failFast: true, name: overrides.processName ?? 'chorus-relay' });
    // Without a listener ioredis prints every failed reconnection attempt as an unhandled error.
    redis.on('error', (error: Error) => logger.warn('Redis connection error', { error: error.message }));
    logger.info(`Redis: ${describeRedis(config.redis)}`);
    releasers.add('redis', () => redis.quit().catch(() => redis.disconnect()));

    const queues = createQueues(redis, config.queuePrefix, config.pipeline);
    for (const queue of Object.values(queues)) {
      queue.on('error', (error: Error) => logger.warn('Queue error', { queue: queue.name, error: error.message }));
    }
    releasers.add('queues', () => closeQueues(queues));

    const secretBox = new SecretBox(config.secretKeys);
    const metrics = new SharedMetrics(redis, config.queuePrefix);
    // Each environment is its own PISTE application: its own token, rate limit, 429 pause and structure cache.
    const access = (environment: ChorusEnvironment): ChorusAccess | null => {
      const settings = config.chorus?.[environment];
      if (!settings) return null;
      const keyPrefix = `${config.queuePrefix}:${environment}`;
      const client = createChorusClient(settings, {
        redis,
        secretBox,
        keyPrefix,
        maxPerSecond: config.pipeline.chorusMaxRps,
        logger,
        metrics,
      });
      return {
        client,
        invoicing: new ChorusInvoicing(client),
        structures: new StructureDirectory(client, redis, keyPrefix, config.pipeline.structureCacheSeconds),
      };
    };
    const chorus = { production: access('production'), sandbox: access('sandbox') };
    const fileChecker = createFileChecker(config.fileLimits);
    releasers.add('file checker', () => fileChecker.close());
    const rulesChecker = createRulesChecker(config.rules, config.fileLimits);
    releasers.add('rules checker', () => rulesChecker.close());
    const rules = rulesChecker.status();
    if (rules.on) logger.info(`EN 16931 check on: rules ${rules.release} in ${config.rules.dir}`);
    else
      logger.warn(
        `EN 16931 check off: ${rules.reason}. Invoices are deposited without it; install the rules with npm run rules:install`,
      );
    const priorities = new FairPriorities(redis, config.queuePrefix);
    return {
      config,
      logger,
      orm,
      redis,
      queues,
      priorities,
      depositJobs: new DepositJobBatcher({ queues, priorities }),
      contracts: new ContractDirectory(),
      secretBox,
      chorus,
      clock,
      fileChecker,
      rulesChecker,
      metrics,
      close: () => releasers.releaseAll((name, error) => logger.error(`Closing ${name} failed`, { error })),
    };
  } catch (error) {
    await releasers.releaseAll().catch(() => undefined);
    throw error;
  }
}
