/**
 * A supplier account whose status syncs stop working is seen: the account says since when and why, the stats and the
 * board count it, `supplier.sync_failing` goes once past SYNC_FAILING_ALERT_SECONDS (30 minutes by default), the syncs
 * that cannot succeed by retrying wait instead of failing at every interval, and `supplier.sync_recovered` goes once
 * when they work again. The relay's and the simulator's clocks move together; nothing sleeps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationEvent } from '../../src/alerts/events.js';
import { Notification } from '../../src/db/entities/notification.js';
import { startWorker, type RunningWorker } from '../../workers/worker.js';
import { movingClocks } from '../helpers/clocks.js';
import { BOARD_PASSWORD, BOARD_USER } from '../helpers/harness.js';
import { jsonInit, SUPPLIER_SIRET } from '../helpers/invoices.js';
import { createPipelineHarness, type PipelineHarness } from '../helpers/pipeline.js';
import { startSmtpServer, startWebhookReceiver, type ReceivedCall, type ReceivedMail } from '../helpers/receivers.js';

let p: PipelineHarness;
let worker: RunningWorker;
let hook: { url: string; calls: ReceivedCall[]; close(): Promise<void> };
let smtp: { url: string; mails: ReceivedMail[]; close(): Promise<void> };
const clocks = movingClocks(() => p.simulator.url);
const MINUTE = 60_000;

beforeAll(async () => {
  hook = await startWebhookReceiver();
  smtp = await startSmtpServer();
  p = await createPipelineHarness({
    env: { SMTP_URL: smtp.url, STATUS_SYNC_INTERVAL_SECONDS: '0.3' },
    clock: clocks.clock,
  });
  for (const body of [
    { channel: 'webhook', url: hook.url },
    { channel: 'email', emails: ['compta@btp-martin.fr'] },
  ]) {
    const res = await p.h.api('/v1/subscriptions', jsonInit({ supplierSiret: SUPPLIER_SIRET, ...body }));
    expect(res.status, await res.clone().text()).toBe(201);
  }
  worker = startWorker(p.h.ctx);
});
afterAll(async () => {
  await worker.stop();
  await p.close();
  await Promise.all([hook.close(), smtp.close()]);
});

interface SupplierHealth {
  siret: string;
  lastSyncAt: string | null;
  syncFailingSince: string | null;
  syncError: string | null;
  syncRetryAt: string | null;
}
const health = async () =>
  ((await (await p.h.api('/v1/suppliers')).json()) as { data: SupplierHealth[] }).data.find(
    (s) => s.siret === SUPPLIER_SIRET,
  )!;
const alerts = (event: NotificationEvent) => p.h.ctx.orm.em.fork().count(Notification, { event });
const searches = () => p.simulator.counter.byEndpoint.get('rechercherFactureParFournisseur') ?? 0;
const hooked = (type: string) => hook.calls.filter((c) => (JSON.parse(c.body) as { type: string }).type === type);
/** Waits until `n` more status-sync jobs have completed than when it was called. */
async function moreSyncJobs(n: number): Promise<void> {
  const done = async () => (await p.h.ctx.queues['status-sync'].getJobCounts('completed')).completed ?? 0;
  const start = await done();
  await expect.poll(done, { timeout: 15_000, interval: 50 }).toBeGreaterThanOrEqual(start + n);
}
async function boardLine(): Promise<string> {
  const auth = { authorization: `Basic ${Buffer.from(`${BOARD_USER}:${BOARD_PASSWORD}`).toString('base64')}` };
  const payload = (await (
    await fetch(`${p.h.baseUrl}/admin/queues/api/queues?activeQueue=status-sync&page=1`, { headers: auth })
  ).json()) as {
    queues: Array<{ name: string; description?: string }>;
  };
  return payload.queues.find((q) => q.name === 'status-sync')!.description ?? '';
}

describe('a status sync that fails for 31 minutes', () => {
  it('is shown, alerts once, waits between tries instead of failing at every interval, and its recovery alerts once', async () => {
    await expect.poll(async () => (await health()).lastSyncAt, { timeout: 15_000 }).not.toBeNull();
    expect(await boardLine()).toContain('Every supplier account syncs.');

    // Chorus Pro refuses the supplier's search, as often as asked.
    p.simulator.faults.replace({
      endpoints: {
        rechercherFactureParFournisseur: {
          answerNext: [{ count: 100_000, body: { codeRetour: 20003, libelle: 'GCU_MSG_01_003 Erreur technique' } }],
        },
      },
    });
    await expect.poll(async () => (await health()).syncFailingSince, { timeout: 15_000 }).not.toBeNull();
    const failing = await health();
    expect(failing.syncError).toContain('codeRetour 20003');
    expect(failing.syncRetryAt).not.toBeNull();
    expect(((await (await p.h.api('/v1/stats')).json()) as { suppliersSyncFailing: number }).suppliersSyncFailing).toBe(
      1,
    );
    expect(await boardLine()).toMatch(
      new RegExp(`1 supplier account\\(s\\) fail to sync: ${SUPPLIER_SIRET} since .*codeRetour 20003`),
    );
    expect(await alerts('supplier.sync_failing')).toBe(0);

    // 31 minutes later, the next try fails too: one alert, by webhook and by e-mail.
    await clocks.advance(31 * MINUTE);
    await expect.poll(() => alerts('supplier.sync_failing'), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => hooked('supplier.sync_failing').length, { timeout: 15_000 }).toBe(1);
    await expect
      .poll(() => smtp.mails.filter((m) => m.subject.includes('Chorus Pro status sync failing')).length, {
        timeout: 15_000,
      })
      .toBe(1);
    const mail = smtp.mails.find((m) => m.subject.includes('Chorus Pro status sync failing'))!;
    expect(mail.text).toContain('un rejet ou une suspension ne vous serait pas signalé');
    expect(mail.text).toContain('codeRetour 20003');

    // Now it waits as long as it has failed: the scheduler's next runs do not ask Chorus Pro.
    const asked = searches();
    const waitingUntil = new Date((await health()).syncRetryAt!).getTime();
    expect(waitingUntil - clocks.clock.now().getTime()).toBeGreaterThan(25 * MINUTE);
    await moreSyncJobs(3);
    expect(searches()).toBe(asked);

    // Past that wait, it is tried again, fails again, and the alert is not sent twice.
    await clocks.advance(40 * MINUTE);
    await expect.poll(searches, { timeout: 15_000 }).toBeGreaterThan(asked);
    await moreSyncJobs(2);
    expect(await alerts('supplier.sync_failing')).toBe(1);

    // Chorus Pro answers again: past the wait, the sync works, once told.
    p.simulator.faults.replace({});
    await clocks.advance(70 * MINUTE);
    await expect.poll(async () => (await health()).syncFailingSince, { timeout: 15_000 }).toBeNull();
    const healthy = await health();
    expect(healthy.syncError).toBeNull();
    expect(new Date(healthy.lastSyncAt!).getTime()).toBeGreaterThan(waitingUntil);
    await expect.poll(() => alerts('supplier.sync_recovered'), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => hooked('supplier.sync_recovered').length, { timeout: 15_000 }).toBe(1);
    await moreSyncJobs(3);
    expect(await alerts('supplier.sync_recovered')).toBe(1);
    expect(await alerts('supplier.sync_failing')).toBe(1);
    expect(((await (await p.h.api('/v1/stats')).json()) as { suppliersSyncFailing: number }).suppliersSyncFailing).toBe(
      0,
    );
    expect(await boardLine()).toContain('Every supplier account syncs.');
  });
});
