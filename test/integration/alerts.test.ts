/**
 * Alerts end to end: the status sync sees the recipient's decision at the simulator, the alerts job fans it out,
 * and the deliveries reach a real SMTP server and a real HTTP receiver, signed. Then replay, retries, and the
 * corrected invoice that answers the rejection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../../src/alerts/webhook-signature.js';
import { startWorker, type RunningWorker } from '../../workers/worker.js';
import { jsonInit } from '../helpers/invoices.js';
import { createPipelineHarness, read, settled, submit, type PipelineHarness } from '../helpers/pipeline.js';
import { startSmtpServer, startWebhookReceiver } from '../helpers/receivers.js';

let p: PipelineHarness;
let worker: RunningWorker;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let alertsHook: Awaited<ReturnType<typeof startWebhookReceiver>>;
let changesHook: Awaited<ReturnType<typeof startWebhookReceiver>>;
let flakyHook: Awaited<ReturnType<typeof startWebhookReceiver>>;
let alertsSubscription: { id: string; secret: string };

const SUPPLIER_SIRET = '73282932000074';
const SYNC_SECONDS = 0.5;
const SMTP_PASSWORD = 'Smtp-Pass-4f9c2e';

beforeAll(async () => {
  smtp = await startSmtpServer({ user: 'relay', password: SMTP_PASSWORD });
  alertsHook = await startWebhookReceiver();
  changesHook = await startWebhookReceiver();
  // Fails twice, then accepts: the delivery must be retried with backoff and logged.
  flakyHook = await startWebhookReceiver((_call, index) => (index < 2 ? 503 : 204));
  p = await createPipelineHarness({
    env: {
      SMTP_URL: smtp.url,
      DELIVERY_BACKOFF_SECONDS: '0.2',
      STATUS_SYNC_INTERVAL_SECONDS: String(SYNC_SECONDS),
      PUBLIC_URL: 'https://relay.example.fr',
    },
  });
  const subscribe = async (body: Record<string, unknown>) => {
    const res = await p.h.api('/v1/subscriptions', jsonInit({ supplierSiret: SUPPLIER_SIRET, ...body }));
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as { id: string; secret: string; events: string[] };
  };
  await subscribe({ channel: 'email', emails: ['compta@btp-martin.fr', 'Chef.Chantier@btp-martin.fr'] });
  alertsSubscription = await subscribe({ channel: 'webhook', url: alertsHook.url });
  await subscribe({
    channel: 'webhook',
    url: changesHook.url,
    events: ['invoice.status_changed'],
    secret: 'a-secret-of-our-own-choosing-123',
  });
  await subscribe({
    channel: 'webhook',
    url: flakyHook.url,
    events: ['invoice.action_required'],
    secret: 'flaky-receiver-secret-0123456789',
  });
  worker = startWorker(p.h.ctx);
});
afterAll(async () => {
  await worker.stop();
  await p.close();
  await Promise.all([smtp.close(), alertsHook.close(), changesHook.close(), flakyHook.close()]);
});

const treat = async (chorusInvoiceId: string | null, status: string, motif?: string) => {
  const res = await fetch(`${p.simulator.url}/simulator/recipient/traiter`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ idFacture: Number(chorusInvoiceId), nouveauStatut: status, ...(motif ? { motif } : {}) }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
};
const madeAvailable = async (id: string) => {
  await settled(p.h, id, ['integrated']);
  await expect
    .poll(async () => (await read(p.h, id)).chorus.status, { timeout: 15_000, interval: 100 })
    .toBe('MISE_A_DISPOSITION');
  return read(p.h, id);
};
const bodyOf = (call: { body: string }) =>
  JSON.parse(call.body) as {
    id: string;
    type: string;
    data: Record<string, unknown> & { invoice: Record<string, unknown> };
  };

describe('subscriptions', () => {
  it('return a webhook secret once, default to the alerts, and refuse bad input with the field path', async () => {
    expect(alertsSubscription.secret).toMatch(/^whsec_/);
    const list = (await (await p.h.api(`/v1/subscriptions?supplierSiret=${SUPPLIER_SIRET}`)).json()) as {
      data: Array<Record<string, unknown>>;
    };
    expect(list.data).toHaveLength(4);
    expect(list.data.every((s) => !('secret' in s) && !JSON.stringify(s).includes('secret-of-our-own'))).toBe(true);
    expect(list.data.find((s) => s.id === alertsSubscription.id)?.events).toEqual([
      'invoice.action_required',
      'invoice.payment_overdue',
      'invoice.clock_expired',
      'supplier.account_refused',
      'supplier.password_expiring',
      'supplier.sync_failing',
      'supplier.sync_recovered',
      'validation.required',
      'validation.reminder',
      'validation.tacitly_approved',
    ]);
    const bad = await p.h.api(
      '/v1/subscriptions',
      jsonInit({
        supplierSiret: SUPPLIER_SIRET,
        channel: 'webhook',
        url: 'ftp://example.fr/x',
        events: ['invoice.paid'],
      }),
    );
    expect(bad.status).toBe(422);
    const error = ((await bad.json()) as { error: { code: string; details: Array<{ path: string }> } }).error;
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details.map((d) => d.path).sort()).toEqual(['events.0', 'url']);
    const unknown = await p.h.api(
      '/v1/subscriptions',
      jsonInit({ supplierSiret: '44306184100047', channel: 'email', emails: ['a@b.fr'] }),
    );
    expect(unknown.status).toBe(422);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('UNKNOWN_SUPPLIER');
  });
});

describe('an invoice rejected by the recipient', () => {
  it('produces exactly one e-mail and one signed webhook within one sync cycle, carrying Chorus Pro’s reason', async () => {
    const submitted = await submit(p.h, { engagementNumber: 'BDC-4500012345' });
    const invoice = await madeAvailable(submitted.id);
    const reason = 'Montant erroné : le bon de commande BDC-4500012345 prévoit 1 000,00 EUR HT';
    const rejectedAt = Date.now();
    await treat(invoice.chorus.invoiceId, 'REJETEE', reason);

    const mine = () => alertsHook.calls.filter((c) => bodyOf(c).data.invoice.id === invoice.id);
    const mails = () => smtp.mails.filter((m) => m.subject.includes(invoice.number));
    await expect.poll(() => mine().length + mails().length, { timeout: 10_000, interval: 50 }).toBe(2);
    // Sync interval + fan-out + delivery: well within one further cycle of the scheduler.
    expect(Date.now() - rejectedAt).toBeLessThan(SYNC_SECONDS * 1000 * 2 + 3_000);
    // A few more sync cycles: nothing is told twice.
    await new Promise((resolve) => setTimeout(resolve, SYNC_SECONDS * 1000 * 4));
    expect(mine()).toHaveLength(1);
    expect(mails()).toHaveLength(1);

    const [call] = mine();
    const signature = String(call!.headers['chorus-relay-signature']);
    expect(verifyWebhookSignature(alertsSubscription.secret, signature, call!.body)).toBe(true);
    expect(verifyWebhookSignature(alertsSubscription.secret, signature, call!.body.replace('REJETEE', 'REJETEX'))).toBe(
      false,
    );
    expect(verifyWebhookSignature('whsec_another-secret-entirely-000', signature, call!.body)).toBe(false);
    const body = bodyOf(call!);
    expect(call!.headers['chorus-relay-event']).toBe('invoice.action_required');
    expect(body).toMatchObject({
      type: 'invoice.action_required',
      data: {
        reason: 'rejected_by_recipient',
        chorusReason: reason,
        invoice: {
          id: invoice.id,
          number: invoice.number,
          engagementNumber: 'BDC-4500012345',
          chorusStatus: 'REJETEE',
          stage: 'rejected',
          recipientSiret: '11000201100044',
        },
      },
    });
    expect((body.data.nextStep as { en: string }).en).toMatch(/corrected invoice under a new number/);

    const [mail] = mails();
    expect(mail!.to.sort()).toEqual(['chef.chantier@btp-martin.fr', 'compta@btp-martin.fr']);
    expect(mail!.subject).toBe(
      `Facture ${invoice.number} rejetée par le destinataire / Invoice ${invoice.number} rejected by the recipient`,
    );
    for (const expected of [
      reason,
      'BDC-4500012345',
      `${invoice.amountWithVat} EUR`,
      '11000201100044',
      'Statut Chorus Pro: REJETEE, Rejetée (étape : Rejetée)',
      'À faire',
      'Next step',
      `https://relay.example.fr/v1/invoices/${invoice.id}`,
    ]) {
      expect(mail!.text).toContain(expected);
    }

    // Every transition also went to the status-change subscription, with old and new status, date and comment.
    const changes = changesHook.calls.map(bodyOf).filter((b) => b.data.invoice.id === invoice.id);
    expect(changes.map((c) => c.data.to)).toContain('REJETEE');
    const rejection = changes.find((c) => c.data.to === 'REJETEE')!;
    expect(rejection).toMatchObject({
      type: 'invoice.status_changed',
      data: { from: 'MISE_A_DISPOSITION', to: 'REJETEE', stage: 'rejected', final: true, comment: reason },
    });
    expect(new Set(changes.map((c) => c.id)).size).toBe(changes.length);

    // The API and the timeline tell the same story, alerts sent included.
    const after = await read(p.h, invoice.id);
    expect(after).toMatchObject({ actionRequired: { reason: 'rejected_by_recipient' }, statusFollowed: false });
    const sent = after.events.filter((e) => e.type === 'alert-sent');
    expect(sent.map((e) => e.details?.channel).sort()).toEqual(['email', 'webhook', 'webhook']);
    expect(after.events.map((e) => e.type)).toContain('status-follow-ended');

    // The delivery log, then a replay: same event id, new delivery id, signed again.
    const log = (await (await p.h.api(`/v1/subscriptions/${alertsSubscription.id}/deliveries`)).json()) as {
      data: Array<{ id: string; invoiceId: string; status: string; attempts: number; responseStatus: number }>;
    };
    const delivery = log.data.find((d) => d.invoiceId === invoice.id)!;
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 1, responseStatus: 200 });
    const replay = await p.h.api(`/v1/deliveries/${delivery.id}/replay`, { method: 'POST' });
    expect(replay.status).toBe(202);
    await expect.poll(() => mine().length, { timeout: 5_000 }).toBe(2);
    const [first, second] = mine();
    expect(bodyOf(second!).id).toBe(bodyOf(first!).id);
    expect(second!.headers['chorus-relay-delivery']).not.toBe(first!.headers['chorus-relay-delivery']);
    expect(
      verifyWebhookSignature(
        alertsSubscription.secret,
        String(second!.headers['chorus-relay-signature']),
        second!.body,
      ),
    ).toBe(true);
    expect(mails()).toHaveLength(1);

    // The answer to a rejection: a corrected invoice under a new number, linked both ways.
    const corrected = await submit(p.h, { engagementNumber: 'BDC-4500012345', correctsInvoiceId: invoice.id });
    expect(corrected).toMatchObject({ correctsInvoiceId: invoice.id });
    const original = await read(p.h, invoice.id);
    expect(original).toMatchObject({ correctedByInvoiceId: corrected.id, actionRequired: null });
    expect(original.events.at(-1)).toMatchObject({
      type: 'corrected-by',
      details: { correctedByInvoiceId: corrected.id },
    });
    const again = await p.h.api(
      '/v1/invoices',
      jsonInit(await import('../helpers/invoices.js').then((m) => m.invoiceBody({ correctsInvoiceId: invoice.id }))),
    );
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('ALREADY_CORRECTED');
    // Only a rejected invoice is corrected, and a refused correction writes nothing: its number stays free.
    const { invoiceBody } = await import('../helpers/invoices.js');
    const notRejected = await invoiceBody({ correctsInvoiceId: corrected.id });
    const refusedNotRejected = await p.h.api('/v1/invoices', jsonInit(notRejected));
    expect(refusedNotRejected.status).toBe(409);
    expect(
      ((await refusedNotRejected.json()) as { error: { code: string; details: Array<{ path: string }> } }).error,
    ).toMatchObject({
      code: 'INVOICE_NOT_REJECTED',
      details: [{ path: 'correctsInvoiceId' }],
    });
    const unknown = await p.h.api(
      '/v1/invoices',
      jsonInit(await invoiceBody({ correctsInvoiceId: '00000000-0000-4000-8000-000000000000' })),
    );
    expect(unknown.status).toBe(422);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('CORRECTED_INVOICE_NOT_FOUND');
    const { correctsInvoiceId: _ignored, ...plain } = notRejected;
    expect((await p.h.api('/v1/invoices', jsonInit(plain))).status).toBe(202);

    // A deactivated subscription gets nothing more, not even a replay.
    expect((await p.h.api(`/v1/subscriptions/${alertsSubscription.id}`, { method: 'DELETE' })).status).toBe(200);
    const late = await p.h.api(`/v1/deliveries/${delivery.id}/replay`, { method: 'POST' });
    expect(late.status).toBe(409);
    expect(((await late.json()) as { error: { code: string } }).error.code).toBe('SUBSCRIPTION_INACTIVE');
  });

  it('never shows the webhook secrets or the SMTP password in logs or job data', async () => {
    expect(smtp.logins.length).toBeGreaterThan(0);
    const jobs = await p.h.ctx.queues.deliveries.getJobs(['completed', 'failed', 'waiting', 'delayed']);
    expect(jobs.length).toBeGreaterThan(0);
    const shown = p.h.logs.text + JSON.stringify(jobs.map((j) => [j.data, j.returnvalue, j.failedReason]));
    for (const secret of [
      alertsSubscription.secret,
      'a-secret-of-our-own-choosing-123',
      'flaky-receiver-secret-0123456789',
      SMTP_PASSWORD,
    ])
      expect(shown).not.toContain(secret);
  });

  it('retries a webhook its receiver refused, with backoff, and logs every attempt', async () => {
    await expect.poll(() => flakyHook.calls.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    const list = (await (await p.h.api(`/v1/subscriptions?supplierSiret=${SUPPLIER_SIRET}`)).json()) as {
      data: Array<{ id: string; url: string | null }>;
    };
    const flaky = list.data.find((s) => s.url === flakyHook.url)!;
    await expect
      .poll(
        async () =>
          (
            (await (await p.h.api(`/v1/subscriptions/${flaky.id}/deliveries`)).json()) as {
              data: Array<{ status: string }>;
            }
          ).data[0]?.status,
        { timeout: 10_000 },
      )
      .toBe('delivered');
    const [delivery] = (
      (await (await p.h.api(`/v1/subscriptions/${flaky.id}/deliveries`)).json()) as {
        data: Array<{ attempts: number; responseStatus: number; lastError: string | null }>;
      }
    ).data;
    expect(delivery).toMatchObject({ attempts: 3, responseStatus: 204, lastError: null });
    const ids = flakyHook.calls.slice(0, 3).map((c) => c.headers['chorus-relay-delivery']);
    expect(new Set(ids).size).toBe(1);
  });
});
