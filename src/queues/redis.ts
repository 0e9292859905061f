/** Redis connection settings shared by every queue, worker and cache. */
import type { ConnectionOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import type { Config } from '../config.js';

/** ioredis's options, less `replyMapping`, which its constructor types differently (and we never set). */
type ConnectionSettings = Omit<RedisOptions, 'replyMapping'>;

/**
 * Options for a connection to `REDIS_URL`. `rediss://` turns TLS on; Heroku's Redis presents a self-signed
 * certificate, so verification follows `REDIS_TLS_VERIFY`. `maxRetriesPerRequest: null` is what BullMQ workers
 * need to survive a Redis restart: commands wait for the reconnection instead of failing.
 */
export function redisOptions(redis: Config['redis']): ConnectionSettings {
  const url = new URL(redis.url);
  const options: ConnectionSettings = {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : 6379,
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
    maxRetriesPerRequest: null,
  };
  if (url.username) options.username = decodeURIComponent(url.username);
  if (url.password) options.password = decodeURIComponent(url.password);
  if (url.protocol === 'rediss:') options.tls = { rejectUnauthorized: redis.tlsVerify, servername: options.host };
  return options;
}

/**
 * A connection owned by its caller, who must `quit()` it. `failFast` connections (used by the web process to add
 * jobs) refuse commands while Redis is down instead of queueing them: the invoice is already safe in PostgreSQL
 * and the sweeper will enqueue it, so the intake must not hang.
 */
export function createRedis(redis: Config['redis'], options: { failFast?: boolean; name?: string } = {}): Redis {
  const client = new Redis({
    ...redisOptions(redis),
    ...(options.failFast ? { enableOfflineQueue: false, maxRetriesPerRequest: 1 } : {}),
    ...(options.name ? { connectionName: options.name } : {}),
  });
  return client;
}

/** The same options for BullMQ Workers, which open and close their own blocking connections from them. */
export function workerConnection(redis: Config['redis']): ConnectionOptions {
  // ioredis's and BullMQ's option types describe the same plain object but differ in a few signatures.
  return redisOptions(redis) as ConnectionOptions;
}
