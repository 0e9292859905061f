/**
 * One invoice of a search page that we cannot read (no `statut`) costs that invoice, not the page: the status sync
 * follows the others, reports the one it skipped (a warn log with the item, a metric), and reads the same period again
 * at the next sync, so the skipped invoice's change is not lost once Chorus Pro writes it whole.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type RunningWorker } from '../../workers/worker.js';
import { movingClocks } from '../helpers/clocks.js';
import { rawSupplierSearch } from '../helpers/chorus.js';
import { SUPPLIER_SIRET } from '../helpers/invoices.js';
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

const syncNow = () => syncSupplierNow(p.h, SUPPLIER_SIRET);

/** What the account's sync jobs returned and logged: what to read when a change was not recorded. */
async function syncJobsSaid(): Promise<string> {
  const queue = p.h.ctx.queues['status-sync'];
  const jobs = await queue.getJobs(['completed', 'failed', 'delayed', 'waiting', 'active'], 0, 30);
  const lines = await Promise.all(
    jobs.map(
      async (j) =>
        `${j.id} ${j.name}: ${JSON.stringify(j.returnvalue)} ${j.failedReason ?? ''} ${(await queue.getJobLogs(j.id!)).logs.join(' | ')}`,
    ),
  );
  return `status-sync jobs:\n${lines.join('\n')}`;
}

const treat = async (chorusId: string, nouveauStatut: string) => {
  const res = await fetch(`${p.simulator.url}/simulator/recipient/traiter`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ idFacture: Number(chorusId), nouveauStatut, motif: 'Pièce manquante' }),
  });
  expect(res.status).toBe(200);
};

const unreadableCount = async () =>
  (await p.h.ctx.metrics.snapshot()).counters.find(
    (c) =>
      c.name === 'chorus_relay_chorus_items_unreadable_total' &&
      c.labels.endpoint === 'rechercherFactureParFournisseur',
  )?.value ?? 0;

describe('an invoice without statut on a search page', () => {
  it('is skipped and reported while the others of its page are followed, and read at the next sync', async () => {
    await expect
      .poll(async () => (await p.h.ctx.queues['status-sync'].getJobs(['completed'])).length, { timeout: 10_000 })
      .toBeGreaterThan(0);
    const submitted = [await submit(p.h), await submit(p.h), await submit(p.h)];
    const [a, b, c] = await Promise.all(submitted.map((i) => settled(p.h, i.id, ['integrated'], 30_000)));
    await expect
      .poll(
        () => {
          // The simulator moves its invoices on its clock when asked; nothing else asks it between two syncs.
          p.simulator.engine.catchUp();
          return p.simulator.world.invoices.get(Number(c!.chorus.invoiceId))?.status ?? null;
        },
        { timeout: 30_000 },
      )
      .toBe('MISE_A_DISPOSITION');
    await syncNow();
    for (const invoice of [a!, b!, c!]) expect((await read(p.h, invoice.id)).chorus.status).toBe('MISE_A_DISPOSITION');

    await treat(a!.chorus.invoiceId!, 'REJETEE');
    await treat(b!.chorus.invoiceId!, 'SUSPENDUE');
    await treat(c!.chorus.invoiceId!, 'REJETEE');
    // The next search page, as production would write it, but B's item without its status.
    const page = await rawSupplierSearch(p.simulator.url);
    const items = page.listeFactures;
    const bItem = items.find((i) => String(i.identifiantFactureCPP) === b!.chorus.invoiceId)!;
    expect(bItem.statut).toBe('SUSPENDUE');
    bItem.statut = null;
    p.simulator.faults.replace({
      endpoints: { rechercherFactureParFournisseur: { answerNext: [{ count: 1, body: page }] } },
    });
    // Later than the overlap with the previous sync: a sync that moved past the period would never see B's change
    // again.
    await clocks.advance(60_000);
    const before = await unreadableCount();

    await syncNow();
    expect((await read(p.h, a!.id)).chorus.status, await syncJobsSaid()).toBe('REJETEE');
    expect((await read(p.h, c!.id)).chorus.status).toBe('REJETEE');
    expect((await read(p.h, b!.id)).chorus.status).toBe('MISE_A_DISPOSITION');
    const warning = p.h.logs.lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => String(l.message).includes('carried an item we cannot read'));
    expect(warning).toMatchObject({
      level: 'warn',
      endpoint: 'rechercherFactureParFournisseur',
      list: 'listeFactures',
      item: { identifiantFactureCPP: Number(b!.chorus.invoiceId), statut: null },
    });
    expect(String(warning!.problem)).toMatch(/^statut: /);
    await expect.poll(unreadableCount).toBe(before + 1);

    await clocks.advance(60_000);
    await syncNow();
    const followed = await read(p.h, b!.id);
    expect(followed.chorus.status).toBe('SUSPENDUE');
    expect(followed.actionRequired?.reason).toBe('suspended');
  });
});
