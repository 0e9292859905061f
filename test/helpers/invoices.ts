/** Request bodies for the intake API, with e-invoice files made by a real generator that agree with the fields. */
import { expect } from 'vitest';
import {
  FILE_EXTENSION_OF,
  generateSampleInvoice,
  SYNTAXE_FLUX_OF,
  type SampleFormat,
  type SampleInvoice,
} from '../../scripts/lib/sample-invoices.js';

export const SUPPLIER_SIRET = '73282932000074';
export const RECIPIENT_SIRET = '11000201100044';

export const MINIMAL_PDF = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

export const supplierBody = (overrides: Record<string, unknown> = {}) => ({
  siret: SUPPLIER_SIRET,
  chorusLogin: 'TECH_1_DEMO@cpro.fr',
  chorusPassword: 'Demo-Password-2026',
  environment: 'sandbox',
  ...overrides,
});

let counter = 0;
export function invoiceNumber(): string {
  counter += 1;
  return `F${process.pid % 10000}-${Date.now().toString(36).slice(-4)}${counter}`.slice(0, 20);
}

const FORMAT_OF: Record<string, SampleFormat> = {
  IN_DP_E2_CII_FACTURX: 'Factur-X',
  IN_DP_E1_UBL_INVOICE: 'UBL',
  IN_DP_E1_CII_16B: 'CII',
};

/** The file an invoice with these fields would have; a placeholder PDF when the fields are deliberately invalid. */
export async function fileFor(fields: Record<string, unknown>): Promise<Buffer> {
  const format = FORMAT_OF[String(fields.syntaxeFlux)] ?? 'Factur-X';
  try {
    return await generateSampleInvoice(
      {
        number: String(fields.number),
        issueDate: String(fields.issueDate),
        supplierSiret: String(fields.supplierSiret),
        recipientSiret: String(fields.recipientSiret),
        serviceCode: (fields.serviceCode as string | null | undefined) ?? null,
        engagementNumber: (fields.engagementNumber as string | null | undefined) ?? null,
        amountWithoutVat: String(fields.amountWithoutVat),
        billingFrame: typeof fields.billingFrame === 'string' ? fields.billingFrame : 'A1',
        vatRate:
          typeof fields.vatRate === 'number' || typeof fields.vatRate === 'string' ? String(fields.vatRate) : '20',
      },
      format,
    );
  } catch {
    return MINIMAL_PDF;
  }
}

/** The sample invoice (scripts/lib/sample-invoices.ts) that agrees with `invoiceFields()` under this number. */
export function sampleOf(number: string): SampleInvoice {
  return {
    number,
    issueDate: '2026-11-20',
    supplierSiret: SUPPLIER_SIRET,
    recipientSiret: RECIPIENT_SIRET,
    serviceCode: 'SERVICE-BTP',
    engagementNumber: 'BDC-2026-77',
    amountWithoutVat: '1000.00',
  };
}

/** The fields of a valid invoice request (VAT at 20 %), whatever its deposit mode: no file, no format. */
export function invoiceFields(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    supplierSiret: SUPPLIER_SIRET,
    recipientSiret: RECIPIENT_SIRET,
    serviceCode: 'SERVICE-BTP',
    engagementNumber: 'BDC-2026-77',
    marketNumber: 'M-2026-01',
    number: invoiceNumber(),
    issueDate: '2026-11-20',
    type: 'FACTURE',
    billingFrame: 'A1',
    currency: 'EUR',
    amountWithoutVat: '1000.00',
    vatAmount: '200.00',
    amountWithVat: '1200.00',
    ...overrides,
  };
}

/**
 * A valid invoice request (VAT at 20 %) whose file agrees with its fields. Overrides apply to the fields;
 * `file` replaces the generated file.
 */
export async function invoiceBody(overrides: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const fields = invoiceFields({ syntaxeFlux: 'IN_DP_E2_CII_FACTURX', ...overrides });
  if ('file' in overrides) return fields;
  const extension =
    FORMAT_OF[String(fields.syntaxeFlux)] === 'Factur-X' || !FORMAT_OF[String(fields.syntaxeFlux)] ? 'pdf' : 'xml';
  const content = await fileFor({ ...fields, vatRate: vatRateOf(fields) });
  return {
    ...fields,
    file: { name: `${String(fields.number)}.${extension}`, contentBase64: content.toString('base64') },
  };
}

/** The rate that gives the body's VAT, so that the generated file agrees with it. */
function vatRateOf(fields: Record<string, unknown>): string {
  const net = Number(fields.amountWithoutVat);
  const vat = Number(fields.vatAmount);
  if (!Number.isFinite(net) || !Number.isFinite(vat) || net === 0) return '20';
  return String(Math.round((vat / net) * 10000) / 100);
}

export const jsonInit = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/**
 * What the README's first invoice does against a running `npm start`: register the simulator's demo technical account
 * for a supplier (201), then deposit one sample invoice in `format`. Returns the intake's answer.
 */
export async function depositLikeTheQuickStart(
  api: string,
  apiKey: string,
  number: string,
  format: SampleFormat,
): Promise<Response> {
  const auth = { authorization: `Bearer ${apiKey}` };
  const demoAccount = {
    siret: SUPPLIER_SIRET,
    chorusLogin: 'TECH_1_DEMO@cpro.fr',
    chorusPassword: 'Demo-Password-2026',
    environment: 'sandbox',
  };
  expect((await fetch(`${api}/v1/suppliers`, jsonInit(demoAccount, auth))).status).toBe(201);
  const sample = {
    number,
    issueDate: '2026-11-20',
    supplierSiret: SUPPLIER_SIRET,
    recipientSiret: RECIPIENT_SIRET,
    serviceCode: 'SERVICE-BTP',
    amountWithoutVat: '1000.00',
  };
  const file = await generateSampleInvoice(sample, format);
  const body = {
    ...sample,
    type: 'FACTURE',
    vatAmount: '200.00',
    amountWithVat: '1200.00',
    syntaxeFlux: SYNTAXE_FLUX_OF[format],
    file: { name: `${number}.${FILE_EXTENSION_OF[format]}`, contentBase64: file.toString('base64') },
  };
  return fetch(`${api}/v1/invoices`, jsonInit(body, auth));
}
