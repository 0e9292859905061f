/** The deposit pipeline end to end: real queues, a real worker, the simulator over HTTP. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Notification } from '../../src/db/entities/notification.js';
import { startWorker, type RunningWorker } from '../../workers/worker.js';
import type { Harness } from '../helpers/harness.js';
import { jsonInit, supplierBody } from '../helpers/invoices.js';
import { createPipelineHarness, read, settled, submit, type PipelineHarness } from '../helpers/pipeline.js';

let p: PipelineHarness;
let worker: RunningWorker;
beforeAll(async () => {
  p = await createPipelineHarness();
  worker = startWorker(p.h.ctx);
});
afterAll(async () => {
  await worker.stop();
  await p.close();
});
afterEach(async () => {
  await fetch(`${p.simulator.url}/simulator/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
});

const faults = (body: unknown) =>
  fetch(`${p.simulator.url}/simulator/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const deposits = (number: string) => p.simulator.world.depositsByInvoiceNumber.get(number) ?? 0;
/** The alerts recorded (the notification outbox) for an invoice. */
async function alertsOf(h: Harness, invoiceId: string): Promise<Array<{ event: string; reason: unknown }>> {
  const rows = await h.ctx.orm.em
    .fork()
    .find(
      Notification,
      { invoice: invoiceId, event: { $ne: 'invoice.status_changed' } },
      { orderBy: { createdAt: 'asc' } },
    );
  return rows.map((n) => ({ event: n.event, reason: n.payload.reason }));
}
async function supplierAlerts(h: Harness): Promise<string[]> {
  return (await h.ctx.orm.em.fork().find(Notification, { invoice: null })).map((n) => n.event);
}
const types = (invoice: { events: Array<{ type: string }> }) => invoice.events.map((e) => e.type);

