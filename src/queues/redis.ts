/**
 * Every Redis connection of the relay is made here, for whichever of the three topologies the configuration names:
 * one node (REDIS_URL), a primary watched by Sentinel (REDIS_SENTINELS), or a Redis Cluster (REDIS_CLUSTER_NODES).
 * The last two follow a failover by themselves: Sentinel's clients ask the sentinels where the primary is now, and
 * Cluster's clients follow `MOVED` answers and refresh the slot map when a node goes away.
 */
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

import type { HostPort, RedisConfig, RedisNodeAccess } from '../config.js';

/** A connection of any topology: what queues, workers, caches and the rate limiter are given. */
export type RedisClient = Redis | Cluster;

/** ioredis's options, less `replyMapping`, which its constructor types differently (and we never set). */
type ConnectionSettings = Omit<RedisOptions, 'replyMapping'>;

export interface ConnectionPurpose {
  /**
   * Refuse commands while Redis is unreachable instead of queueing them. The web process adds jobs through such a
   * connection: the invoice is already safe in PostgreSQL and the sweeper enqueues it later, so the intake must not
   * hang on Redis.
   */
  failFast?: boolean;
  /** This connection's name in `CLIENT LIST`. */
  name?: string;
}

// Reconnection every 50 ms growing to 1 s: a failover's new primary is used within a second of answering.
const retryDelay = (times: number) => Math.min(50 * times, 1_000);

/**
 * A node that became a replica under us (a failover behind a DNS name, or the old primary come back as replica)
 * answers writes with READONLY: reconnect, which finds the primary again, and send the command once more.
 */
const reconnectOnReadOnly = (error: Error) => (error.message.startsWith('READONLY') ? 2 : false);

/**
 * Options shared by every connection. `maxRetriesPerRequest: null` is what BullMQ workers need to live through a
 * Redis restart or failover: commands wait for the reconnection instead of failing.
 */
function nodeOptions(purpose: ConnectionPurpose) {
  return {
    maxRetriesPerRequest: purpose.failFast ? 1 : null,
    reconnectOnError: reconnectOnReadOnly,
    ...(purpose.name ? { connectionName: purpose.name } : {}),
  } satisfies ConnectionSettings;
}

/** For a connection to one node (found by URL or by the sentinels); a cluster has its own retries. */
function singleConnectionOptions(purpose: ConnectionPurpose): ConnectionSettings {
  return { ...nodeOptions(purpose), retryStrategy: retryDelay, enableOfflineQueue: !purpose.failFast };
}

/**
 * Options for a connection to `REDIS_URL`. `rediss://` turns TLS on; Heroku's Redis presents a self-signed
 * certificate, so verification follows `REDIS_TLS_VERIFY`.
 */
export function singleNodeOptions(redis: { url: string; tlsVerify: boolean }): ConnectionSettings {
  const url = new URL(redis.url);
  const options: ConnectionSettings = {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : 6379,
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
  };
  if (url.username) options.username = decodeURIComponent(url.username);
  if (url.password) options.password = decodeURIComponent(url.password);
  if (url.protocol === 'rediss:') options.tls = { rejectUnauthorized: redis.tlsVerify, servername: options.host };
  return options;
}

function nodeAccess(access: RedisNodeAccess): ConnectionSettings {
  return {
    ...(access.username === undefined ? {} : { username: access.username }),
    ...(access.password === undefined ? {} : { password: access.password }),
    ...(access.tls ? { tls: { rejectUnauthorized: access.tlsVerify } } : {}),
  };
}

const keepHostName: ClusterOptions['dnsLookup'] = (address, callback) => callback(null, address);

const hostPorts = (nodes: readonly HostPort[]) => nodes.map(({ host, port }) => ({ host, port }));

/** A connection owned by its caller, who must `quit()` it (or `disconnect()` it when Redis is gone). */
export function createRedis(redis: RedisConfig, purpose: ConnectionPurpose = {}): RedisClient {
  switch (redis.topology) {
    case 'single':
      return new Redis({ ...singleNodeOptions(redis), ...singleConnectionOptions(purpose) });
    case 'sentinel':
      return new Redis({
        ...nodeAccess(redis),
        ...singleConnectionOptions(purpose),
        sentinels: hostPorts(redis.sentinels),
        name: redis.name,
        role: 'master',
        ...(redis.sentinelPassword === undefined ? {} : { sentinelPassword: redis.sentinelPassword }),
        ...(redis.tls ? { enableTLSForSentinelMode: true, sentinelTLS: { rejectUnauthorized: redis.tlsVerify } } : {}),
        // No `failoverDetector`: it holds one more connection to every sentinel per client. A primary that dies
        // closes its connections, and one demoted while it lives answers READONLY: either way the client asks the
        // sentinels again.
        sentinelRetryStrategy: retryDelay,
      });
    case 'cluster': {
      return new Cluster(hostPorts(redis.nodes), {
        redisOptions: { ...nodeAccess(redis), ...nodeOptions(purpose) },
        clusterRetryStrategy: retryDelay,
        enableOfflineQueue: !purpose.failFast,
        retryDelayOnFailover: 200,
        retryDelayOnClusterDown: 200,
        retryDelayOnTryAgain: 200,
        // Managed clusters behind TLS present certificates for their host names, which must not be resolved away.
        ...(redis.tls ? { dnsLookup: keepHostName } : {}),
      });
    }
  }
}

/** A human description of where Redis is, without credentials, for start-up lines. */
export function describeRedis(redis: RedisConfig): string {
  switch (redis.topology) {
    case 'single': {
      const url = new URL(redis.url);
      return `${url.protocol}//${url.host}${url.pathname.length > 1 ? url.pathname : ''}`;
    }
    case 'sentinel':
      return `Sentinel "${redis.name}" at ${redis.sentinels.map((s) => `${s.host}:${s.port}`).join(',')}`;
    case 'cluster':
      return `Redis Cluster at ${redis.nodes.map((s) => `${s.host}:${s.port}`).join(',')}`;
  }
}
