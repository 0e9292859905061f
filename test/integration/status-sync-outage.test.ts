/**
 * No storm after an outage: when several statuses pass between two syncs, each is recorded and published as a
 * status change, but only where the invoice stands now can raise an alert.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Notification } from '../../src/db/entities/notification.js';
import { recipientDecides } from '../helpers/chorus.js';
import { startWorker, type RunningWorker } from '../../workers/worker.js';
import { movingClocks } from '../helpers/clocks.js';
import {
  createPipelineHarness,
  read,
  settled,
  submit,
  syncSupplierNow,
  type PipelineHarness,
} from '../helpers/pipeline.js';

let p: PipelineHarness;
let worker: RunningWorker;
const clocks = movingClocks(() => p.simulator.url);
beforeAll(async () => {
  // No sync but the ones this test asks for (the scheduler's first run aside).
  p = await createPipelineHarness({ env: { STATUS_SYNC_INTERVAL_SECONDS: '3600' }, clock: clocks.clock });
  worker = startWorker(p.h.ctx);
});
afterAll(async () => {
  await worker.stop();
  await p.close();
});

const syncNow = () => syncSupplierNow(p.h, '73282932000074');

describe('statuses that passed while nobody synced', () => {
  it('are all recorded and published, and only the current one may alert', async () => {
    // The scheduler's first run (at worker start) is over: from here on, only syncNow() syncs.
    await expect
      .poll(async () => (await p.h.ctx.queues['status-sync'].getJobs(['completed'])).length, { timeout: 10_000 })
      .toBeGreaterThan(0);
    const submitted = await submit(p.h);
    const integrated = await settled(p.h, submitted.id, ['integrated']);
    const chorusId = Number(integrated.chorus.invoiceId);
    await expect
      .poll(
        async () =>
          ((await (await fetch(`${p.simulator.url}/simulator/invoices/${chorusId}`)).json()) as { statut: string })
            .statut,
        { timeout: 10_000 },
      )
      .toBe('MISE_A_DISPOSITION');
    // The "outage": suspended, then made available again a day later (the missing document came), before any sync.
    // Whether the relay last saw the invoice on its way or made available, the return must not hide the suspension.
    await recipientDecides(p.simulator.url, integrated.chorus.invoiceId, 'SUSPENDUE', 'Pièce manquante');
    await clocks.advance(24 * 3_600_000);
    await recipientDecides(p.simulator.url, integrated.chorus.invoiceId, 'MISE_A_DISPOSITION');
    await syncNow();

    const invoice = await read(p.h, submitted.id);
    expect(invoice.chorus.status).toBe('MISE_A_DISPOSITION');
    expect(invoice.actionRequired).toBeNull();
    const notifications = await p.h.ctx.orm.em
      .fork()
      .find(Notification, { invoice: submitted.id }, { orderBy: { createdAt: 'asc' } });
    // The order is the timeline's (Chorus Pro's history dates are only to the minute, so they tie); each change
    // published.
    const timeline = invoice.events.filter((e) => e.type === 'status-changed').map((e) => e.details?.to);
    expect(timeline.slice(-2)).toEqual(['SUSPENDUE', 'MISE_A_DISPOSITION']);
    const published = notifications
      .filter((n) => n.event === 'invoice.status_changed')
      .map((n) => String(n.payload.to));
    expect(published.sort()).toEqual(timeline.map(String).sort());
    expect(notifications.filter((n) => n.event === 'invoice.action_required')).toEqual([]);

    // The same window read again (the overlap): nothing new.
    await syncNow();
    expect(await p.h.ctx.orm.em.fork().count(Notification, { invoice: submitted.id })).toBe(notifications.length);
  });
});
