/**
 * A works document and its successor, end to end through the simulator with scenarios/works.json. Expectations come
 * from docs/chorus-pro-notes.md, "Works documents": a monthly draft (A4) is made available to the project manager
 * (MISE_A_DISPOSITION_MOE), who has 7 days to review it (the payment delay runs from then); the MOE then passes
 * it to the contracting authority (TRANSMISE_MOA, MISE_A_DISPOSITION_MOA, PRISE_EN_COMPTE_MOA), which pays; the amounts
 * of a statement are kept apart from its totals (the retention at most 5 %). The relay's and the simulator's clocks
 * move together.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailFor } from '../../src/alerts/messages.js';
import { Invoice } from '../../src/db/entities/invoice.js';
import { Notification } from '../../src/db/entities/notification.js';
import { loadScenario } from '../../src/simulator/scenario.js';
import { startWorker, type RunningWorker } from '../../workers/worker.js';
import { invoiceBody, invoiceNumber, jsonInit, RECIPIENT_SIRET, SUPPLIER_SIRET } from '../helpers/invoices.js';
import { movingClocks } from '../helpers/clocks.js';
import { createPipelineHarness, read, settled, type InvoiceState, type PipelineHarness } from '../helpers/pipeline.js';

const DAY = 86_400_000;
const MOE = '26750045200011';
let p: PipelineHarness;
const { clock, advance } = movingClocks(() => p.simulator.url);
let worker: RunningWorker;
const market = `M-TRAVAUX-${invoiceNumber()}`;

type WorksState = InvoiceState & {
  billingFrame: string;
  previousInvoiceId: string | null;
  madeAvailableAt: string | null;
  worksAmounts: Record<string, string | null> | null;
  chorus: InvoiceState['chorus'] & {
    waitingFor: string | null;
    clock: { name: string; party: string; days: number; startedAt: string; dueAt: string } | null;
  };
};

beforeAll(async () => {
  p = await createPipelineHarness({
    clock,
    simulator: { scenario: loadScenario('scenarios/works.json') },
    env: { CHECKS_INTERVAL_SECONDS: '0.5' },
  });
  const profile = {
    marketNumber: market,
    buyer: { siret: RECIPIENT_SIRET, serviceCode: 'SERVICE-BTP' },
    moe: { siret: MOE },
    holderSiret: SUPPLIER_SIRET,
  };
  expect((await p.h.api('/v1/contracts', jsonInit(profile))).status).toBe(201);
  worker = startWorker(p.h.ctx);
});
afterAll(async () => {
  await worker.stop();
  await p.close();
});

/** A monthly draft statement (A4) of 1 000.00 + 20 %: works executed to date `executed`, billed before `before`. */
const statement = (executed: string, before: string, extra: Record<string, unknown> = {}) =>
  invoiceBody({
    billingFrame: 'A4',
    marketNumber: market,
    worksAmounts: {
      executedToDate: executed,
      previouslyInvoiced: before,
      retention: '60.00',
      advanceRepayment: '100.00',
      amountToPay: '1040.00',
    },
    ...extra,
  });
async function post(body: Record<string, unknown>) {
  const res = await p.h.api('/v1/invoices', jsonInit(body));
  return {
    status: res.status,
    body: (await res.json()) as WorksState & {
      error?: { code: string; details: Array<{ path: string; code: string; message: string }> };
    },
  };
}
const view = async (id: string) => (await read(p.h, id)) as WorksState;
const statusesOf = async (id: string) =>
  (await view(id)).events.filter((e) => e.type === 'status-changed').map((e) => e.details?.to as string);
const clockAlerts = () =>
  p.h.ctx.orm.em.fork().find(Notification, { event: 'invoice.clock_expired' }, { orderBy: { createdAt: 'asc' } });

const ids: Record<string, string> = {};

