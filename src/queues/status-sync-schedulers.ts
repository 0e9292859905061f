/**
 * One BullMQ job scheduler per technical account syncs the Chorus statuses of every supplier account that logs in
 * with it (one search answers them all): it is named after the first of them registered. Upserting a scheduler under a
 * stable id is idempotent, but concurrent upserts of one id race in BullMQ (known issue), so processes take a short
 * Redis lock first. Re-run on every sweep, this also rebuilds the schedulers after Redis lost them.
 * The one `checks` scheduler (overdue payments, password expiry) is kept here too.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import type { RedisClient } from './redis.js';
import { SupplierAccount } from '../db/entities/supplier-account.js';
import type { AppContext } from '../context.js';
import type { Queues } from './queues.js';
import { technicalAccountKey } from './enqueue.js';

export const statusSyncSchedulerId = (supplierAccountId: string) => `status-sync-${supplierAccountId}`;

export const CHECKS_SCHEDULER_ID = 'checks';

export async function ensureStatusSyncSchedulers(deps: {
  em: EntityManager;
  queues: Queues;
  redis: RedisClient;
  keyPrefix: string;
  everyMs: number;
  checksEveryMs: number;
}): Promise<number> {
  const lockKey = `${deps.keyPrefix}:status-sync-schedulers:lock`;
  const owner = randomUUID();
  if ((await deps.redis.set(lockKey, owner, 'PX', 30_000, 'NX')) !== 'OK') return 0;
  try {
    const accounts = await deps.em
      .fork()
      .find(
        SupplierAccount,
        {},
        { fields: ['id', 'siret', 'environment', 'chorusLogin'], orderBy: { createdAt: 'asc', id: 'asc' } },
      );
    const existing = new Map((await deps.queues['status-sync'].getJobSchedulers()).map((s) => [s.key, s]));
    let upserted = 0;
    const checks = (await deps.queues.checks.getJobSchedulers()).find((s) => s.key === CHECKS_SCHEDULER_ID);
    if (checks?.every !== deps.checksEveryMs) {
      await deps.queues.checks.upsertJobScheduler(
        CHECKS_SCHEDULER_ID,
        { every: deps.checksEveryMs },
        { name: 'checks', data: {} },
      );
      upserted += 1;
    }
    const leaders = new Map<string, (typeof accounts)[number]>();
    for (const account of accounts) {
      const key = technicalAccountKey(account);
      if (!leaders.has(key)) leaders.set(key, account);
    }
    for (const account of accounts) {
      const id = statusSyncSchedulerId(account.id);
      if (leaders.get(technicalAccountKey(account)) !== account) {
        // Its technical account's sync covers it.
        if (existing.has(id)) await deps.queues['status-sync'].removeJobScheduler(id);
        continue;
      }
      if (existing.get(id)?.every === deps.everyMs) continue;
      await deps.queues['status-sync'].upsertJobScheduler(
        id,
        { every: deps.everyMs },
        { name: `status-sync ${account.siret}`, data: { supplierAccountId: account.id } },
      );
      upserted += 1;
    }
    return upserted;
  } finally {
    await deps.redis.eval(
      "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end",
      1,
      lockKey,
      owner,
    );
  }
}

/** With the settings of this process's configuration: what the worker and the intake call. */
export function ensureSchedulers(ctx: Pick<AppContext, 'orm' | 'queues' | 'redis' | 'config'>): Promise<number> {
  return ensureStatusSyncSchedulers({
    em: ctx.orm.em,
    queues: ctx.queues,
    redis: ctx.redis,
    keyPrefix: ctx.config.queuePrefix,
    everyMs: ctx.config.pipeline.statusSyncIntervalMs,
    checksEveryMs: ctx.config.alerts.checksIntervalMs,
  });
}
