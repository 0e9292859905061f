/**
 * Defects found by trying the pipeline from outside (an independent Chorus Pro fake, a new user, a review), each
 * pinned by a test written from the contract and the reference, not from our code.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Notification } from '../../src/db/entities/notification.js';
import { startWorker, type RunningWorker } from '../../workers/worker.js';
import { createHarness, simulatorEnv, type Harness } from '../helpers/harness.js';
import { jsonInit, supplierBody } from '../helpers/invoices.js';
import {
  createPipelineHarness,
  FAST_PIPELINE_ENV,
  read,
  settled,
  submit,
  type InvoiceState,
  type PipelineHarness,
} from '../helpers/pipeline.js';

let p: PipelineHarness;
let worker: RunningWorker;
beforeAll(async () => {
  // History to the minute, as production clients report it (docs/chorus-pro-notes.md, "Answers").
  p = await createPipelineHarness({
    simulator: { timing: { fluxStepMs: 50, invoiceStepMs: 1 }, variants: { historyDateFormat: 'short' } },
    env: { FLUX_STUCK_AFTER_SECONDS: '3' },
  });
  worker = startWorker(p.h.ctx);
});
afterAll(async () => {
  await worker.stop();
  await p.close();
});
afterEach(async () => {
  await simulatorAdmin('/faults', 'PUT', {});
});

const simulatorAdmin = (path: string, method: string, body?: unknown) =>
  fetch(`${p.simulator.url}/simulator${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
const deposits = (number: string) => p.simulator.world.depositsByInvoiceNumber.get(number) ?? 0;
const notificationsOf = (h: Harness, invoiceId: string) =>
  h.ctx.orm.em.fork().find(Notification, { invoice: invoiceId }, { orderBy: { createdAt: 'asc' } });
type Full = InvoiceState & { madeAvailableAt: string | null };

async function chorusStatusIs(h: Harness, id: string, status: string): Promise<Full> {
  await expect.poll(async () => (await read(h, id)).chorus.status, { timeout: 15_000, interval: 50 }).toBe(status);
  return (await read(h, id)) as Full;
}

describe('3a: an invoice the report already finds MISE_A_DISPOSITION', () => {
  it('gets its madeAvailableAt, so the payment delay and the end of following start', async () => {
    const submitted = await submit(p.h);
    const invoice = (await settled(p.h, submitted.id, ['integrated'])) as Full;
    // invoiceStepMs is 1 ms: Chorus Pro has made it available before the report looks.
    expect(invoice.events.find((e) => e.type === 'integrated')?.details?.status).toBe('MISE_A_DISPOSITION');
    expect(invoice.madeAvailableAt).not.toBeNull();
    const chorusDate = p.simulator.world.invoices.get(Number(invoice.chorus.invoiceId))!.statusAt;
    expect(new Date(invoice.madeAvailableAt!).getTime()).toBe(chorusDate);
    const csv = await (await p.h.api('/v1/invoices', { headers: { accept: 'text/csv' } })).text();
    const line = csv.split('\n').find((l) => l.includes(invoice.number))!;
    expect(line).toContain(invoice.madeAvailableAt!);
  });
});

describe('3b: a status reached in the same minute as the last precise date', () => {
  it('is recorded and published once, in order, although history dates are to the minute', async () => {
    // Chorus Pro's clock at the start of a minute: everything below happens within that minute.
    expect(
      (await simulatorAdmin('/clock/advance', 'POST', { ms: 60_000 - (p.simulator.world.clock.now() % 60_000) + 200 }))
        .status,
    ).toBe(200);
    const submitted = await submit(p.h);
    const invoice = await settled(p.h, submitted.id, ['integrated']);
    await chorusStatusIs(p.h, submitted.id, 'MISE_A_DISPOSITION');
    const chorusId = Number(invoice.chorus.invoiceId);
    const simInvoice = p.simulator.world.invoices.get(chorusId)!;
    const madeAvailableMinute = Math.floor(simInvoice.statusAt / 60_000);

    expect(
      (
        await simulatorAdmin('/recipient/traiter', 'POST', {
          idFacture: chorusId,
          nouveauStatut: 'SUSPENDUE',
          motif: 'Pièce manquante',
        })
      ).status,
    ).toBe(200);
    expect(Math.floor(simInvoice.statusAt / 60_000)).toBe(madeAvailableMinute);
    const suspended = await chorusStatusIs(p.h, submitted.id, 'SUSPENDUE');
    expect(
      (await simulatorAdmin('/recipient/traiter', 'POST', { idFacture: chorusId, nouveauStatut: 'MISE_A_DISPOSITION' }))
        .status,
    ).toBe(200);
    const again = await chorusStatusIs(p.h, submitted.id, 'MISE_A_DISPOSITION');
    expect(Math.floor(simInvoice.statusAt / 60_000)).toBe(madeAvailableMinute);

    const told = (i: InvoiceState) => i.events.filter((e) => e.type === 'status-changed').map((e) => e.details?.to);
    // The history up to MISE_A_DISPOSITION came with the integration; then each change of that same minute.
    expect(told(suspended)).toEqual(['DEPOSEE', 'EN_COURS_ACHEMINEMENT', 'MISE_A_DISPOSITION', 'SUSPENDUE']);
    expect(told(again)).toEqual([
      'DEPOSEE',
      'EN_COURS_ACHEMINEMENT',
      'MISE_A_DISPOSITION',
      'SUSPENDUE',
      'MISE_A_DISPOSITION',
    ]);
    // Two more sync cycles: nothing doubled.
    const completed = async () => (await p.h.ctx.queues['status-sync'].getJobs(['completed'])).length;
    const before = await completed();
    await expect.poll(completed, { timeout: 10_000, interval: 50 }).toBeGreaterThanOrEqual(before + 2);
    const changes = (await notificationsOf(p.h, submitted.id))
      .filter((n) => n.event === 'invoice.status_changed')
      .map((n) => n.payload.to);
    expect([...changes].sort()).toEqual([
      'DEPOSEE',
      'EN_COURS_ACHEMINEMENT',
      'MISE_A_DISPOSITION',
      'MISE_A_DISPOSITION',
      'SUSPENDUE',
    ]);
    expect(told(await read(p.h, submitted.id))).toHaveLength(5);
  });
});

describe('3d: an answer to a deposit that cannot be read', () => {
  it('is an unknown outcome, looked up, never "rejected": the invoice is found and deposited once', async () => {
    await simulatorAdmin('/faults', 'PUT', { endpoints: { deposerFlux: { garbleAnswerNext: 1 } } });
    const submitted = await submit(p.h);
    const invoice = await settled(p.h, submitted.id, ['integrated', 'rejected', 'needs_attention']);
    expect(invoice.state).toBe('integrated');
    expect(invoice.events.map((e) => e.type)).toContain('deposit-outcome-unknown');
    expect(invoice.events.map((e) => e.type)).toContain('deposit-reconciled');
    expect(deposits(invoice.number)).toBe(1);
  });
});

describe('3e: Chorus Pro states we do not know', () => {
  it('an undocumented flux state is not final and is logged; a flux never finished goes to needs_attention with an alert', async () => {
    await simulatorAdmin('/faults', 'PUT', { nextFluxStuckIn: 'IN_A_RELANCER' });
    const submitted = await submit(p.h);
    const invoice = await settled(p.h, submitted.id, ['needs_attention', 'integrated', 'rejected']);
    expect(invoice.state).toBe('needs_attention');
    expect(invoice.lastError?.code).toBe('FLUX_STUCK');
    expect(invoice.lastError?.message).toContain('IN_A_RELANCER');
    expect(invoice.actionRequired?.reason).toBe('deposit_failed');
    expect(
      p.h.logs.lines.some((l) => l.includes('flux state we do not know') && l.includes('"fluxState":"IN_A_RELANCER"')),
    ).toBe(true);
    const alerts = (await notificationsOf(p.h, submitted.id)).filter((n) => n.event === 'invoice.action_required');
    expect(alerts.map((n) => n.payload.message)).toEqual([invoice.lastError?.message]);
    // Polled several times before giving up, never taken for a final state.
    const { logs } = await p.h.ctx.queues['deposit-report'].getJobLogs(submitted.id);
    expect(logs.filter((l) => l.includes('IN_A_RELANCER')).length).toBeGreaterThan(1);
  });

  it('an invoice status outside our enum is stored and shown raw', async () => {
    const submitted = await submit(p.h);
    const invoice = await settled(p.h, submitted.id, ['integrated']);
    await chorusStatusIs(p.h, submitted.id, 'MISE_A_DISPOSITION');
    // A code no client we know of has (ABSENCE_VALIDATION_MOE_DELAI_REGLEMENTAIRE, outside the Swagger too, is known
    // from other clients and mapped: status-model.test.ts).
    expect(
      (await simulatorAdmin(`/invoices/${invoice.chorus.invoiceId}/status`, 'POST', { code: 'STATUT_AJOUTE_EN_2027' }))
        .status,
    ).toBe(200);
    const raw = await chorusStatusIs(p.h, submitted.id, 'STATUT_AJOUTE_EN_2027');
    expect(raw.chorus).toMatchObject({ status: 'STATUT_AJOUTE_EN_2027', stage: null, final: null });
    expect(raw.events.at(-1)).toMatchObject({
      type: 'status-changed',
      details: { to: 'STATUT_AJOUTE_EN_2027', unknownStatus: true },
    });
  });
});

describe('3g: a refused invoice on the board', () => {
  it('is a failed job carrying what was refused, why and what to do', async () => {
    const submitted = await submit(p.h, { serviceCode: null });
    const invoice = await settled(p.h, submitted.id, ['precheck_failed']);
    const job = await p.h.ctx.queues.deposit.getJob(invoice.id);
    expect(await job!.getState()).toBe('failed');
    expect(job!.failedReason).toContain(`invoice ${invoice.number}`);
    expect(job!.failedReason).toContain(invoice.lastError!.message);
    expect(job!.failedReason).toMatch(/retry once fixed/);
    // It is not retried by BullMQ: an operator decides.
    expect(job!.attemptsMade).toBe(1);
  });
});

describe('3j: an invoice id Chorus Pro gives to another invoice', () => {
  it("never gets the other invoice's statuses, and a restarted simulator hands out new ids", async () => {
    const submitted = await submit(p.h);
    const invoice = await settled(p.h, submitted.id, ['integrated']);
    await chorusStatusIs(p.h, submitted.id, 'MISE_A_DISPOSITION');
    const simInvoice = p.simulator.world.invoices.get(Number(invoice.chorus.invoiceId))!;
    // What a restart of the old numbering did: the same id now names another invoice, which the recipient rejects.
    simInvoice.number = 'AUTRE-FACTURE';
    simInvoice.fluxNumber = 'CPP0000000000000000000001';
    expect(
      (
        await simulatorAdmin('/recipient/traiter', 'POST', {
          idFacture: simInvoice.id,
          nouveauStatut: 'REJETEE',
          motif: 'Pas pour vous',
        })
      ).status,
    ).toBe(200);
    await expect.poll(() => p.h.logs.text.includes('points to another invoice'), { timeout: 10_000 }).toBe(true);
    const after = await read(p.h, submitted.id);
    expect(after.chorus.status).toBe('MISE_A_DISPOSITION');
    expect(after.events.filter((e) => e.details?.to === 'REJETEE')).toEqual([]);

    const { startSimulator } = await import('../../src/simulator/server.js');
    const restarted = await startSimulator({ timing: { fluxStepMs: 1, invoiceStepMs: 1 } });
    try {
      const before = [...p.simulator.world.invoices.keys()];
      const seeded = restarted.actions.seedIntegrated('73282932000074', '11000201100044', 'SERVICE-BTP', 3, 'R', 0);
      for (const { id } of seeded) expect(before).not.toContain(id);
    } finally {
      await restarted.close();
    }
  });
});

describe('3k: fixing a rejected invoice', () => {
  it('refused at integration (IN_REJETE): the fixed invoice is accepted under the same number, and nextStep says so', async () => {
    await simulatorAdmin('/faults', 'PUT', { nextFluxState: 'IN_REJETE' });
    const first = await submit(p.h);
    const rejected = await settled(p.h, first.id, ['rejected']);
    expect(rejected.actionRequired?.reason).toBe('rejected_at_integration');
    expect(rejected.actionRequired?.nextStep.en).toMatch(/same number/);
    const again = await submit(p.h, { number: rejected.number });
    expect(again.id).not.toBe(rejected.id);
    const integrated = await settled(p.h, again.id, ['integrated']);
    expect(integrated.number).toBe(rejected.number);
    // Once integrated, the number is taken again.
    const third = await p.h.api(
      '/v1/invoices',
      jsonInit(await (await import('../helpers/invoices.js')).invoiceBody({ number: rejected.number })),
    );
    expect(third.status).toBe(409);
  });

  it('rejected by the recipient (REJETEE): the same number is refused, a new number linked to it is taken', async () => {
    const first = await submit(p.h);
    const invoice = await settled(p.h, first.id, ['integrated']);
    await chorusStatusIs(p.h, first.id, 'MISE_A_DISPOSITION');
    expect(
      (
        await simulatorAdmin('/recipient/traiter', 'POST', {
          idFacture: Number(invoice.chorus.invoiceId),
          nouveauStatut: 'REJETEE',
          motif: 'Montant erroné',
        })
      ).status,
    ).toBe(200);
    const rejected = await chorusStatusIs(p.h, first.id, 'REJETEE');
    expect(rejected.actionRequired?.reason).toBe('rejected_by_recipient');
    expect(rejected.actionRequired?.nextStep.en).toMatch(/new number/);
    const { invoiceBody } = await import('../helpers/invoices.js');
    const same = await p.h.api('/v1/invoices', jsonInit(await invoiceBody({ number: invoice.number })));
    expect(same.status).toBe(409);
    expect(((await same.json()) as { error: { code: string } }).error.code).toBe('DUPLICATE_INVOICE_NUMBER');
    const corrected = await submit(p.h, { correctsInvoiceId: first.id });
    expect(corrected.correctsInvoiceId).toBe(first.id);
    expect((await read(p.h, first.id)).actionRequired).toBeNull();
  });
});

describe('3f: a supplier account Chorus Pro refuses', () => {
  it('is visible: paused with reason and date, its invoices need action, stats count them, new credentials resume them', async () => {
    const h = await createHarness({ env: { ...simulatorEnv(p.simulator), ...FAST_PIPELINE_ENV } });
    const w = startWorker(h.ctx);
    try {
      expect(
        (await h.api('/v1/suppliers', jsonInit(supplierBody({ chorusPassword: 'Wrong-Password-1' })))).status,
      ).toBe(201);
      const a = await submit(h);
      await expect
        .poll(async () => (await read(h, a.id)).actionRequired?.reason, { timeout: 10_000, interval: 50 })
        .toBe('supplier_account_refused');
      const waiting = await read(h, a.id);
      expect(waiting.state).toBe('queued');
      expect(waiting.actionRequired?.nextStep.en).toMatch(/register its new credentials/);
      const suppliers = ((await (await h.api('/v1/suppliers')).json()) as { data: Array<Record<string, unknown>> })
        .data;
      expect(suppliers[0]).toMatchObject({
        paused: true,
        pausedReason: expect.stringMatching(/technical account/) as unknown,
      });
      expect(Date.parse(String(suppliers[0]!.pausedSince))).toBeGreaterThan(Date.now() - 60_000);
      // An invoice submitted while the account is paused waits for it from the start.
      const b = await submit(h);
      expect(b.actionRequired?.reason).toBe('supplier_account_refused');
      const stats = (await (await h.api('/v1/stats')).json()) as {
        needsAction: { total: number; byReason: Record<string, number> };
      };
      expect(stats.needsAction.byReason.supplier_account_refused).toBe(2);

      expect((await h.api('/v1/suppliers', jsonInit(supplierBody()))).status).toBe(200);
      expect((await read(h, a.id)).actionRequired).toBeNull();
      const resumed = ((await (await h.api('/v1/suppliers')).json()) as { data: Array<Record<string, unknown>> }).data;
      expect(resumed[0]).toMatchObject({ paused: false, pausedReason: null, pausedSince: null });
      for (const id of [a.id, b.id]) await settled(h, id, ['integrated']);
    } finally {
      await w.stop();
      await h.close();
    }
  });
});
