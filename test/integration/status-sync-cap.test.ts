/**
 * Chorus Pro returns at most 200 results to `rechercher/fournisseur` (docs/chorus-pro-notes.md, "Answers") and cannot
 * sort by status date. A supplier's first sync looks back 90 days: here 450 invoices were made available over the last
 * 81 days, and the relay must see every one of them, not the first 200.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SupplierAccount } from '../../src/db/entities/supplier-account.js';
import { startWorker } from '../../workers/worker.js';
import { insertFollowedInvoices } from '../helpers/followed-invoices.js';
import { createPipelineHarness, type PipelineHarness } from '../helpers/pipeline.js';

const CHANGED = 450;
const BATCHES = 9;
const DAY_MS = 86_400_000;

let p: PipelineHarness;
beforeAll(async () => {
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

describe(`a first status sync with ${CHANGED} changes in 90 days, past the 200-result cap`, () => {
  it('sees every changed invoice', async () => {
    const invoices: Array<{ id: number; number: string }> = [];
    for (let batch = 0; batch < BATCHES; batch++) {
      const res = await admin('/invoices/seed', {
        supplierSiret: '73282932000074',
        recipientSiret: '11000201100044',
        serviceCode: 'SERVICE-BTP',
        count: CHANGED / BATCHES,
        numberPrefix: `C${batch}-`,
        agoMs: (batch + 1) * 9 * DAY_MS,
      });
      expect(res.status).toBe(201);
      invoices.push(...((await res.json()) as Array<{ id: number; number: string }>));
    }
    expect(invoices).toHaveLength(CHANGED);

    // The cap is real: one search over the whole period stops at 200.
    const { client } = p.h.ctx.chorus.production!;
    const account = { login: 'TECH_1_DEMO@cpro.fr', password: 'Demo-Password-2026' };
    const capped = await client.rechercherFactureParFournisseur(account, {
      periodeDateHeureEtatCourantDu: new Date(Date.now() - 90 * DAY_MS).toISOString().slice(0, 10),
    });
    expect(capped).toHaveLength(200);

    const em = p.h.ctx.orm.em.fork();
    const supplier = await em.findOneOrFail(SupplierAccount, { siret: '73282932000074' });
    // Our side: deposited and integrated, last seen DEPOSEE; never synced (statusSyncedUntil is null).
    await insertFollowedInvoices(em, supplier.id, invoices, 'DEPOSEE', '100 days');
    expect(supplier.statusSyncedUntil ?? null).toBeNull();
    expect((await admin('/counts/reset', {})).status).toBe(204);

    const worker = startWorker(p.h.ctx);
    try {
      const madeAvailable = async () =>
        Number(
          (
            await em
              .getConnection()
              .execute<Array<{ n: string }>>(
                `select count(*) as n from invoice where chorus_status = 'MISE_A_DISPOSITION'`,
              )
          )[0]!.n,
        );
      await expect.poll(madeAvailable, { timeout: 60_000, interval: 200 }).toBe(CHANGED);
      await expect
        .poll(async () => (await p.h.ctx.queues['status-sync'].getJobs(['completed'])).map((j) => j.returnvalue), {
          timeout: 10_000,
        })
        .toEqual([{ changed: CHANGED, seen: CHANGED, integrated: 0, withoutHistory: 0 }]);
    } finally {
      await worker.stop();
    }
    const counts = (await (await fetch(`${p.simulator.url}/simulator/counts`)).json()) as {
      byEndpoint: Record<string, number>;
    };
    // Reported in the closing note: the searches it took to get past the cap.
    console.log(
      `status sync past the cap, ${CHANGED} changes: ${counts.byEndpoint.rechercherFactureParFournisseur} search call(s)`,
    );
    expect(counts.byEndpoint.rechercherFactureParFournisseur).toBeGreaterThan(Math.ceil(CHANGED / 100));
  });
});
