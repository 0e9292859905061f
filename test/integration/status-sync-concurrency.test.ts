/**
 * Status syncs of one supplier account that run at once (a slow sync overtaken by the next, a sync asked by hand,
 * two worker processes) record each change once and none of them fails: under load, one used to fail on the unique
 * notification key of a change the other had just recorded, and Bull Board showed its SQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Notification } from '../../src/db/entities/notification.js';
import { SupplierAccount } from '../../src/db/entities/supplier-account.js';
import { startWorker, type RunningWorker } from '../../workers/worker.js';
import { SUPPLIER_SIRET } from '../helpers/invoices.js';
import { createPipelineHarness, read, settled, submit, type PipelineHarness } from '../helpers/pipeline.js';

let p: PipelineHarness;
const workers: RunningWorker[] = [];
beforeAll(async () => {
  p = await createPipelineHarness({ env: { STATUS_SYNC_INTERVAL_SECONDS: '3600' } });
  // Two worker processes' worth of status-sync slots (2 each).
  workers.push(startWorker(p.h.ctx), startWorker(p.h.ctx));
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await p.close();
});

const treat = async (chorusId: string, nouveauStatut: string) => {
  const res = await fetch(`${p.simulator.url}/simulator/recipient/traiter`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ idFacture: Number(chorusId), nouveauStatut, motif: 'Montant erroné' }),
  });
  expect(res.status).toBe(200);
};

async function syncsAtOnce(count: number): Promise<string[]> {
  const supplier = await p.h.ctx.orm.em.fork().findOneOrFail(SupplierAccount, { siret: SUPPLIER_SIRET });
  const jobs = await p.h.ctx.queues['status-sync'].addBulk(
    Array.from({ length: count }, (_, i) => ({ name: `sync ${i} (test)`, data: { supplierAccountId: supplier.id } })),
  );
  // Done: completed, failed, or waiting for a retry after a failed attempt (a sync that waits for a running
  // integration search is delayed too, without a failure, and not done yet).
  const done = async (id: string) => {
    const job = await p.h.ctx.queues['status-sync'].getJob(id);
    const state = await job?.getState();
    return state === 'completed' || state === 'failed' || (state === 'delayed' && Boolean(job?.failedReason));
  };
  await expect
    .poll(async () => (await Promise.all(jobs.map((j) => done(j.id!)))).every(Boolean), {
      timeout: 20_000,
      interval: 50,
    })
    .toBe(true);
  return Promise.all(
    jobs.map(
      async (j) => `${await j.getState()}${(await p.h.ctx.queues['status-sync'].getJob(j.id!))?.failedReason ?? ''}`,
    ),
  );
}

describe('status syncs of one account running at once', () => {
  it('record each change once, and none fails', async () => {
    await expect
      .poll(async () => (await p.h.ctx.queues['status-sync'].getJobs(['completed'])).length, { timeout: 10_000 })
      .toBeGreaterThan(0);
    const submitted = await Promise.all(Array.from({ length: 6 }, () => submit(p.h)));
    const integrated = await Promise.all(submitted.map((i) => settled(p.h, i.id, ['integrated'], 30_000)));
    await expect
      .poll(
        () => {
          // The simulator moves its invoices on its clock when asked; nothing else asks it between two syncs.
          p.simulator.engine.catchUp();
          return integrated.every(
            (i) => p.simulator.world.invoices.get(Number(i.chorus.invoiceId))?.status === 'MISE_A_DISPOSITION',
          );
        },
        { timeout: 10_000 },
      )
      .toBe(true);
    expect(await syncsAtOnce(1)).toEqual(['completed']);

    for (const invoice of integrated) await treat(invoice.chorus.invoiceId!, 'REJETEE');
    expect(await syncsAtOnce(8)).toEqual(Array(8).fill('completed'));
    const em = p.h.ctx.orm.em.fork();
    for (const invoice of integrated) {
      expect((await read(p.h, invoice.id)).chorus.status).toBe('REJETEE');
      const told = await em.find(Notification, {
        invoice: invoice.id,
        event: { $in: ['invoice.status_changed', 'invoice.action_required'] },
      });
      expect(told.filter((n) => n.event === 'invoice.action_required')).toHaveLength(1);
      expect(told.filter((n) => n.event === 'invoice.status_changed' && n.payload.to === 'REJETEE')).toHaveLength(1);
    }
  });
});
