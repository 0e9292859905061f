/**
 * The events of one invoice reach a subscription in the order they happened, and each carries `sequence` (1, 2, 3...
 * per invoice) so that a receiver can check it: even when the receiver refuses the first one and it is retried.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Notification } from '../../src/db/entities/notification.js';
import { recipientDecides } from '../helpers/chorus.js';
import { startWorker, type RunningWorker } from '../../workers/worker.js';
import { jsonInit } from '../helpers/invoices.js';
import { createPipelineHarness, settled, submit, type PipelineHarness } from '../helpers/pipeline.js';
import { startWebhookReceiver } from '../helpers/receivers.js';

let p: PipelineHarness;
let worker: RunningWorker;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

beforeAll(async () => {
  // The first call is refused: its retry comes after a backoff, while later events are ready to leave.
  receiver = await startWebhookReceiver((_call, index) => (index === 0 ? 503 : 204));
  p = await createPipelineHarness({ env: { DELIVERY_BACKOFF_SECONDS: '1', STATUS_SYNC_INTERVAL_SECONDS: '0.5' } });
  const subscribed = await p.h.api(
    '/v1/subscriptions',
    jsonInit({
      supplierSiret: '73282932000074',
      channel: 'webhook',
      url: receiver.url,
      events: ['invoice.status_changed'],
      secret: 'order-receiver-secret-0123456789',
    }),
  );
  expect(subscribed.status, await subscribed.clone().text()).toBe(201);
  worker = startWorker(p.h.ctx);
});
afterAll(async () => {
  await worker.stop();
  await p.close();
  await receiver.close();
});

interface Event {
  id: string;
  sequence: number | null;
  data: { invoice: { id: string }; to: string };
}

describe('the webhook events of one invoice', () => {
  it('leave in their order, numbered, even when the receiver refused the first one', async () => {
    const submitted = await submit(p.h);
    const integrated = await settled(p.h, submitted.id, ['integrated']);
    await expect
      .poll(
        async () =>
          (await p.h.api(`/v1/invoices/${submitted.id}`).then((r) => r.json())) as { chorus: { status: string } },
        {
          timeout: 20_000,
        },
      )
      .toMatchObject({ chorus: { status: 'MISE_A_DISPOSITION' } });
    await recipientDecides(p.simulator.url, integrated.chorus.invoiceId, 'SUSPENDUE', 'Attestation manquante');
    await expect
      .poll(
        async () => await p.h.ctx.orm.em.fork().count(Notification, { invoice: submitted.id, sequence: { $ne: null } }),
        {
          timeout: 20_000,
        },
      )
      .toBeGreaterThanOrEqual(4);
    const told = await p.h.ctx.orm.em
      .fork()
      .find(Notification, { invoice: submitted.id, event: 'invoice.status_changed' }, { orderBy: { sequence: 'asc' } });

    // Every one of them delivered once (the refused one again after its backoff).
    const delivered = () =>
      receiver.calls
        .map((call, index) => ({ event: JSON.parse(call.body) as Event, accepted: index !== 0 }))
        .filter((c) => c.accepted && c.event.data.invoice.id === submitted.id)
        .map((c) => c.event);
    await expect.poll(() => delivered().length, { timeout: 30_000 }).toBe(told.length);

    // Numbered 1, 2, 3... across the invoice's events, and received in that order.
    const allSequences = (
      await p.h.ctx.orm.em.fork().find(Notification, { invoice: submitted.id }, { orderBy: { sequence: 'asc' } })
    ).map((n) => n.sequence);
    expect(allSequences).toEqual(allSequences.map((_s, i) => i + 1));
    expect(delivered().map((e) => e.sequence)).toEqual(told.map((n) => n.sequence));
    expect(delivered().map((e) => e.data.to)).toEqual(told.map((n) => String(n.payload.to)));
    // The first call, refused, was the first event: the later ones waited for it.
    expect((JSON.parse(receiver.calls[0]!.body) as Event).sequence).toBe(told[0]!.sequence);
  });
});