describe('a works document and its successor', () => {
  it('refuses works amounts that do not hold, and a previous document that is not a works document', async () => {
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ retention: '60.01', amountToPay: '1039.99' }, 'worksAmounts.retention', 'retention_above_limit'],
      [{ amountToPay: '1200.00' }, 'worksAmounts.amountToPay', 'amount_to_pay_wrong'],
      [{ executedToDate: '3500.00' }, 'amountWithoutVat', 'works_amounts_do_not_add_up'],
    ];
    for (const [amounts, path, code] of cases) {
      const body = await statement('3000.00', '2000.00');
      const sent = await post({ ...body, worksAmounts: { ...(body.worksAmounts as object), ...amounts } });
      expect(sent.status, JSON.stringify(amounts)).toBe(422);
      expect(sent.body.error?.details).toEqual([expect.objectContaining({ path, code })]);
    }
    const ordinary = await post(await invoiceBody({ marketNumber: market }));
    expect(ordinary.status).toBe(202);
    const notWorks = await post(await statement('3000.00', '2000.00', { previousInvoiceId: ordinary.body.id }));
    expect([notWorks.status, notWorks.body.error?.code]).toEqual([422, 'PREVIOUS_NOT_WORKS']);
    const ordinaryWithAmounts = await post(
      await invoiceBody({ worksAmounts: { executedToDate: '1000.00', amountToPay: '1200.00' } }),
    );
    expect(ordinaryWithAmounts.body.error?.details).toEqual([
      expect.objectContaining({ path: 'worksAmounts', code: 'not_a_works_document' }),
    ]);
  });

  it('are deposited, the second linked to the first, their amounts kept apart, and both wait for the MOE with its 7-day clock', async () => {
    const first = await post(await statement('3000.00', '2000.00'));
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    ids.first = first.body.id;
    const second = await post(await statement('4000.00', '3000.00', { previousInvoiceId: ids.first }));
    expect(second.status, JSON.stringify(second.body)).toBe(202);
    ids.second = second.body.id;
    expect(second.body.previousInvoiceId).toBe(ids.first);
    expect(second.body.worksAmounts).toEqual({
      executedToDate: '4000.00',
      previouslyInvoiced: '3000.00',
      priceRevision: '0.00',
      retention: '60.00',
      advance: '0.00',
      advanceRepayment: '100.00',
      amountToPay: '1040.00',
    });
    for (const id of [ids.first, ids.second]) {
      await settled(p.h, id, ['integrated'], 30_000);
      await expect.poll(async () => (await view(id)).chorus.status, { timeout: 20_000 }).toBe('MISE_A_DISPOSITION_MOE');
      const doc = await view(id);
      expect(doc.chorus).toMatchObject({
        stage: 'made_available',
        waitingFor: 'moe',
        clock: { name: 'moe_review', party: 'moe', days: 7 },
      });
      expect(new Date(doc.chorus.clock!.dueAt).getTime() - new Date(doc.chorus.clock!.startedAt).getTime()).toBe(
        7 * DAY,
      );
    }
    expect(await clockAlerts()).toHaveLength(0);
    // What Chorus Pro offers for works was asked before the first deposit, and recorded with the syntaxeFlux used.
    const offer = (await view(ids.first)).events.find((e) => e.type === 'works-offer')!;
    expect(offer.details).toMatchObject({ syntaxeFluxUsed: 'IN_DP_E2_CII_FACTURX' });
    expect(offer.details?.frames).toContain('A4');
    expect(offer.details?.formats).toEqual(expect.arrayContaining(['IN_DP_E1_STRUCT', 'IN_DP_E2_MIXTE']));
  });

  it('refuses a link to a document the supplier does not have, or to one of another market, and writes nothing', async () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['00000000-0000-4000-8000-000000000000', {}, 'PREVIOUS_INVOICE_NOT_FOUND'],
      [ids.first!, { marketNumber: `${market}-AUTRE` }, 'PREVIOUS_OTHER_MARKET'],
    ];
    for (const [previousInvoiceId, extra, code] of cases) {
      const body = await statement('5000.00', '4000.00', { previousInvoiceId, ...extra });
      const sent = await post(body);
      expect([sent.status, sent.body.error?.code]).toEqual([422, code]);
      expect(sent.body.error?.details).toEqual([
        expect.objectContaining({ path: 'previousInvoiceId', code: code.toLowerCase() }),
      ]);
      expect(await p.h.ctx.orm.em.fork().count(Invoice, { number: String(body.number) })).toBe(0);
    }
  });

  it('refuses before any deposit a works frame Chorus Pro does not offer the supplier (an MOE’s, A15)', async () => {
    const sent = await post(await invoiceBody({ billingFrame: 'A15', marketNumber: 'M-WITHOUT-PROFILE' }));
    expect(sent.status).toBe(202);
    const refused = await settled(p.h, sent.body.id, ['precheck_failed'], 20_000);
    expect(refused.lastError?.code).toBe('FRAME_NOT_OFFERED');
    expect(refused.lastError?.message).toContain('does not offer billing frame A15');
    expect(p.simulator.world.depositsByInvoiceNumber.get(refused.number) ?? 0).toBe(0);
    // Asked once for the account's three works documents (cached like a recipient's profile).
    expect([
      p.simulator.counter.byEndpoint.get('recupererCadreFacturation'),
      p.simulator.counter.byEndpoint.get('recupererFormatFlux'),
    ]).toEqual([1, 1]);
  });

  it('alert once each when the MOE lets its 7 days run out', async () => {
    const due = new Date((await view(ids.first!)).chorus.clock!.dueAt).getTime();
    await advance(due + 60_000 - clock.now().getTime());
    await expect.poll(async () => (await clockAlerts()).length, { timeout: 15_000 }).toBe(2);
    // More checks run: still one alert per document.
    const checksBefore = (await p.h.ctx.queues.checks.getJobCounts('completed')).completed ?? 0;
    await expect
      .poll(async () => (await p.h.ctx.queues.checks.getJobCounts('completed')).completed ?? 0, { timeout: 15_000 })
      .toBeGreaterThanOrEqual(checksBefore + 3);
    const alerts = await clockAlerts();
    expect(alerts.map((n) => n.invoice?.id).sort()).toEqual([ids.first, ids.second].sort());
    const mail = emailFor(alerts[0]!, null);
    expect(mail.subject).toMatch(
      /délai de la maîtrise d'œuvre dépassé \/ Works document .*: project manager's delay ran out$/,
    );
    expect(mail.text).toContain('disposait de 7 jours');
    expect(mail.text).toContain('The payment delay runs anyway');
    expect((await view(ids.first!)).events.map((e) => e.type)).toContain('clock-expired');
  });

  it('move on through the MOE and the MOA to payment, each status with who must act', async () => {
    // Day 9 and a few minutes: the MOE took it into account and passed it on (scenarios/works.json).
    await advance(2 * DAY + 5 * 60_000);
    await expect
      .poll(async () => (await view(ids.first!)).chorus.status, { timeout: 20_000 })
      .toBe('MISE_A_DISPOSITION_MOA');
    expect(await statusesOf(ids.first!)).toEqual([
      'DEPOSEE',
      'EN_COURS_ACHEMINEMENT',
      'MISE_A_DISPOSITION_MOE',
      'PRISE_EN_COMPTE_MOE',
      'TRANSMISE_MOA',
      'MISE_A_DISPOSITION_MOA',
    ]);
    expect((await view(ids.first!)).chorus).toMatchObject({ stage: 'made_available', waitingFor: 'moa', clock: null });
    await advance(DAY);
    await expect
      .poll(async () => (await view(ids.first!)).chorus.status, { timeout: 20_000 })
      .toBe('PRISE_EN_COMPTE_MOA');
    expect((await view(ids.first!)).chorus).toMatchObject({ stage: 'accepted', waitingFor: null });
    await advance(10 * DAY);
    for (const id of [ids.first!, ids.second!]) {
      await expect.poll(async () => (await view(id)).chorus.status, { timeout: 20_000 }).toBe('MISE_EN_PAIEMENT');
      expect((await view(id)).chorus).toMatchObject({ stage: 'completed', final: true, waitingFor: null });
    }
    // The payment delay runs from MISE_A_DISPOSITION_MOE (docs/chorus-pro-notes.md, "Payment delays and late payment"),
    // not from a later MOA status: the date the overdue check counts from is that status's.
    const doc = await view(ids.first!);
    const madeAvailableToMoe = doc.events.find(
      (e) => e.type === 'status-changed' && e.details?.to === 'MISE_A_DISPOSITION_MOE',
    )!;
    expect(doc.madeAvailableAt).toBe(madeAvailableToMoe.details!.at);
  });
});

