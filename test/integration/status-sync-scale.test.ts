/**
 * The status sync's cost grows with the number of changes, not with the number of invoices followed:
 * 10 000 invoices followed, 100 changed at Chorus Pro, one sync. The simulator counts the calls it receives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SupplierAccount } from '../../src/db/entities/supplier-account.js';
import { startWorker } from '../../workers/worker.js';
import { insertFollowedInvoices } from '../helpers/followed-invoices.js';
import { createPipelineHarness, type PipelineHarness } from '../helpers/pipeline.js';

const FOLLOWED = 10_000;
const CHANGED = 100;

let p: PipelineHarness;
beforeAll(async () => {
  // One sync, started by the scheduler when the worker starts; the next would come an hour later.
  p = await createPipelineHarness({ env: { STATUS_SYNC_INTERVAL_SECONDS: '3600', CHECKS_INTERVAL_SECONDS: '3600' } });
});
afterAll(async () => {
  await p.close();
});

const admin = (path: string, body: unknown) =>
  fetch(`${p.simulator.url}/simulator${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe(`status sync of ${FOLLOWED} followed invoices of which ${CHANGED} changed`, () => {
  it('asks Chorus Pro for the changes only, and reads the history of the changed invoices only', async () => {
    const seeded = await admin('/invoices/seed', {
      supplierSiret: '73282932000074',
      recipientSiret: '11000201100044',
      serviceCode: 'SERVICE-BTP',
      count: FOLLOWED,
      numberPrefix: 'S',
      agoMs: 3_600_000,
    });
    expect(seeded.status).toBe(201);
    const invoices = (await seeded.json()) as Array<{ id: number; number: string }>;

    const em = p.h.ctx.orm.em.fork();
    const supplier = await em.findOneOrFail(SupplierAccount, { siret: '73282932000074' });
    // The same 10 000 invoices on our side, integrated and followed, as the deposit pipeline leaves them.
    await insertFollowedInvoices(em, supplier.id, invoices, 'MISE_A_DISPOSITION', '1 hour');
    supplier.statusSyncedUntil = new Date();
    await em.flush();

    const changed = invoices.filter((_, i) => i % (FOLLOWED / CHANGED) === 0);
    expect(changed).toHaveLength(CHANGED);
    for (const [i, invoice] of changed.entries()) {
      const decision =
        i % 2 === 0
          ? { nouveauStatut: 'SUSPENDUE', motif: `Pièce manquante ${invoice.number}` }
          : { nouveauStatut: 'MANDATEE' };
      expect((await admin('/recipient/traiter', { idFacture: invoice.id, ...decision })).status).toBe(200);
    }
    expect((await admin('/counts/reset', {})).status).toBe(204);

    const worker = startWorker(p.h.ctx);
    try {
      const count = async () =>
        Number(
          (
            await em
              .getConnection()
              .execute<Array<{ n: string }>>(
                `select count(*) as n from invoice where chorus_status in ('SUSPENDUE', 'MANDATEE')`,
              )
          )[0]!.n,
        );
      await expect.poll(count, { timeout: 60_000, interval: 200 }).toBe(CHANGED);
      await expect
        .poll(async () => (await p.h.ctx.queues['status-sync'].getJobs(['completed'])).map((j) => j.returnvalue), {
          timeout: 10_000,
        })
        .toEqual([{ changed: CHANGED, seen: CHANGED, integrated: 0, withoutHistory: 0 }]);
      // One run: a failed first attempt (it once failed on the supplier row's version) would double the calls.
      expect(await p.h.ctx.queues['status-sync'].getJobs(['failed'])).toEqual([]);
      expect((await p.h.ctx.queues['status-sync'].getJobs(['completed']))[0]!.attemptsMade).toBeLessThanOrEqual(1);
    } finally {
      await worker.stop();
    }

    const counts = (await (await fetch(`${p.simulator.url}/simulator/counts`)).json()) as {
      byEndpoint: Record<string, number>;
    };
    const search = counts.byEndpoint.rechercherFactureParFournisseur ?? 0;
    const history = counts.byEndpoint.consulterHistoriqueFacture ?? 0;
    // Reported in the closing note and docs/pipeline.md: one search page of 100, one history read per changed invoice.
    console.log(
      `status sync, ${FOLLOWED} followed / ${CHANGED} changed: ${search} search call(s), ${history} history call(s); all calls: ${JSON.stringify(counts.byEndpoint)}`,
    );
    expect(history).toBe(CHANGED);
    expect(search).toBe(Math.ceil(CHANGED / 100));
    const events = await em
      .getConnection()
      .execute<Array<{ n: string }>>(`select count(*) as n from invoice_event where type = 'status-changed'`);
    expect(Number(events[0]!.n)).toBe(CHANGED);
  });
});
