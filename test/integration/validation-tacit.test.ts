/**
 * A decision asked after the validator's deadline passed: its job finds the invoice approved by silence
 * (ABSENCE_VALIDATION_1_HORS_DELAI) and sends nothing; `validation.tacitly_approved` is still told, once, whichever of
 * the decision job and the inbox sync learns it first (they used to disagree: the job set the stage without the alert,
 * and the sync then saw no change). The relay's and the simulator's clocks move together; nothing sleeps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Notification } from '../../src/db/entities/notification.js';
import { startWorker, type RunningWorker } from '../../workers/worker.js';
import { HOLDER, registerMainContractor, subcontractorInvoice } from '../helpers/btp.js';
import { movingClocks } from '../helpers/clocks.js';
import { jsonInit } from '../helpers/invoices.js';
import { createPipelineHarness, settled, syncSupplierNow, type PipelineHarness } from '../helpers/pipeline.js';

const DAY = 86_400_000;
let p: PipelineHarness;
let worker: RunningWorker;
const clocks = movingClocks(() => p.simulator.url);
beforeAll(async () => {
  // No status sync but those this test asks for (the schedulers' first runs aside).
  p = await createPipelineHarness({ clock: clocks.clock, env: { STATUS_SYNC_INTERVAL_SECONDS: '3600' } });
  await registerMainContractor(p);
  worker = startWorker(p.h.ctx);
});
afterAll(async () => {
  await worker.stop();
  await p.close();
});

const syncHolder = () => syncSupplierNow(p.h, HOLDER);
const tacitAlerts = () => p.h.ctx.orm.em.fork().count(Notification, { event: 'validation.tacitly_approved' });

describe('an approval asked after the deadline', () => {
  it('finds the invoice approved by silence, sends nothing, and tells validation.tacitly_approved once', async () => {
    const res = await p.h.api('/v1/invoices', jsonInit(subcontractorInvoice('ST-TACIT-01')));
    expect(res.status).toBe(202);
    await settled(p.h, ((await res.json()) as { id: string }).id, ['integrated'], 30_000);
    await expect
      .poll(
        async () => {
          await syncHolder();
          const list = (await (await p.h.api('/v1/validations?pending=true')).json()) as {
            data: Array<{ id: string }>;
          };
          return list.data.length;
        },
        { timeout: 20_000 },
      )
      .toBe(1);
    const { data } = (await (await p.h.api('/v1/validations?pending=true')).json()) as { data: Array<{ id: string }> };
    const id = data[0]!.id;

    await clocks.advance(16 * DAY);
    const decisionsBefore = p.simulator.counter.byEndpoint.get('traiterFactureAValider') ?? 0;
    expect((await p.h.api(`/v1/validations/${id}/approve`, jsonInit({}))).status).toBe(202);
    await expect
      .poll(
        async () =>
          ((await (await p.h.api(`/v1/validations/${id}`)).json()) as { decision: { state: string } }).decision.state,
        {
          timeout: 15_000,
        },
      )
      .toBe('failed');
    // Past ABSENCE_VALIDATION_1_HORS_DELAI by now (routed to the buyer): silence, not a decision, sent it on.
    const after = (await (await p.h.api(`/v1/validations/${id}`)).json()) as { stage: string };
    expect(after.stage).toBe('tacitly_approved');
    expect(p.simulator.counter.byEndpoint.get('traiterFactureAValider') ?? 0).toBe(decisionsBefore);
    await expect.poll(tacitAlerts, { timeout: 10_000 }).toBe(1);

    await syncHolder();
    await syncHolder();
    expect(await tacitAlerts()).toBe(1);
  });
});
