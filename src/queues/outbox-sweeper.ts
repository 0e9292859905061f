/**
 * The same guarantee as the deposit sweeper, for the rows that must have a job: notifications not yet fanned out,
 * deliveries still pending, follow-ups and validator decisions not yet settled. A missing job is added again (Redis
 * lost it, or the process died between commit and enqueue); a job left failed by a crash while its row still waits is
 * retried.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Job } from 'bullmq';
import type { Clock } from '../shared/clock.js';
import { Delivery } from '../db/entities/delivery.js';
import { FollowUp } from '../db/entities/follow-up.js';
import { Validation } from '../db/entities/validation.js';
import { Notification } from '../db/entities/notification.js';
import type { Logger } from '../logger.js';
import { enqueueDelivery, enqueueFollowUp, enqueueValidationDecision } from './enqueue.js';
import { withoutGhost } from './ghost-jobs.js';
import type { Queues } from './queues.js';

const BATCH_SIZE = 500;

export interface OutboxSweeperDeps {
  em: EntityManager;
  queues: Queues;
  logger: Logger;
  clock: Clock;
  graceMs: number;
}

/** `key` and `rowId`: where its data must name its row (see ghost-jobs.ts). */
async function ensureJob(
  found: Job | undefined,
  add: () => Promise<void>,
  key: string,
  rowId: string,
): Promise<boolean> {
  const checked = await withoutGhost(found, key, rowId);
  if (checked === 'locked') return false;
  const { job } = checked;
  if (job && (await job.isFailed())) {
    await job.retry('failed');
    return true;
  }
  if (job) return false;
  await add();
  return true;
}

/** One pass; returns how many jobs were added back or retried. */
export async function sweepOutbox(deps: OutboxSweeperDeps): Promise<number> {
  const em = deps.em.fork();
  const olderThan = new Date(deps.clock.now().getTime() - deps.graceMs);
  let restored = 0;

  const notifications = await em.find(
    Notification,
    { fannedOutAt: null, createdAt: { $lte: olderThan } },
    { orderBy: { createdAt: 'asc' }, limit: BATCH_SIZE },
  );
  for (const n of notifications) {
    if (
      await ensureJob(
        await deps.queues.alerts.getJob(n.id),
        async () =>
          void (await deps.queues.alerts.add(`${n.event} (swept)`, { notificationId: n.id }, { jobId: n.id })),
        'notificationId',
        n.id,
      )
    )
      restored += 1;
  }
  const deliveries = await em.find(
    Delivery,
    { status: 'pending', updatedAt: { $lte: olderThan } },
    { orderBy: { updatedAt: 'asc' }, limit: BATCH_SIZE },
  );
  for (const d of deliveries) {
    if (
      await ensureJob(
        await deps.queues.deliveries.getJob(d.id),
        () => enqueueDelivery(deps.queues, { id: d.id, channel: d.channel, label: '(swept)' }),
        'deliveryId',
        d.id,
      )
    )
      restored += 1;
  }
  const followUps = await em.find(
    FollowUp,
    { state: { $in: ['queued', 'sending'] }, updatedAt: { $lte: olderThan } },
    { orderBy: { updatedAt: 'asc' }, limit: BATCH_SIZE, populate: ['invoice'] },
  );
  for (const f of followUps) {
    if (
      await ensureJob(
        await deps.queues['follow-ups'].getJob(f.id),
        () => enqueueFollowUp(deps.queues, { id: f.id, kind: f.kind, invoiceNumber: f.invoice.getEntity().number }),
        'followUpId',
        f.id,
      )
    )
      restored += 1;
  }
  const decisions = await em.find(
    Validation,
    { decisionState: { $in: ['queued', 'sending'] }, updatedAt: { $lte: olderThan } },
    { orderBy: { updatedAt: 'asc' }, limit: BATCH_SIZE },
  );
  for (const v of decisions) {
    const ref = { id: v.id, decisionId: v.decision!.id, action: v.decision!.action, invoiceNumber: v.invoiceNumber };
    if (
      await ensureJob(
        await deps.queues.validations.getJob(ref.decisionId),
        () => enqueueValidationDecision(deps.queues, ref),
        'validationId',
        v.id,
      )
    )
      restored += 1;
  }
  if (restored > 0)
    deps.logger.warn(
      'Alert, delivery, follow-up or decision jobs were missing or left failed by a crash; added them again',
      { restored },
    );
  return restored;
}
