/**
 * What following invoices costs at Chorus Pro. Chorus Pro's own order for an ordinary invoice
 * (docs/chorus-pro-notes.md, "Statuses"): a flux is integrated, its invoice starts `DEPOSEE`, then moves by itself to
 * `EN_COURS_ACHEMINEMENT` and `MISE_A_DISPOSITION`. The simulator counts every call it receives; its invoices move
 * one status a minute here, and both clocks are moved by hand, so what each search sees is decided by the test, not
 * by the machine's speed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type RunningWorker } from '../../workers/worker.js';
import { movingClocks } from '../helpers/clocks.js';
import { jsonInit, supplierBody } from '../helpers/invoices.js';
import { createPipelineHarness, read, settled, submit, type PipelineHarness } from '../helpers/pipeline.js';

const STEP_MS = 60_000;
/** The seed's technical account TECH_1_DEMO holds this structure too. */
const SECOND_SUPPLIER = '44306184100047';

let p: PipelineHarness;
let worker: RunningWorker;
const clocks = movingClocks(() => p.simulator.url);

beforeAll(async () => {
  p = await createPipelineHarness({
    simulator: { timing: { fluxStepMs: 50, invoiceStepMs: STEP_MS } },
    // The regular sync stays out of the way: what is measured is the integration search.
    // REPORT_AFTER_SECONDS runs on Redis's clock (a delayed job), not on the clocks the test moves.
    env: { STATUS_SYNC_INTERVAL_SECONDS: '3600', INTEGRATION_SEARCH_SECONDS: '1', REPORT_AFTER_SECONDS: '10' },
    clock: clocks.clock,
  });
  expect((await p.h.api('/v1/suppliers', jsonInit(supplierBody({ siret: SECOND_SUPPLIER })))).status).toBe(201);
  worker = startWorker(p.h.ctx);
});
afterAll(async () => {
  await worker.stop();
  await p.close();
});

const calls = async () =>
  ((await (await fetch(`${p.simulator.url}/simulator/counts`)).json()) as { byEndpoint: Record<string, number> })
    .byEndpoint;
const resetCalls = async () =>
  expect((await fetch(`${p.simulator.url}/simulator/counts/reset`, { method: 'POST' })).status).toBe(204);
async function statusesOf(ids: string[]): Promise<string[]> {
  return Promise.all(ids.map(async (id) => (await read(p.h, id)).chorus.status ?? '?'));
}

/** Moves both clocks a step on, then waits until every invoice shows `status`. */
async function stepTo(ids: string[], status: string, steps = 1): Promise<void> {
  await clocks.advance(steps * STEP_MS);
  await expect
    .poll(async () => (await statusesOf(ids)).every((s) => s === status), { timeout: 30_000, interval: 100 })
    .toBe(true);
}

interface TimelineEvent {
  type: string;
  at: string;
  details?: Record<string, unknown>;
}

async function timeline(id: string): Promise<TimelineEvent[]> {
  return ((await read(p.h, id)) as unknown as { events: TimelineEvent[] }).events;
}