describe('a valid invoice', () => {
  it('is checked, deposited once, reported, and integrated with its Chorus ids and first status', async () => {
    const submitted = await submit(p.h);
    const invoice = await settled(p.h, submitted.id, ['integrated']);
    expect(invoice.chorus.fluxNumber).toMatch(/^CPP\d{22}$/);
    expect(invoice.chorus.invoiceId).toMatch(/^\d+$/);
    expect(['DEPOSEE', 'EN_COURS_ACHEMINEMENT', 'MISE_A_DISPOSITION']).toContain(invoice.chorus.status);
    // The first status Chorus Pro gives is recorded as a change, with all it implies.
    expect(types(invoice).slice(0, 5)).toEqual([
      'received',
      'precheck-passed',
      'rules-checked',
      'deposit-sent',
      'integrated',
    ]);
    // Then its history so far: DEPOSEE first, each status once.
    const statuses = invoice.events.slice(5).map((e) => (e.type === 'status-changed' ? e.details?.to : e.type));
    expect(statuses[0]).toBe('DEPOSEE');
    expect(statuses.at(-1)).toBe(invoice.chorus.status);
    expect(new Set(statuses).size).toBe(statuses.length);
    expect(invoice.events[1]!.message).toBe(
      'Routing checked against Chorus Pro: MINISTERE DE LA TRANSITION ECOLOGIQUE (11000201100044), service SERVICE-BTP, engagement number BDC-2026-77.',
    );
    const receipt = invoice.events.find((e) => e.type === 'deposit-sent')!;
    expect(receipt.details).toMatchObject({ fluxNumber: invoice.chorus.fluxNumber });
    expect(receipt.details?.depositDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(deposits(invoice.number)).toBe(1);

    const job = await p.h.ctx.queues.deposit.getJob(invoice.id);
    expect(job?.name).toBe(`deposit ${invoice.number}`);
    expect(job?.returnvalue).toMatchObject({ outcome: 'deposited' });
    expect(job?.progress).toBe(100);
    const { logs } = await p.h.ctx.queues.deposit.getJobLogs(invoice.id);
    expect(logs.join('\n')).toMatch(/deposerFlux: codeRetour 0 .*numeroFluxDepot CPP/);
    expect(logs.join('\n')).not.toMatch(/Demo-Password|contentBase64/);
    // Found by the account's integration search: its report was never read (a report job, when there is one, read only
    // the history of an invoice the search found past DEPOSEE).
    const integrated = invoice.events.find((e) => e.type === 'integrated')!;
    expect(integrated.details).toMatchObject({ foundBy: 'search', chorusInvoiceId: invoice.chorus.invoiceId });
    const report = await p.h.ctx.queues['deposit-report'].getJobLogs(invoice.id);
    expect(report.logs.filter((l) => l.includes('consulterCRDetaille'))).toEqual([]);
  });
});

describe('the recipient pre-check', () => {
  it('stops an invoice missing the engagement number its recipient requires, without a deposit, and raises an alert', async () => {
    const submitted = await submit(p.h, {
      recipientSiret: '21750001600019',
      serviceCode: null,
      engagementNumber: null,
    });
    const invoice = await settled(p.h, submitted.id, ['precheck_failed']);
    expect(invoice.lastError?.code).toBe('ENGAGEMENT_NUMBER_REQUIRED');
    expect(invoice.lastError?.message).toMatch(/requires an engagement number.*Add the engagement number/);
    expect(deposits(invoice.number)).toBe(0);
    expect(await alertsOf(p.h, invoice.id)).toEqual([{ event: 'invoice.action_required', reason: 'precheck_failed' }]);
    // In Bull Board: the sentence alone, no stack of internal paths, and a finished ring.
    await expect
      .poll(async () => (await p.h.ctx.queues.deposit.getJob(invoice.id))?.isFailed(), { timeout: 10_000 })
      .toBe(true);
    const job = (await p.h.ctx.queues.deposit.getJob(invoice.id))!;
    expect(job.failedReason).toMatch(/^Pre-check refused invoice .*requires an engagement number/);
    expect(job.stacktrace).toEqual([]);
    expect(job.progress).toBe(100);
  });

  it.each([
    ['an unknown service code', { serviceCode: 'NO-SUCH' }, 'SERVICE_UNKNOWN'],
    ['an inactive service', { serviceCode: 'SERVICE-FERME' }, 'SERVICE_INACTIVE'],
    [
      'a service that requires an engagement number',
      { serviceCode: 'SERVICE-EJ', engagementNumber: null },
      'ENGAGEMENT_NUMBER_REQUIRED_BY_SERVICE',
    ],
    ['an inactive recipient', { recipientSiret: '13000250400020' }, 'RECIPIENT_INACTIVE'],
    ['an unknown recipient', { recipientSiret: '35600000049837' }, 'RECIPIENT_UNKNOWN'],
    ['a missing service code', { serviceCode: null }, 'SERVICE_CODE_REQUIRED'],
    [
      'neither service code nor engagement number',
      { recipientSiret: '26750045200011', serviceCode: null, engagementNumber: null },
      'SERVICE_CODE_OR_ENGAGEMENT_NUMBER_REQUIRED',
    ],
  ])('refuses %s', async (_label, overrides, rule) => {
    const submitted = await submit(p.h, overrides);
    const invoice = await settled(p.h, submitted.id, ['precheck_failed', 'integrated']);
    expect(invoice.state).toBe('precheck_failed');
    expect(invoice.lastError?.code).toBe(rule);
  });

  it('caches structure look-ups: a second invoice to the same recipient costs no Structures call', async () => {
    const first = await submit(p.h);
    await settled(p.h, first.id, ['integrated']);
    const before = p.simulator.counter.byEndpoint.get('rechercherStructure') ?? 0;
    const second = await submit(p.h);
    await settled(p.h, second.id, ['integrated']);
    expect(p.simulator.counter.byEndpoint.get('rechercherStructure') ?? 0).toBe(before);
  });
});

describe('refusals and failures', () => {
  it("records a rejection at integration with Chorus Pro's own message", async () => {
    const first = await submit(p.h);
    await settled(p.h, first.id, ['integrated']);
    // The same number reaching Chorus twice (e.g. deposited by another tool): our intake allows another supplier
    // account only, so send it directly through the client to make Chorus hold it already.
    const number = `DUP${Date.now().toString(36)}`.slice(0, 20);
    const { generateSampleInvoice } = await import('../../scripts/lib/sample-invoices.js');
    const direct = await p.h.ctx.chorus.sandbox!.client.deposerFlux(
      { login: 'TECH_1_DEMO@cpro.fr', password: 'Demo-Password-2026' },
      {
        fichierFlux: await generateSampleInvoice(
          {
            number,
            issueDate: '2026-11-20',
            supplierSiret: '73282932000074',
            recipientSiret: '11000201100044',
            serviceCode: 'SERVICE-BTP',
            engagementNumber: 'BDC-2026-77',
            amountWithoutVat: '1000.00',
          },
          'Factur-X',
        ),
        nomFichier: 'dup.pdf',
        syntaxeFlux: 'IN_DP_E2_CII_FACTURX',
      },
    );
    // Chorus Pro has the first one integrated before ours comes.
    const flux = p.simulator.world.fluxes.get(direct.numeroFluxDepot!)!;
    await expect.poll(() => p.simulator.engine.fluxState(flux).state, { timeout: 10_000 }).toBe('IN_INTEGRE');
    const submitted = await submit(p.h, { number });
    const invoice = await settled(p.h, submitted.id, ['rejected']);
    expect(invoice.lastError?.code).toBe('REJECTED_AT_INTEGRATION');
    expect(invoice.lastError?.message).toMatch(/déjà été déposée/);
    expect(await alertsOf(p.h, invoice.id)).toEqual([
      { event: 'invoice.action_required', reason: 'rejected_at_integration' },
    ]);
  });

  it('does not retry a business refusal of the deposit', async () => {
    await faults({ endpoints: { deposerFlux: { failNext: [{ status: 400, count: 1 }] } } });
    const calls = p.simulator.counter.byEndpoint.get('deposerFlux') ?? 0;
    const submitted = await submit(p.h);
    const invoice = await settled(p.h, submitted.id, ['rejected']);
    expect(invoice.lastError?.code).toBe('DEPOSIT_REFUSED');
    expect(deposits(invoice.number)).toBe(0);
    // The job ended failed for good on its first run: BullMQ will not run it again, so nothing more can be sent.
    const job = (await p.h.ctx.queues.deposit.getJob(invoice.id))!;
    await expect.poll(() => job.getState(), { timeout: 5_000 }).toBe('failed');
    expect((p.simulator.counter.byEndpoint.get('deposerFlux') ?? 0) - calls).toBe(1);
    expect((await p.h.ctx.queues.deposit.getJob(invoice.id))?.attemptsMade).toBe(1);
  });

  it('retries transient failures with backoff and deposits once', async () => {
    // Each BullMQ attempt makes 3 calls (2 in-call retries): 7 failures span 3 attempts.
    await faults({ endpoints: { deposerFlux: { failNext: [{ status: 503, count: 7 }] } } });
    const submitted = await submit(p.h);
    const invoice = await settled(p.h, submitted.id, ['integrated']);
    expect(types(invoice).filter((t) => t === 'deposit-attempt-failed')).toHaveLength(2);
    expect(deposits(invoice.number)).toBe(1);
  });

  it('after the last attempt: needs attention with the cause and an alert; an operator retry then deposits it', async () => {
    await faults({ endpoints: { deposerFlux: { error503Ratio: 1 } } });
    const submitted = await submit(p.h);
    const invoice = await settled(p.h, submitted.id, ['needs_attention'], 30_000);
    expect(invoice.lastError?.code).toBe('DEPOSIT_FAILED');
    expect(invoice.lastError?.message).toMatch(/failed 8 times .*HTTP 503.*retry/);
    const failed = (await p.h.ctx.queues.deposit.getJob(invoice.id))!;
    expect(await failed.isFailed()).toBe(true);
    // Eight attempts, one sentence: Bull Board shows no stack repeated per attempt.
    expect([failed.attemptsMade, failed.stacktrace, failed.progress]).toEqual([8, [], 100]);
    expect(await alertsOf(p.h, invoice.id)).toEqual([{ event: 'invoice.action_required', reason: 'deposit_failed' }]);

    await faults({});
    // Two operators retry at once: one retry goes, the other is told it is no longer needed.
    const retries = await Promise.all(
      [1, 2].map(() => p.h.api(`/v1/invoices/${invoice.id}/retry`, { method: 'POST' })),
    );
    expect(retries.map((r) => r.status).sort()).toEqual([202, 409]);
    const done = await settled(p.h, invoice.id, ['integrated']);
    expect(types(done)).toContain('retry-requested');
    expect(deposits(done.number)).toBe(1);
    expect((await p.h.api(`/v1/invoices/${invoice.id}/retry`, { method: 'POST' })).status).toBe(409);
  });

  it("is re-deposited by Bull Board's retry of the failed job, as docs/pipeline.md says", async () => {
    await faults({ endpoints: { deposerFlux: { error503Ratio: 1 } } });
    const submitted = await submit(p.h);
    await settled(p.h, submitted.id, ['needs_attention'], 30_000);
    await faults({});
    const job = (await p.h.ctx.queues.deposit.getJob(submitted.id))!;
    expect(await job.isFailed()).toBe(true);
    await job.retry('failed'); // what Bull Board's "Retry" button calls
    const done = await settled(p.h, submitted.id, ['integrated']);
    expect(done.events.find((e) => e.type === 'retry-requested')).toMatchObject({ source: 'operator' });
    expect(deposits(done.number)).toBe(1);
  });

  it('waits out a 429 without spending an attempt', async () => {
    await faults({ endpoints: { deposerFlux: { failNext: [{ status: 429, count: 1, retryAfterSeconds: 1 }] } } });
    const started = Date.now();
    const submitted = await submit(p.h);
    const invoice = await settled(p.h, submitted.id, ['integrated']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    // The 429 detour did not count: the job finished on its first counted attempt, with no failed attempt.
    expect((await p.h.ctx.queues.deposit.getJob(invoice.id))?.attemptsMade).toBe(1);
    expect(types(invoice)).not.toContain('deposit-attempt-failed');
    expect(deposits(invoice.number)).toBe(1);
  });

  it('looks a timed-out deposit up at Chorus Pro instead of sending it again', async () => {
    // The simulator answers after the client gave up, but it did receive and process the deposit.
    await faults({ endpoints: { deposerFlux: { latencyMs: 1500 } } });
    const slow = await createPipelineHarnessLike({ CHORUS_DEPOSIT_TIMEOUT_SECONDS: '1' });
    try {
      const submitted = await submit(slow.h);
      const invoice = await settled(slow.h, submitted.id, ['integrated'], 20_000);
      expect(types(invoice)).toEqual(
        expect.arrayContaining(['deposit-outcome-unknown', 'deposit-reconciled', 'status-changed']),
      );
      expect(types(invoice)).not.toContain('deposit-sent');
      expect(deposits(invoice.number)).toBe(1);
    } finally {
      await slow.close();
    }
  });
});

describe('a supplier account refused by Chorus Pro', () => {
  it('is paused with one alert; its invoices wait, and resume when the credentials are fixed', async () => {
    const other = await createPipelineHarnessLike({});
    try {
      expect(
        (await other.h.api('/v1/suppliers', jsonInit(supplierBody({ chorusPassword: 'Wrong-Password-1' })))).status,
      ).toBe(200);
      const a = await submit(other.h);
      const b = await submit(other.h);
      await expect
        .poll(
          async () => ((await other.h.api('/v1/suppliers').then((r) => r.json())) as { data: unknown[] }).data.length,
          { timeout: 5000 },
        )
        .toBe(1);
      await expect.poll(async () => (await supplierAlerts(other.h)).length, { timeout: 10_000 }).toBe(1);
      // Nothing moves while paused: each deposit job looked again twice and waited again.
      for (const id of [a.id, b.id]) {
        await expect
          .poll(
            async () =>
              (await other.h.ctx.queues.deposit.getJobLogs(id)).logs.filter((l) => l.includes('is paused')).length,
            { timeout: 10_000 },
          )
          .toBeGreaterThanOrEqual(2);
      }
      for (const id of [a.id, b.id]) expect((await read(other.h, id)).state).toBe('queued');
      expect(await supplierAlerts(other.h)).toEqual(['supplier.account_refused']);

      expect((await other.h.api('/v1/suppliers', jsonInit(supplierBody()))).status).toBe(200);
      for (const id of [a.id, b.id]) await settled(other.h, id, ['integrated']);
    } finally {
      await other.close();
    }
  });
});

describe('new credentials for a paused supplier account', () => {
  it('send its waiting invoices at once, not at the next recheck; one taken while paused says so from the start', async () => {
    // A recheck an hour away: only the new credentials can move these invoices within the test.
    const other = await createPipelineHarnessLike({ SUPPLIER_PAUSE_RECHECK_SECONDS: '3600' });
    try {
      expect(
        (await other.h.api('/v1/suppliers', jsonInit(supplierBody({ chorusPassword: 'Wrong-Password-1' })))).status,
      ).toBe(200);
      const first = await submit(other.h);
      await expect.poll(async () => (await supplierAlerts(other.h)).length, { timeout: 10_000 }).toBe(1);
      const later = await submit(other.h);
      const taken = await read(other.h, later.id);
      expect(taken.events.slice(0, 2).map((e) => e.type)).toEqual(['received', 'waiting-for-supplier-account']);
      expect(taken.events[1]!.message).toMatch(/paused .*goes as soon as new credentials are registered/);
      for (const id of [first.id, later.id]) {
        await expect
          .poll(async () => (await other.h.ctx.queues.deposit.getJob(id))?.isDelayed(), { timeout: 10_000 })
          .toBe(true);
      }

      expect((await other.h.api('/v1/suppliers', jsonInit(supplierBody()))).status).toBe(200);
      for (const id of [first.id, later.id]) await settled(other.h, id, ['integrated'], 20_000);
    } finally {
      await other.close();
    }
  });
});

/** A second harness on the same simulator, with its own worker and settings. */
async function createPipelineHarnessLike(env: Record<string, string>) {
  const { createHarness, simulatorEnv } = await import('../helpers/harness.js');
  const { FAST_PIPELINE_ENV } = await import('../helpers/pipeline.js');
  const h = await createHarness({ env: { ...simulatorEnv(p.simulator), ...FAST_PIPELINE_ENV, ...env } });
  expect((await h.api('/v1/suppliers', jsonInit(supplierBody()))).status).toBe(201);
  const w = startWorker(h.ctx);
  return {
    h,
    async close() {
      await w.stop();
      await h.close();
    },
  };
}

describe('after integration, statuses are followed', () => {
  it("records every Chorus status with its date and comment, up to the recipient's decision", async () => {
    const submitted = await submit(p.h);
    await settled(p.h, submitted.id, ['integrated']);
    await expect
      .poll(async () => (await read(p.h, submitted.id)).chorus.status, { timeout: 15_000, interval: 100 })
      .toBe('MISE_A_DISPOSITION');
    const id = Number((await read(p.h, submitted.id)).chorus.invoiceId);
    const decided = await fetch(`${p.simulator.url}/simulator/recipient/traiter`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ idFacture: id, nouveauStatut: 'SUSPENDUE', motif: 'Attestation de TVA manquante' }),
    });
    expect(decided.status).toBe(200);
    await expect
      .poll(async () => (await read(p.h, submitted.id)).chorus.status, { timeout: 15_000, interval: 100 })
      .toBe('SUSPENDUE');
    const invoice = await read(p.h, submitted.id);
    expect(invoice.chorus).toMatchObject({
      status: 'SUSPENDUE',
      stage: 'on_hold',
      stageLabel: 'Mise en attente',
      statusLabel: 'Suspendue',
      final: false,
      action: 'complete',
    });
    const changes = invoice.events.filter((e) => e.type === 'status-changed');
    // The first status comes with the integration, every later one as a change: together, the whole story.
    const story = [
      invoice.events.find((e) => e.type === 'integrated')?.details?.status,
      ...changes.map((e) => e.details?.to),
    ];
    expect(story).toContain('MISE_A_DISPOSITION');
    expect(story.at(-1)).toBe('SUSPENDUE');
    expect(changes.find((e) => e.details?.to === 'SUSPENDUE')).toMatchObject({
      source: 'chorus',
      details: { comment: 'Attestation de TVA manquante' },
    });
    // Each status once; if not, the whole timeline says where the doubled one came from.
    expect(new Set(changes.map((e) => e.details?.to)).size, JSON.stringify(invoice.events, null, 1)).toBe(
      changes.length,
    );
    const schedulers = await p.h.ctx.queues['status-sync'].getJobSchedulers();
    expect(schedulers).toHaveLength(1);
  });
});
