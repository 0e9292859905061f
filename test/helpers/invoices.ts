/** Request bodies for the intake API. Real e-invoice fixtures come from a generator; these check the intake rules. */

export const SUPPLIER_SIRET = '73282932000074';
export const RECIPIENT_SIRET = '11000201100044';

export const MINIMAL_PDF = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
export const MINIMAL_XML = Buffer.from('<?xml version="1.0" encoding="UTF-8"?><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>F1</ID></Invoice>');

export const supplierBody = (overrides: Record<string, unknown> = {}) => ({
  siret: SUPPLIER_SIRET,
  chorusLogin: 'TECH_0042@cpro.fr',
  chorusPassword: 'Very-Secret-Chorus-Pass-42',
  environment: 'sandbox',
  ...overrides,
});

let counter = 0;
export function invoiceNumber(): string {
  counter += 1;
  return `F2026-${String(counter).padStart(4, '0')}-${process.pid % 1000}`.slice(0, 20);
}

export function invoiceBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const number = typeof overrides.number === 'string' ? overrides.number : invoiceNumber();
  return {
    supplierSiret: SUPPLIER_SIRET,
    recipientSiret: RECIPIENT_SIRET,
    serviceCode: 'SERVICE-BTP',
    engagementNumber: 'BDC-2026-77',
    marketNumber: 'M-2026-01',
    number,
    issueDate: '2026-11-20',
    type: 'FACTURE',
    billingFrame: 'A1',
    currency: 'EUR',
    amountWithoutVat: '1000.00',
    vatAmount: '200.00',
    amountWithVat: '1200.00',
    syntaxeFlux: 'IN_DP_E2_CII_FACTURX',
    file: { name: `${number}.pdf`, contentBase64: MINIMAL_PDF.toString('base64') },
    ...overrides,
  };
}

export const jsonInit = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});