describe('when Chorus Pro does not say which works frames it offers (docs/construction.md)', () => {
  /** The offer is cached per technical account (a refusal is not): dropped, so the next works document asks again. */
  async function forgetTheOffer() {
    const keys = await p.h.ctx.redis.keys(`${p.h.ctx.config.queuePrefix}:*:works-offer:*`);
    if (keys.length > 0) await p.h.ctx.redis.del(...keys);
  }
  async function answerTheNextFrameQuestionWith(body: Record<string, unknown>) {
    const res = await fetch(`${p.simulator.url}/simulator/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ endpoints: { recupererCadreFacturation: { answerNext: [{ count: 1, body }] } } }),
    });
    expect(res.status).toBe(200);
  }
  /** An MOE's frame, which the simulator does not offer a supplier: refused whenever the offer names frames. */
  async function depositAnA15() {
    const asked = p.simulator.counter.byEndpoint.get('recupererCadreFacturation') ?? 0;
    const sent = await post(await invoiceBody({ billingFrame: 'A15', marketNumber: 'M-WITHOUT-PROFILE' }));
    expect(sent.status).toBe(202);
    await expect
      .poll(() => p.simulator.world.depositsByInvoiceNumber.get(sent.body.number) ?? 0, { timeout: 20_000 })
      .toBe(1);
    expect(p.simulator.counter.byEndpoint.get('recupererCadreFacturation')).toBe(asked + 1);
    const doc = await view(sent.body.id);
    expect(doc.state).not.toBe('precheck_failed');
    return doc.events.find((e) => e.type === 'works-offer');
  }

  it('an account Chorus Pro refuses the question deposits anyway, and its timeline says so', async () => {
    await forgetTheOffer();
    await answerTheNextFrameQuestionWith({ codeRetour: 20003, libelle: 'Refus simulé' });
    const offer = await depositAnA15();
    expect(offer?.message).toMatch(
      /^Chorus Pro did not say which works frames and flux formats this account may use \(.*Refus simulé.*\); deposited with syntaxeFlux IN_DP_E2_CII_FACTURX\.$/,
    );
  });

  it.each([
    ['an empty list', { listeCadreFacturation: [] }],
    [
      'a list under another name (the shape is unconfirmed)',
      { listeCadresFacturation: [{ codeCadreFacturation: 'A4_PROJET_DECOMPTE_MENSUEL_FOURNISSEUR' }] },
    ],
  ])('%s of frames refuses nothing, and the timeline says none was listed', async (_, list) => {
    await forgetTheOffer();
    await answerTheNextFrameQuestionWith({ codeRetour: 0, libelle: 'TRA_MSG_00.000', ...list });
    const offer = await depositAnA15();
    expect(offer?.details).toMatchObject({ frames: [], syntaxeFluxUsed: 'IN_DP_E2_CII_FACTURX' });
    expect(offer?.message).toContain('offers this account the frames (none listed)');
  });
});
