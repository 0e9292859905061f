/**
 * A public works contract's parties in the simulator's seed: ENTREPRISE GENERALE DUBOIS is the main contractor
 * (titulaire) with its own technical account, BTP MARTIN (SUPPLIER_SIRET, the harness's supplier) its subcontractor.
 */
import { expect } from 'vitest';
import type { SimInvoiceData } from '../../src/simulator/model.js';
import { invoiceFields, jsonInit, supplierBody } from './invoices.js';
import type { PipelineHarness } from './pipeline.js';

export const HOLDER = '44306184100047';

/** The main contractor's technical account at the simulator, and the main contractor as one of our suppliers. */
export async function registerMainContractor(p: PipelineHarness): Promise<void> {
  const account = await fetch(`${p.simulator.url}/simulator/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: 'TECH_DUBOIS@cpro.fr', password: 'Dubois-Password-1', structureSirets: [HOLDER] }),
  });
  expect(account.status).toBe(201);
  const holder = await p.h.api(
    '/v1/suppliers',
    jsonInit(supplierBody({ siret: HOLDER, chorusLogin: 'TECH_DUBOIS@cpro.fr', chorusPassword: 'Dubois-Password-1' })),
  );
  expect(holder.status).toBe(201);
}

/**
 * A subcontractor's invoice (A9) of 1 000.00 + 20 %, submitted with its data, naming the main contractor as validator.
 */
export const subcontractorInvoice = (number: string, description = 'Lot plomberie, situation 2') =>
  invoiceFields({
    number,
    billingFrame: 'A9',
    validatorSiret: HOLDER,
    depositMode: 'data',
    lines: [{ description, quantity: '1', unit: 'forfait', unitPrice: '1000.00', vatRate: '20' }],
  });

/**
 * The same kind of invoice as the simulator's engine takes it (submitted with its data, no flux), for tests that seed
 * it directly.
 */
export const subcontractedSimInvoice = (number: string): SimInvoiceData => ({
  syntax: 'SOUMETTRE',
  number,
  issueDate: '2026-11-20',
  typeCode: '380',
  supplierSiret: '73282932000074',
  recipientSiret: '11000201100044',
  serviceCode: 'SERVICE-BTP',
  engagementNumber: null,
  currency: 'EUR',
  amountWithoutVat: '1000.00',
  vatAmount: '200.00',
  amountWithVat: '1200.00',
  frame: 'A9',
  validatorSiret: HOLDER,
});
