/**
 * Alerts are never lost to Redis: a notification committed without its job (the process died between the commit
 * and the enqueue, or Redis was away), a pending delivery without its job, a follow-up without its job: the
 * sweeper finds each from PostgreSQL and adds the job back, and the alert is then delivered once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifySupplier } from '../../src/alerts/notify.js';
import { Delivery } from '../../src/db/entities/delivery.js';
import { FollowUp } from '../../src/db/entities/follow-up.js';
import { Invoice } from '../../src/db/entities/invoice.js';
import { SupplierAccount } from '../../src/db/entities/supplier-account.js';
import { sweepOutbox } from '../../src/queues/outbox-sweeper.js';
import { startWorker } from '../../workers/worker.js';
import { jsonInit } from '../helpers/invoices.js';
import { createPipelineHarness, submit, type PipelineHarness } from '../helpers/pipeline.js';
import { startWebhookReceiver } from '../helpers/receivers.js';

let p: PipelineHarness;
let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
let refuse = false;
beforeAll(async () => {
  hook = await startWebhookReceiver(() => (refuse ? 500 : 200));
  p = await createPipelineHarness();
  const res = await p.h.api(
    '/v1/subscriptions',
    jsonInit({ supplierSiret: '73282932000074', channel: 'webhook', url: hook.url }),
  );
  expect(res.status).toBe(201);
});
afterAll(async () => {
  await p.close();
  await hook.close();
});

const sweep = () =>
  sweepOutbox({ em: p.h.ctx.orm.em, queues: p.h.ctx.queues, logger: p.h.ctx.logger, clock: p.h.ctx.clock, graceMs: 0 });

describe('the outbox sweeper', () => {
  it('adds back the jobs of a notification, a delivery and a follow-up that Redis never got, and the alert arrives once', async () => {
    const em = p.h.ctx.orm.em.fork();
    const supplier = await em.findOneOrFail(SupplierAccount, { siret: '73282932000074' });
    // Committed, then the process "died": no alerts job was added.
    const notification = notifySupplier(
      em,
      supplier,
      'supplier.account_refused',
      { message: 'Chorus Pro refused the account', reason: 'test' },
      'recovery-1',
    );
    // A follow-up stored without its job, for an invoice that is not even deposited.
    const submitted = await submit(p.h);
    const followUp = em.create(FollowUp, {
      invoice: em.getReference(Invoice, submitted.id),
      kind: 'complete',
      request: { comment: 'x', attachment: null },
    });
    await em.flush();
    expect(await p.h.ctx.queues.alerts.getJob(notification.id)).toBeUndefined();
    expect(await p.h.ctx.queues['follow-ups'].getJob(followUp.id)).toBeUndefined();
    // And the follow-up's job as a flush mid-run can leave it: a hash in no state, which an add would not replace.
    await p.h.ctx.redis.hset(`${p.h.config.queuePrefix}:follow-ups:${followUp.id}`, 'progress', '10');
    expect(await (await p.h.ctx.queues['follow-ups'].getJob(followUp.id))?.getState()).toBe('unknown');

    expect(await sweep()).toBe(2);
    expect(await p.h.ctx.queues.alerts.getJob(notification.id)).toBeDefined();
    expect(await (await p.h.ctx.queues['follow-ups'].getJob(followUp.id))?.getState()).toBe('waiting');
    expect(await sweep()).toBe(0); // nothing twice

    const worker = startWorker(p.h.ctx);
    try {
      await expect.poll(() => hook.calls.length, { timeout: 10_000 }).toBe(1);
      const body = JSON.parse(hook.calls[0]!.body) as { id: string; type: string };
      expect(body).toMatchObject({ id: notification.id, type: 'supplier.account_refused' });

      // A replay whose job was lost: a pending delivery row with no job.
      const original = await em.fork().findOneOrFail(Delivery, { notification: notification.id });
      const lost = em.create(Delivery, {
        notification: original.notification,
        subscription: original.subscription,
        channel: 'webhook',
        sequence: 1,
      });
      await em.flush();
      expect(await sweep()).toBeGreaterThanOrEqual(1);
      await expect.poll(() => hook.calls.length, { timeout: 10_000 }).toBe(2);
      expect(JSON.parse(hook.calls[1]!.body)).toMatchObject({ id: notification.id });
      await expect
        .poll(async () => (await em.fork().findOneOrFail(Delivery, lost.id)).status, { timeout: 5_000 })
        .toBe('delivered');
      // Nothing more: another sweep finds nothing to restore, and the deliveries queue drains with no third call.
      expect(await sweep()).toBe(0);
      await expect
        .poll(
          async () =>
            Object.values(await p.h.ctx.queues.deliveries.getJobCounts('waiting', 'active', 'delayed')).reduce(
              (a: number, b: number) => a + b,
              0,
            ),
          {
            timeout: 5_000,
          },
        )
        .toBe(0);
      expect(hook.calls).toHaveLength(2);

      // A delivery that failed for good (its last attempt refused), then retried from Bull Board once fixed.
      refuse = true;
      const doomed = em.create(Delivery, {
        notification: original.notification,
        subscription: original.subscription,
        channel: 'webhook',
        sequence: 2,
      });
      await em.flush();
      const job = await p.h.ctx.queues.deliveries.add(
        'webhook (last attempt)',
        { deliveryId: doomed.id },
        { jobId: doomed.id, attempts: 1 },
      );
      await expect.poll(() => job.isFailed(), { timeout: 5_000 }).toBe(true);
      const failed = await em.fork().findOneOrFail(Delivery, doomed.id);
      expect(failed).toMatchObject({
        status: 'failed',
        attempts: 1,
        responseStatus: 500,
        lastError: expect.stringMatching(/answered HTTP 500/) as unknown,
      });
      refuse = false;
      await job.retry('failed');
      await expect
        .poll(async () => (await em.fork().findOneOrFail(Delivery, doomed.id)).status, { timeout: 5_000 })
        .toBe('delivered');
      expect(
        hook.calls
          .filter((c) => c.headers['chorus-relay-delivery'] === doomed.id)
          .map((c) => c.headers['chorus-relay-delivery']),
      ).toHaveLength(2);
    } finally {
      await worker.stop();
    }
  });
});
