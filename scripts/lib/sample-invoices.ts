/**
 * Sample e-invoices made by a real generator (@e-invoice-eu/core): UBL 2.1, CII D16B and Factur-X (a PDF/A-3
 * with its CII embedded). Used by the tests, the demo and `npm run sample-invoices`. Each datum goes where
 * Chorus Pro reads it: BT-10 buyer reference = service code, BT-13 order reference = engagement number,
 * SIRET with scheme 0009.
 */
import { PDFDocument, StandardFonts } from '@cantoo/pdf-lib';
import { InvoiceService, type Invoice } from '@e-invoice-eu/core';

export type SampleFormat = 'UBL' | 'CII' | 'Factur-X';

export interface SampleInvoice {
  number: string;
  issueDate: string;
  supplierSiret: string;
  recipientSiret: string;
  serviceCode?: string | null;
  engagementNumber?: string | null;
  amountWithoutVat: string;
  /** VAT rate in percent. (Default: 20) */
  vatRate?: string;
  /** 380 invoice, 381 credit note, 386 prepayment. (Default: 380) */
  typeCode?: '380' | '381' | '386';
  supplierName?: string;
  recipientName?: string;
  /** BT-23 (UBL ProfileID, CII BusinessProcessSpecifiedDocumentContextParameter): the Chorus billing frame, e.g. A4. */
  billingFrame?: string;
}

/** The simulator's demo supplier billing its demo ministry 1 000.00 without VAT (VAT 20 %): one work line. */
export function demoSample(number: string): SampleInvoice {
  return {
    number,
    issueDate: '2026-12-01',
    supplierSiret: '73282932000074',
    recipientSiret: '11000201100044',
    serviceCode: 'SERVICE-BTP',
    engagementNumber: 'BDC-77',
    amountWithoutVat: '1000.00',
  };
}

const quiet = {
  log: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  debug: () => undefined,
  verbose: () => undefined,
};
const service = new InvoiceService(quiet);

function cents(amount: string): bigint {
  const [u = '0', d = ''] = amount.split('.');
  return BigInt(u) * 100n + BigInt(d.padEnd(2, '0').slice(0, 2));
}
const money = (c: bigint) => `${c / 100n}.${String(c % 100n).padStart(2, '0')}`;

export function vatOf(sample: SampleInvoice): { vat: string; gross: string } {
  const net = cents(sample.amountWithoutVat);
  const rate = BigInt(Math.round(Number(sample.vatRate ?? '20') * 100));
  const vat = (net * rate + 5000n) / 10000n;
  return { vat: money(vat), gross: money(net + vat) };
}

function ublData(sample: SampleInvoice): Invoice {
  const { vat, gross } = vatOf(sample);
  const net = money(cents(sample.amountWithoutVat));
  const rate = sample.vatRate ?? '20';
  // The generator's schema wants a list of identifications for the seller and a single one for the buyer.
  const party = (siret: string, name: string, seller: boolean) => ({
    'cbc:EndpointID': siret,
    'cbc:EndpointID@schemeID': '0009',
    'cac:PartyIdentification': seller
      ? [{ 'cbc:ID': siret, 'cbc:ID@schemeID': '0009' }]
      : { 'cbc:ID': siret, 'cbc:ID@schemeID': '0009' },
    'cac:PostalAddress': {
      'cbc:CityName': 'Paris',
      'cbc:PostalZone': '75001',
      'cac:Country': { 'cbc:IdentificationCode': 'FR' },
    },
    ...(seller
      ? {
          'cac:PartyTaxScheme': [{ 'cbc:CompanyID': `FR00${siret.slice(0, 9)}`, 'cac:TaxScheme': { 'cbc:ID': 'VAT' } }],
        }
      : {}),
    'cac:PartyLegalEntity': {
      'cbc:RegistrationName': name,
      'cbc:CompanyID': siret.slice(0, 9),
      'cbc:CompanyID@schemeID': '0002',
    },
  });
  const data = {
    'ubl:Invoice': {
      'cbc:ID': sample.number,
      ...(sample.billingFrame ? { 'cbc:ProfileID': sample.billingFrame } : {}),
      'cbc:IssueDate': sample.issueDate,
      'cbc:InvoiceTypeCode': sample.typeCode ?? '380',
      'cbc:DocumentCurrencyCode': 'EUR',
      ...(sample.serviceCode ? { 'cbc:BuyerReference': sample.serviceCode } : {}),
      ...(sample.engagementNumber ? { 'cac:OrderReference': { 'cbc:ID': sample.engagementNumber } } : {}),
      'cac:AccountingSupplierParty': {
        'cac:Party': party(sample.supplierSiret, sample.supplierName ?? 'Entreprise du BTP', true),
      },
      'cac:AccountingCustomerParty': {
        'cac:Party': party(sample.recipientSiret, sample.recipientName ?? 'Entité publique', false),
      },
      'cac:PaymentMeans': [
        { 'cbc:PaymentMeansCode': '30', 'cac:PayeeFinancialAccount': { 'cbc:ID': 'FR7630006000011234567890189' } },
      ],
      'cac:TaxTotal': [
        {
          'cbc:TaxAmount': vat,
          'cbc:TaxAmount@currencyID': 'EUR',
          'cac:TaxSubtotal': [
            {
              'cbc:TaxableAmount': net,
              'cbc:TaxableAmount@currencyID': 'EUR',
              'cbc:TaxAmount': vat,
              'cbc:TaxAmount@currencyID': 'EUR',
              'cac:TaxCategory': { 'cbc:ID': 'S', 'cbc:Percent': rate, 'cac:TaxScheme': { 'cbc:ID': 'VAT' } },
            },
          ],
        },
      ],
      'cac:LegalMonetaryTotal': {
        'cbc:LineExtensionAmount': net,
        'cbc:LineExtensionAmount@currencyID': 'EUR',
        'cbc:TaxExclusiveAmount': net,
        'cbc:TaxExclusiveAmount@currencyID': 'EUR',
        'cbc:TaxInclusiveAmount': gross,
        'cbc:TaxInclusiveAmount@currencyID': 'EUR',
        'cbc:PayableAmount': gross,
        'cbc:PayableAmount@currencyID': 'EUR',
      },
      'cac:InvoiceLine': [
        {
          'cbc:ID': '1',
          'cbc:InvoicedQuantity': '1',
          'cbc:InvoicedQuantity@unitCode': 'C62',
          'cbc:LineExtensionAmount': net,
          'cbc:LineExtensionAmount@currencyID': 'EUR',
          'cac:Item': {
            'cbc:Name': 'Travaux',
            'cac:ClassifiedTaxCategory': { 'cbc:ID': 'S', 'cbc:Percent': rate, 'cac:TaxScheme': { 'cbc:ID': 'VAT' } },
          },
          'cac:Price': { 'cbc:PriceAmount': net, 'cbc:PriceAmount@currencyID': 'EUR' },
        },
      ],
    },
  };
  return data as unknown as Invoice;
}

