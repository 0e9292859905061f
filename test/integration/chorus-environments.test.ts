/**
 * One deployment, two Chorus Pro environments (issue 9, 3h): a supplier account in the sandbox is served by the
 * sandbox's PISTE application and URLs, one in production by production's, never the other way round.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSeed } from '../../src/simulator/model.js';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { startWorker, type RunningWorker } from '../../workers/worker.js';
import { createHarness, simulatorEnv, type Harness } from '../helpers/harness.js';
import { jsonInit, supplierBody } from '../helpers/invoices.js';
import { FAST_PIPELINE_ENV, settled, submit } from '../helpers/pipeline.js';

/** Attached to the demo technical account, like the default supplier, so both can deposit with it. */
const OTHER_SUPPLIER_SIRET = '44306184100047';

let production: Simulator;
let sandbox: Simulator;
let h: Harness;
let worker: RunningWorker;
beforeAll(async () => {
  production = await startSimulator({ seed: loadSeed(), timing: { fluxStepMs: 50, invoiceStepMs: 50 } });
  sandbox = await startSimulator({ seed: loadSeed(), timing: { fluxStepMs: 50, invoiceStepMs: 50 } });
  h = await createHarness({
    env: { ...simulatorEnv(production, ['production']), ...simulatorEnv(sandbox, ['sandbox']), ...FAST_PIPELINE_ENV },
  });
  worker = startWorker(h.ctx);
});
afterAll(async () => {
  await worker.stop();
  await h.close();
  await production.close();
  await sandbox.close();
});

describe('a deployment serving both environments', () => {
  it('deposits a sandbox account at the sandbox and a production account in production', async () => {
    expect((await h.api('/v1/suppliers', jsonInit(supplierBody({ environment: 'sandbox' })))).status).toBe(201);
    expect(
      (await h.api('/v1/suppliers', jsonInit(supplierBody({ siret: OTHER_SUPPLIER_SIRET, environment: 'production' }))))
        .status,
    ).toBe(201);
    const inSandbox = await submit(h);
    const inProduction = await submit(h, { supplierSiret: OTHER_SUPPLIER_SIRET });
    await settled(h, inSandbox.id, ['integrated']);
    await settled(h, inProduction.id, ['integrated']);

    expect(sandbox.world.depositsByInvoiceNumber.get(inSandbox.number)).toBe(1);
    expect(sandbox.world.depositsByInvoiceNumber.has(inProduction.number)).toBe(false);
    expect(production.world.depositsByInvoiceNumber.get(inProduction.number)).toBe(1);
    expect(production.world.depositsByInvoiceNumber.has(inSandbox.number)).toBe(false);
    // Each environment's own PISTE token.
    expect(sandbox.counter.byEndpoint.get('oauthToken')).toBeGreaterThanOrEqual(1);
    expect(production.counter.byEndpoint.get('oauthToken')).toBeGreaterThanOrEqual(1);
  });
});

describe('a deployment serving production only', () => {
  it('refuses to register a sandbox account, naming the variables to set, and writes nothing', async () => {
    const only = await createHarness({ env: simulatorEnv(production, ['production']) });
    try {
      const res = await only.api('/v1/suppliers', jsonInit(supplierBody({ environment: 'sandbox' })));
      expect(res.status).toBe(422);
      const { error } = (await res.json()) as {
        error: { code: string; message: string; details: Array<{ path: string; message: string }> };
      };
      expect(error.code).toBe('CHORUS_ENVIRONMENT_NOT_CONFIGURED');
      expect(error.details[0]).toMatchObject({ path: 'environment' });
      expect(error.details[0]!.message).toContain('PISTE_SANDBOX_CLIENT_ID');
      expect(((await (await only.api('/v1/suppliers')).json()) as { data: unknown[] }).data).toEqual([]);
      expect((await only.api('/v1/suppliers', jsonInit(supplierBody({ environment: 'production' })))).status).toBe(201);
    } finally {
      await only.close();
    }
  });
});
