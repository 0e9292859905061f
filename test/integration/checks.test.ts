/**
 * The look-outs no Chorus Pro event triggers: payments overdue after the statutory delay (30 days, 50 for a
 * hospital), a technical-account password about to expire, and recipients that never report payment.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Invoice } from '../../src/db/entities/invoice.js';
import { Notification } from '../../src/db/entities/notification.js';
import { startWorker, type RunningWorker } from '../../workers/worker.js';
import { jsonInit, supplierBody } from '../helpers/invoices.js';
import { createPipelineHarness, read, submit, type PipelineHarness } from '../helpers/pipeline.js';

const DAY = 86_400_000;
let p: PipelineHarness;
let worker: RunningWorker;
const ids: Record<string, string> = {};
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);

beforeAll(async () => {
  p = await createPipelineHarness({
    env: {
      PAYMENT_DELAY_BY_RECIPIENT: '26750045200011=50',
      LATE_PAYMENT_REFERENCE_RATE_PERCENT: '2.15',
      PAYMENT_FOLLOW_MAX_DAYS: '120',
      PASSWORD_EXPIRY_WARNING_DAYS: '30',
      STATUS_SYNC_INTERVAL_SECONDS: '3600',
    },
  });
  // A second supplier whose technical-account password expires in 10 days.
  const account = await fetch(`${p.simulator.url}/simulator/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      login: 'TECH_DUBOIS@cpro.fr',
      password: 'Dubois-Password-1',
      structureSirets: ['44306184100047'],
      passwordExpiresAt: inDays(10),
    }),
  });
  expect(account.status).toBe(201);
  expect(
    (
      await p.h.api(
        '/v1/suppliers',
        jsonInit(
          supplierBody({
            siret: '44306184100047',
            chorusLogin: 'TECH_DUBOIS@cpro.fr',
            chorusPassword: 'Dubois-Password-1',
          }),
        ),
      )
    ).status,
  ).toBe(201);

  const cases = {
    ministryLate: {
      recipient: '11000201100044',
      service: 'SERVICE-BTP',
      availableDaysAgo: 35,
      status: 'MISE_A_DISPOSITION',
    },
    hospitalInTime: {
      recipient: '26750045200011',
      service: 'TECHNIQUE',
      availableDaysAgo: 35,
      status: 'MISE_A_DISPOSITION',
    },
    hospitalNeverReports: {
      recipient: '26750045200011',
      service: 'TECHNIQUE',
      availableDaysAgo: 130,
      status: 'MISE_A_DISPOSITION',
    },
    ministryPaid: {
      recipient: '11000201100044',
      service: 'SERVICE-BTP',
      availableDaysAgo: 40,
      status: 'MISE_EN_PAIEMENT',
    },
  } as const;
  const em = p.h.ctx.orm.em.fork();
  for (const [key, c] of Object.entries(cases)) {
    ids[key] = (await submit(p.h, { recipientSiret: c.recipient, serviceCode: c.service })).id;
    const invoice = await em.findOneOrFail(Invoice, ids[key]);
    // As the deposit pipeline and the status sync leave them (no worker runs yet).
    Object.assign(invoice, {
      state: 'integrated',
      chorusInvoiceId: String(900_000 + Object.keys(ids).length),
      chorusStatus: c.status,
      chorusStatusAt: new Date(),
      madeAvailableAt: new Date(Date.now() - c.availableDaysAgo * DAY),
      statusFollowed: c.status !== 'MISE_EN_PAIEMENT',
    });
  }
  await em.flush();
  worker = startWorker(p.h.ctx);
});
afterAll(async () => {
  await worker.stop();
  await p.close();
});

const notifications = () =>
  p.h.ctx.orm.em
    .fork()
    .find(
      Notification,
      { event: { $in: ['invoice.payment_overdue', 'supplier.password_expiring'] } },
      { orderBy: { createdAt: 'asc' } },
    );

describe('the hourly checks', () => {
  it('raise one overdue alert per late invoice, with the interest estimate, and one password alert per expiry date', async () => {
    await expect.poll(async () => (await notifications()).length, { timeout: 15_000 }).toBe(3);
    const found = await notifications();
    const overdue = found.filter((n) => n.event === 'invoice.payment_overdue');
    expect(overdue.map((n) => n.invoice?.id).sort()).toEqual([ids.ministryLate, ids.hospitalNeverReports].sort());
    const late = overdue.find((n) => n.invoice?.id === ids.ministryLate)!.payload;
    // 1200.00 × (2.15 + 8) % × 5 days / 365 = 1.67
    expect(late).toMatchObject({
      delayDays: 30,
      daysLate: 5,
      estimatedInterest: '1.67',
      interestRatePercent: 10.15,
      indemnity: '40.00',
    });
    expect(late.message).toMatch(/possibly paid late/);
    expect(overdue.find((n) => n.invoice?.id === ids.hospitalNeverReports)!.payload).toMatchObject({
      delayDays: 50,
      daysLate: 80,
    });

    const password = found.find((n) => n.event === 'supplier.password_expiring')!;
    expect(password.payload).toMatchObject({ passwordExpiresOn: inDays(10), supplier: { siret: '44306184100047' } });
    expect(Number(password.payload.daysLeft)).toBeGreaterThanOrEqual(9);

    // Run again: nothing new (one alert per invoice, one per expiry date).
    await p.h.ctx.queues.checks.add('checks (again)', {});
    await expect
      .poll(async () => (await p.h.ctx.queues.checks.getJobs(['completed'])).length, { timeout: 10_000 })
      .toBe(2);
    expect(await notifications()).toHaveLength(3);
    expect((await read(p.h, ids.ministryLate!)).events.filter((e) => e.type === 'payment-overdue')).toHaveLength(1);
  });

  it('stops following an invoice of a recipient that never reports payment, once the follow delay has passed', async () => {
    await expect
      .poll(async () => (await read(p.h, ids.hospitalNeverReports!)).statusFollowed, { timeout: 10_000 })
      .toBe(false);
    const stopped = await read(p.h, ids.hospitalNeverReports!);
    expect(stopped.events.find((e) => e.type === 'status-follow-ended')?.message).toMatch(
      /statutMiseEnPaiementNestPasRemonte/,
    );
    // Same recipient, still within the delay; and a ministry invoice, whose recipient reports payment: still followed.
    expect((await read(p.h, ids.hospitalInTime!)).statusFollowed).toBe(true);
    expect((await read(p.h, ids.ministryLate!)).statusFollowed).toBe(true);
  });
});
