/**
 * A validator's decision is sent once, like a deposit: a worker killed with SIGKILL while traiter/factureAValider
 * is on the wire leaves the decision `sending`; the next worker reads the invoice's status as its validator sees it
 * (consulter/valideur) and, finding it VALIDEE_1, records the approval as done without calling again.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Validation } from '../../src/db/entities/validation.js';
import { startWorker, type RunningWorker } from '../../workers/worker.js';
import { registerMainContractor, subcontractorInvoice } from '../helpers/btp.js';
import { invoiceNumber, jsonInit } from '../helpers/invoices.js';
import { createPipelineHarness, settled, type PipelineHarness } from '../helpers/pipeline.js';
import { startProcess, type RunningProcess } from '../helpers/processes.js';

let p: PipelineHarness;
let worker: RunningWorker | null = null;
const running: RunningProcess[] = [];

beforeAll(async () => {
  p = await createPipelineHarness();
  await registerMainContractor(p);
});
afterEach(() => {
  for (const child of running.splice(0)) child.child.kill('SIGKILL');
  p.simulator.faults.replace({});
});
afterAll(async () => {
  await worker?.stop();
  await p.close();
});

const calls = (endpoint: string) => p.simulator.counter.byEndpoint.get(endpoint) ?? 0;
const row = (id: string) => p.h.ctx.orm.em.fork().findOneOrFail(Validation, id);

describe('a worker killed with SIGKILL during the traiter/factureAValider call', () => {
  it('leaves the decision sending; the next worker finds it took effect and sends nothing again', async () => {
    worker = startWorker(p.h.ctx);
    const body = subcontractorInvoice(invoiceNumber(), 'Lot électricité');
    const res = await p.h.api('/v1/invoices', jsonInit(body));
    expect(res.status).toBe(202);
    await settled(p.h, ((await res.json()) as { id: string }).id, ['integrated'], 30_000);
    await expect
      .poll(async () => (await p.h.ctx.orm.em.fork().find(Validation, { invoiceNumber: String(body.number) })).length, {
        timeout: 20_000,
      })
      .toBe(1);
    const [validation] = await p.h.ctx.orm.em.fork().find(Validation, { invoiceNumber: String(body.number) });
    await worker.stop();
    worker = null;

    p.simulator.faults.replace({ endpoints: { traiterFactureAValider: { latencyMs: 1500 } } });
    const first = startProcess('workers/main.ts', p.h.env);
    running.push(first);
    await first.waitFor(/Worker started/);
    const before = calls('traiterFactureAValider');
    expect((await p.h.api(`/v1/validations/${validation!.id}/approve`, jsonInit({}))).status).toBe(202);
    await expect.poll(() => calls('traiterFactureAValider'), { timeout: 15_000, interval: 10 }).toBe(before + 1);
    first.child.kill('SIGKILL');
    await first.exited();
    p.simulator.faults.replace({});
    // Chorus Pro took the decision; the relay does not know it yet.
    await expect
      .poll(
        () =>
          [...p.simulator.world.invoices.values()]
            .find((i) => i.number === body.number)
            ?.history.some((h) => h.code === 'VALIDEE_1'),
        { timeout: 5_000 },
      )
      .toBe(true);
    expect((await row(validation!.id)).decisionState).toBe('sending');

    const second = startProcess('workers/main.ts', p.h.env);
    running.push(second);
    await expect.poll(async () => (await row(validation!.id)).decisionState, { timeout: 30_000 }).toBe('done');
    const done = await row(validation!.id);
    expect(done.stage).toBe('approved');
    expect(done.timeline.find((e) => e.type === 'decision-sent')!.message).toMatch(/the earlier approval took effect/);
    expect(calls('traiterFactureAValider')).toBe(before + 1);
  });
});
