/** All calls to Chorus Pro stay under CHORUS_MAX_RPS, and a supplier with a backlog does not starve another. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Invoice } from '../../src/db/entities/invoice.js';
import { InvoiceEvent } from '../../src/db/entities/invoice-event.js';
import { startWorker } from '../../workers/worker.js';
import { invoiceBody, jsonInit, supplierBody } from '../helpers/invoices.js';
import { createPipelineHarness, settled, type PipelineHarness } from '../helpers/pipeline.js';

const MAX_RPS = 8;
let p: PipelineHarness;
beforeAll(async () => {
  // Status sync would share the same budget; here only deposits and reports should spend it.
  p = await createPipelineHarness({
    env: {
      CHORUS_MAX_RPS: String(MAX_RPS),
      DEPOSIT_CONCURRENCY: '4',
      REPORT_POLL_FIRST_SECONDS: '0.3',
      STATUS_SYNC_INTERVAL_SECONDS: '600',
    },
  });
  // A second supplier: the same demo technical account is attached to it in the simulator's seed.
  expect((await p.h.api('/v1/suppliers', jsonInit(supplierBody({ siret: '44306184100047' })))).status).toBe(201);
});
afterAll(() => p.close());

describe('fair order and rate limit', () => {
  it('serves a lone invoice of supplier B early behind 30 of supplier A, and never exceeds CHORUS_MAX_RPS', async () => {
    const bodies = await Promise.all(Array.from({ length: 30 }, () => invoiceBody()));
    const aIds: string[] = [];
    for (const body of bodies) {
      const res = await p.h.api('/v1/invoices', jsonInit(body));
      expect(res.status).toBe(202);
      aIds.push(((await res.json()) as { id: string }).id);
    }
    const lone = await p.h.api('/v1/invoices', jsonInit(await invoiceBody({ supplierSiret: '44306184100047' })));
    const loneId = ((await lone.json()) as { id: string }).id;

    const worker = startWorker(p.h.ctx);
    try {
      await settled(p.h, loneId, ['integrated'], 60_000);
      for (const id of aIds) await settled(p.h, id, ['integrated'], 60_000);
    } finally {
      await worker.stop();
    }

    // Order of deposits, from the timeline: B's invoice went out among the first few, not after A's 30 (FIFO).
    // Its job is taken in the first round (its priority ties A's first) and waits for the rate limit ahead of every
    // later A (the limiter admits by priority): only A's first, and an A admitted while B is between two of its own
    // calls (its pre-check), can go before it. Three runs: position 0 (before the ordered admission: 0, 2, 6, 7); once
    // 4 on a busy machine. In arrival order it would be 30th: the bound keeps a wide margin and still tells them apart.
    const sent = await p.h.ctx.orm.em
      .fork()
      .find(InvoiceEvent, { type: 'deposit-sent' }, { orderBy: { id: 'asc' }, populate: ['invoice'] });
    const position = sent.findIndex((e) => e.invoice.id === loneId);
    expect(position).toBeGreaterThanOrEqual(0);
    expect(position).toBeLessThan(10);

    const counts = p.simulator.counter.snapshot(p.simulator.world.depositsByInvoiceNumber);
    expect(counts.maxInAnySecond).toBeLessThanOrEqual(MAX_RPS);
    // With a backlog the limiter is the bottleneck: the busiest second used most of the allowance.
    expect(counts.maxInAnySecond).toBeGreaterThanOrEqual(MAX_RPS - 2);
    const invoices = await p.h.ctx.orm.em.fork().find(Invoice, { id: { $in: [...aIds, loneId] } });
    for (const invoice of invoices) expect(counts.depositsByInvoiceNumber[invoice.number]).toBe(1);
  }, 120_000);
});