describe('invoices of two supplier accounts sharing one technical account', () => {
  it('are found integrated by shared searches and followed to MISE_A_DISPOSITION without reading a report or a history', async () => {
    // One scheduler for the technical account, not one per SIRET.
    const schedulers = await p.h.ctx.queues['status-sync'].getJobSchedulers();
    expect(schedulers, p.h.logs.problems().join('\n')).toHaveLength(1);

    await resetCalls();
    const submitted = await Promise.all(
      Array.from({ length: 20 }, (_, i) => submit(p.h, i % 2 === 0 ? {} : { supplierSiret: SECOND_SUPPLIER })),
    );
    const ids = submitted.map((s) => s.id);
    const integrated = await Promise.all(ids.map((id) => settled(p.h, id, ['integrated'], 30_000)));
    expect(integrated.map((i) => i.chorus.status)).toEqual(Array(20).fill('DEPOSEE'));
    await stepTo(ids, 'EN_COURS_ACHEMINEMENT');
    await stepTo(ids, 'MISE_A_DISPOSITION');

    const byEndpoint = await calls();
    console.info(`20 invoices to MISE_A_DISPOSITION: ${JSON.stringify(byEndpoint)}`);
    expect(byEndpoint.deposerFlux).toBe(20);
    expect(byEndpoint.consulterCRDetaille ?? 0).toBe(0);
    expect(byEndpoint.consulterHistoriqueFacture ?? 0).toBe(0);
    // Shared: fewer searches than invoices, from the deposits to MISE_A_DISPOSITION (npm run bench measures the
    // share per invoice on a backlog of 1 000); the recipient looked up once for all.
    expect(byEndpoint.rechercherFactureParFournisseur).toBeLessThan(20);
    expect(byEndpoint.rechercherServicesStructure).toBe(1);

    // Each status once, in Chorus Pro's order, dated a step apart.
    for (const id of ids) {
      const changes = (await timeline(id)).filter((e) => e.type === 'status-changed');
      expect(changes.map((e) => e.details?.to)).toEqual(['DEPOSEE', 'EN_COURS_ACHEMINEMENT', 'MISE_A_DISPOSITION']);
      const at = changes.map((e) => new Date(String(e.details?.at)).getTime());
      expect(at[1]! - at[0]!).toBe(STEP_MS);
      expect(at[2]! - at[1]!).toBe(STEP_MS);
    }
  });
});

describe('an invoice whose statuses moved on between two searches', () => {
  it('has its history read, and the status the searches did not see recorded in its place with its date', async () => {
    const { id } = await submit(p.h);
    await settled(p.h, id, ['integrated'], 30_000);
    await resetCalls();
    // Two steps at once: the next search sees MISE_A_DISPOSITION where it knew DEPOSEE.
    await stepTo([id], 'MISE_A_DISPOSITION', 2);
    expect((await calls()).consulterHistoriqueFacture).toBe(1);
    const changes = (await timeline(id)).filter((e) => e.type === 'status-changed');
    expect(changes.map((e) => e.details?.to)).toEqual(['DEPOSEE', 'EN_COURS_ACHEMINEMENT', 'MISE_A_DISPOSITION']);
    const at = changes.map((e) => new Date(String(e.details?.at)).getTime());
    // History dates come to the minute: EN_COURS_ACHEMINEMENT falls in the minute a step after DEPOSEE.
    expect(Math.floor(at[1]! / 60_000) - Math.floor(at[0]! / 60_000)).toBe(1);
    expect(at[2]! - at[0]!).toBe(2 * STEP_MS);
  });
});

describe('a flux the searches never find', () => {
  it('has its report read once REPORT_AFTER_SECONDS have passed, and its rejection told with Chorus Pro’s reason', async () => {
    p.simulator.faults.replace({ nextFluxState: 'IN_REJETE' });
    const { id } = await submit(p.h);
    await expect
      .poll(async () => (await read(p.h, id)).state, { timeout: 30_000, interval: 100 })
      .toBe('awaiting_report');
    p.simulator.faults.replace({});
    await resetCalls();
    // Searches run meanwhile; none finds it, and its report waits for its time.
    await expect
      .poll(async () => (await calls()).rechercherFactureParFournisseur ?? 0, { timeout: 30_000, interval: 100 })
      .toBeGreaterThan(1);
    expect((await calls()).consulterCRDetaille ?? 0).toBe(0);
    expect((await read(p.h, id)).state).toBe('awaiting_report');

    const rejected = await settled(p.h, id, ['rejected'], 30_000);
    expect(rejected.lastError?.code).toBe('REJECTED_AT_INTEGRATION');
    expect(rejected.lastError?.message).toMatch(/montant TTC de la facture est incohérent/);
    expect((await calls()).consulterCRDetaille).toBeGreaterThanOrEqual(1);
  });
});
