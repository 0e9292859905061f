/**
 * The simulator's world from a scenario file (SIMULATOR_SCENARIO), and its state kept across restarts
 * (SIMULATOR_STATE_FILE), so that a restarted `npm start` still knows what the relay deposited.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/simulator/scenario.js';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { generateSampleInvoice } from '../../scripts/lib/sample-invoices.js';
import { createChorusHarness, MINISTRY_SIRET, SUPPLIER, SUPPLIER_SIRET } from '../helpers/chorus.js';

const dir = mkdtempSync(join(tmpdir(), 'simulator-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const invoiceFile = async (number: string) =>
  (
    await generateSampleInvoice(
      {
        number,
        issueDate: '2026-11-20',
        supplierSiret: SUPPLIER_SIRET,
        recipientSiret: MINISTRY_SIRET,
        serviceCode: 'SERVICE-BTP',
        amountWithoutVat: '100.00',
      },
      'UBL',
    )
  ).toString('base64');

describe('scenario files', () => {
  it('every ready scenario of scenarios/ loads and starts a simulator', async () => {
    const files = readdirSync('scenarios').filter((f) => f.endsWith('.json'));
    expect(files).toEqual(
      expect.arrayContaining([
        'demo.json',
        'recipient-rejects.json',
        'recipient-suspends.json',
        'slow-day.json',
        'works.json',
      ]),
    );
    for (const file of files) {
      const scenario = loadScenario(join('scenarios', file));
      expect(scenario.description).not.toBe('');
      const simulator = await startSimulator({ scenario });
      await simulator.close();
    }
  });

  it('a scenario file with a mistake is refused with the field at fault', () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, JSON.stringify({ recipients: { [MINISTRY_SIRET]: [{ status: 'REJETEE', afterSecond: 3 }] } }));
    expect(() => loadScenario(path)).toThrow(/bad\.json is invalid: recipients\.11000201100044/);
  });

  it("the recipient of recipient-rejects.json rejects a minute after MISE_A_DISPOSITION, with the scenario's reason", async () => {
    const h = await createChorusHarness({ scenario: loadScenario('scenarios/recipient-rejects.json') });
    try {
      const { client } = h.client();
      const number = `SCN-${process.pid}`;
      const receipt = await client.deposerFlux(SUPPLIER, {
        fichierFlux: Buffer.from(await invoiceFile(number), 'base64'),
        nomFichier: 'f.xml',
        syntaxeFlux: 'IN_DP_E1_UBL_INVOICE',
      });
      await h.admin('/clock/advance', { body: { ms: 6_000 } });
      const [invoice] = await client.rechercherFactureParFournisseur(SUPPLIER, {
        numeroFluxDepot: receipt.numeroFluxDepot!,
      });
      expect(invoice?.statut).toBe('MISE_A_DISPOSITION');
      await h.admin('/clock/advance', { body: { ms: 59_000 } });
      expect(
        (await client.consulterFactureParFournisseur(SUPPLIER, invoice!.identifiantFactureCPP)).facture?.statutFacture,
      ).toBe('MISE_A_DISPOSITION');
      await h.admin('/clock/advance', { body: { ms: 2_000 } });
      const history = (await client.consulterHistoriqueFacture(SUPPLIER, invoice!.identifiantFactureCPP))
        .historiquesDesStatuts!.histoStatut;
      expect(history.at(-1)).toMatchObject({
        histoStatutCode: 'REJETEE',
        histoStatutCommentaire: expect.stringMatching(/engagement juridique/) as unknown,
      });
    } finally {
      await h.close();
    }
  });
});

/** A PISTE token, then one Chorus Pro call, as any client would make them. */
async function callChorus(base: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: 'simulator-client-id',
    client_secret: 'simulator-client-secret',
  });
  const token = (await (
    await fetch(`${base}/api/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    })
  ).json()) as {
    access_token: string;
  };
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token.access_token}`,
      'cpro-account': Buffer.from(`${SUPPLIER.login}:${SUPPLIER.password}`).toString('base64'),
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  });
  return (await res.json()) as Record<string, unknown>;
}

describe('state kept across restarts', () => {
  it('a restarted simulator knows the fluxes, invoices, statuses and clock of the one before, and never reuses an id', async () => {
    const stateFile = join(dir, 'state.json');
    let simulator: Simulator = await startSimulator({ stateFile });
    try {
      const invoices = async () =>
        (await fetch(`${simulator.url}/simulator/invoices`)).json() as Promise<
          Array<{ identifiantFactureCPP: number; statut: string }>
        >;
      const deposit = await callChorus(simulator.url, '/cpro/factures/v1/deposer/flux', {
        fichierFlux: await invoiceFile(`KEPT-${process.pid}`),
        nomFichier: 'k.xml',
        syntaxeFlux: 'IN_DP_E1_UBL_INVOICE',
      });
      const flux = String(deposit.numeroFluxDepot);
      await fetch(`${simulator.url}/simulator/clock/advance`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ms: 3_600_000 }),
      });
      const before = await invoices();
      expect(before).toHaveLength(1);
      expect(before[0]!.statut).toBe('MISE_A_DISPOSITION');
      const clockBefore = simulator.world.clock.now();
      await simulator.close();

      simulator = await startSimulator({ stateFile });
      expect(simulator.restoredInvoices).toBe(1);
      expect(await invoices()).toEqual(before);
      // The hour the clock was moved forward is kept.
      expect(simulator.world.clock.now() - clockBefore).toBeGreaterThanOrEqual(0);
      expect(simulator.world.clock.now() - clockBefore).toBeLessThan(600_000);
      const report = await callChorus(simulator.url, '/cpro/transverses/v1/consulterCRDetaille', {
        numeroFluxDepot: flux,
      });
      expect(report).toMatchObject({ codeRetour: 0, etatCourantDepotFlux: 'IN_INTEGRE' });
      expect(simulator.world.next.invoice).toBeGreaterThan(before[0]!.identifiantFactureCPP);
    } finally {
      await simulator.close();
    }
  });
});
