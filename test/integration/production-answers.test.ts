/**
 * The relay against Chorus Pro answers written as production's Java backend writes them: every property of the
 * Swagger definition present, `null` when unset (the simulator's default). Invoices deposited without a flux have a
 * null `numeroFluxDepot` in the searches that list them beside flux invoices; every invoice is still followed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePlainPdf } from '../../scripts/lib/sample-invoices.js';
import { startWorker, type RunningWorker } from '../../workers/worker.js';
import { rawSupplierSearch } from '../helpers/chorus.js';
import { invoiceFields, jsonInit, sampleOf } from '../helpers/invoices.js';
import {
  createPipelineHarness,
  read,
  settled,
  submit,
  type InvoiceState,
  type PipelineHarness,
} from '../helpers/pipeline.js';
import { SWAGGER_DEFINITIONS } from '../helpers/swagger.js';

let p: PipelineHarness;
let worker: RunningWorker;
beforeAll(async () => {
  p = await createPipelineHarness();
  worker = startWorker(p.h.ctx);
});
afterAll(async () => {
  await worker.stop();
  await p.close();
});

async function post(body: Record<string, unknown>): Promise<InvoiceState> {
  const res = await p.h.api('/v1/invoices', jsonInit(body));
  expect(res.status, await res.clone().text()).toBe(202);
  return (await res.json()) as InvoiceState;
}

async function pdfInvoice(): Promise<InvoiceState> {
  const fields = invoiceFields();
  const pdf = await generatePlainPdf(sampleOf(String(fields.number)));
  return post({
    ...fields,
    depositMode: 'pdf',
    vatBreakdown: [{ rate: '20', base: '1000.00', vat: '200.00' }],
    file: { name: 'facture.pdf', contentBase64: pdf.toString('base64') },
  });
}

const dataInvoice = () =>
  post(
    invoiceFields({
      depositMode: 'data',
      lines: [{ description: 'Maçonnerie', quantity: '1', unit: 'forfait', unitPrice: '1000.00', vatRate: '20' }],
    }),
  );

const treat = async (chorusId: string, nouveauStatut: string, motif: string) => {
  const res = await fetch(`${p.simulator.url}/simulator/recipient/traiter`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ idFacture: Number(chorusId), nouveauStatut, motif }),
  });
  expect(res.status).toBe(200);
};

describe('flux, PDF and data invoices on one search page, with every unset property null', () => {
  it('are all followed to MISE_A_DISPOSITION, then to the REJETEE and SUSPENDUE the recipient sets', async () => {
    const submitted = [await submit(p.h), await pdfInvoice(), await dataInvoice()];
    for (const invoice of submitted) await settled(p.h, invoice.id, ['integrated'], 30_000);
    for (const invoice of submitted) {
      await expect
        .poll(async () => (await read(p.h, invoice.id)).chorus.status, { timeout: 20_000, interval: 50 })
        .toBe('MISE_A_DISPOSITION');
    }
    const [flux, pdf, data] = await Promise.all(submitted.map((i) => read(p.h, i.id)));

    // The page the syncs read holds the three, each with every property of the Swagger's item, unset ones null.
    const page = (await rawSupplierSearch(p.simulator.url)).listeFactures;
    const declared = Object.keys(SWAGGER_DEFINITIONS.RetourRechercherFactureParFournisseur!.properties!);
    for (const invoice of [flux!, pdf!, data!]) {
      const item = page.find((i) => String(i.identifiantFactureCPP) === invoice.chorus.invoiceId);
      expect(item, invoice.number).toBeDefined();
      expect(Object.keys(item!).sort()).toEqual([...declared].sort());
    }
    expect(page.find((i) => String(i.identifiantFactureCPP) === pdf!.chorus.invoiceId)!.numeroFluxDepot).toBeNull();
    expect(page.find((i) => String(i.identifiantFactureCPP) === data!.chorus.invoiceId)!.numeroFluxDepot).toBeNull();
    expect(page.find((i) => String(i.identifiantFactureCPP) === flux!.chorus.invoiceId)!.numeroFluxDepot).toBe(
      flux!.chorus.fluxNumber,
    );

    await treat(flux!.chorus.invoiceId!, 'REJETEE', 'Service exécutant inconnu');
    await treat(pdf!.chorus.invoiceId!, 'SUSPENDUE', 'Bon de commande manquant');
    await treat(data!.chorus.invoiceId!, 'REJETEE', 'Montant erroné');
    const expected: Array<[InvoiceState, string, string]> = [
      [flux!, 'REJETEE', 'rejected_by_recipient'],
      [pdf!, 'SUSPENDUE', 'suspended'],
      [data!, 'REJETEE', 'rejected_by_recipient'],
    ];
    for (const [invoice, status, reason] of expected) {
      await expect
        .poll(async () => (await read(p.h, invoice.id)).chorus.status, { timeout: 20_000, interval: 50 })
        .toBe(status);
      expect((await read(p.h, invoice.id)).actionRequired?.reason).toBe(reason);
    }
    expect(p.h.logs.text).not.toContain('does not match the contract');
  });
});