async function visiblePdf(sample: SampleInvoice): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const page = doc.addPage();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const { gross } = vatOf(sample);
  const lines = [
    `Facture ${sample.number} du ${sample.issueDate}`,
    `Fournisseur SIRET ${sample.supplierSiret}`,
    `Destinataire SIRET ${sample.recipientSiret}`,
    `Total TTC ${gross} EUR`,
  ];
  lines.forEach((line, i) => page.drawText(line, { x: 50, y: 760 - i * 24, font, size: 14 }));
  return doc.save();
}

/**
 * A plain PDF invoice, no XML inside, for the PDF-with-metadata deposit. Its printed fields also go in the
 * document's Keywords, which is where the simulator's OCR stand-in reads them (src/simulator/files/ocr.ts);
 * `printed` makes the PDF say something else than the sample, as a scan that disagrees with the data typed in.
 */
export async function generatePlainPdf(
  sample: SampleInvoice,
  printed: Partial<Pick<SampleInvoice, 'number' | 'recipientSiret' | 'amountWithoutVat'>> = {},
): Promise<Buffer> {
  const shown = { ...sample, ...printed };
  const doc = await PDFDocument.load(await visiblePdf(shown));
  const { vat, gross } = vatOf(shown);
  const fields = {
    numero: shown.number,
    date: shown.issueDate,
    fournisseur: shown.supplierSiret,
    destinataire: shown.recipientSiret,
    service: shown.serviceCode ?? '',
    engagement: shown.engagementNumber ?? '',
    devise: 'EUR',
    ht: money(cents(shown.amountWithoutVat)),
    tva: vat,
    ttc: gross,
  };
  doc.setKeywords(Object.entries(fields).map(([k, v]) => `${k}=${v}`));
  return Buffer.from(await doc.save());
}

/**
 * The file's bytes. Factur-X uses the Extended profile: the generator's EN16931 profile drops the order reference
 * (BT-13).
 */
export async function generateSampleInvoice(sample: SampleInvoice, format: SampleFormat): Promise<Buffer> {
  const data = ublData(sample);
  if (format === 'Factur-X') {
    const pdf = await visiblePdf(sample);
    const out = await service.generate(data, {
      format: 'Factur-X-Extended',
      lang: 'fr',
      pdf: { buffer: pdf, filename: `${sample.number}.pdf`, mimetype: 'application/pdf' },
    });
    return Buffer.from(out as Uint8Array);
  }
  const out = await service.generate(data, { format, lang: 'fr' });
  return Buffer.from(typeof out === 'string' ? out : Buffer.from(out));
}

export const SYNTAXE_FLUX_OF: Record<
  SampleFormat,
  'IN_DP_E1_UBL_INVOICE' | 'IN_DP_E1_CII_16B' | 'IN_DP_E2_CII_FACTURX'
> = {
  UBL: 'IN_DP_E1_UBL_INVOICE',
  CII: 'IN_DP_E1_CII_16B',
  'Factur-X': 'IN_DP_E2_CII_FACTURX',
};

export const FILE_EXTENSION_OF: Record<SampleFormat, string> = { UBL: 'xml', CII: 'xml', 'Factur-X': 'pdf' };
