/**
 * `npm run sample-invoices -- --supplier 73282932000074 --recipient 11000201100044 [--service SERVICE-BTP]
 *   [--engagement BDC-1] [--format UBL|CII|Factur-X|pdf|all] [--count 3] [--out samples]`
 * Writes sample e-invoices (made by a real generator) for a supplier and a recipient, with the JSON body to POST
 * to /v1/invoices next to each file. `pdf` is a plain PDF (no XML inside), deposited with its data (`depositMode`
 * `pdf`): what an invoicing tool that prints PDFs sends.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  FILE_EXTENSION_OF,
  generatePlainPdf,
  generateSampleInvoice,
  SYNTAXE_FLUX_OF,
  vatOf,
  type SampleFormat,
  type SampleInvoice,
} from './lib/sample-invoices.js';

/** The structured formats, and a plain PDF deposited with its data. */
type Format = SampleFormat | 'pdf';
const ALL_FORMATS: readonly Format[] = ['UBL', 'CII', 'Factur-X', 'pdf'];
const isFormat = (value: string): value is Format => (ALL_FORMATS as readonly string[]).includes(value);

const { values } = parseArgs({
  options: {
    supplier: { type: 'string' },
    recipient: { type: 'string' },
    service: { type: 'string' },
    engagement: { type: 'string' },
    format: { type: 'string', default: 'all' },
    count: { type: 'string', default: '1' },
    amount: { type: 'string', default: '1000.00' },
    prefix: { type: 'string', default: `S${Date.now().toString(36).toUpperCase()}` },
    out: { type: 'string', default: 'samples' },
  },
});
if (!values.supplier || !values.recipient) {
  process.stderr.write(
    'Usage: npm run sample-invoices -- --supplier <SIRET> --recipient <SIRET> [--service CODE] [--engagement BDC] [--format UBL|CII|Factur-X|pdf|all] [--count N] [--out DIR]\n',
  );
  process.exit(2);
}
if (values.format !== 'all' && !isFormat(values.format)) {
  process.stderr.write(`Unknown format ${values.format}: use UBL, CII, Factur-X, pdf or all\n`);
  process.exit(2);
}
const formats: readonly Format[] = values.format === 'all' ? ALL_FORMATS : [values.format];

/** The file and what the request says of it: a structured flux, or a plain PDF with its VAT summary. */
async function fileOf(sample: SampleInvoice, format: Format) {
  if (format === 'pdf') {
    const { vat } = vatOf(sample);
    return {
      file: await generatePlainPdf(sample),
      fileName: `${sample.number}.pdf`,
      request: { depositMode: 'pdf', vatBreakdown: [{ rate: '20', base: sample.amountWithoutVat, vat }] },
      label: 'plain PDF, depositMode pdf',
    };
  }
  return {
    file: await generateSampleInvoice(sample, format),
    fileName: `${sample.number}.${FILE_EXTENSION_OF[format]}`,
    request: { syntaxeFlux: SYNTAXE_FLUX_OF[format] },
    label: `${format}, ${SYNTAXE_FLUX_OF[format]}`,
  };
}
mkdirSync(values.out, { recursive: true });
let n = 0;
for (const format of formats) {
  for (let i = 0; i < Number(values.count); i++) {
    const number = `${values.prefix}-${++n}`.slice(0, 20);
    const sample = {
      number,
      issueDate: new Date().toISOString().slice(0, 10),
      supplierSiret: values.supplier,
      recipientSiret: values.recipient,
      serviceCode: values.service ?? null,
      engagementNumber: values.engagement ?? null,
      amountWithoutVat: values.amount,
    };
    const { file, fileName, request, label } = await fileOf(sample, format);
    writeFileSync(join(values.out, fileName), file);
    const { vat, gross } = vatOf(sample);
    const body = {
      supplierSiret: sample.supplierSiret,
      recipientSiret: sample.recipientSiret,
      serviceCode: sample.serviceCode,
      engagementNumber: sample.engagementNumber,
      number,
      issueDate: sample.issueDate,
      type: 'FACTURE',
      amountWithoutVat: sample.amountWithoutVat,
      vatAmount: vat,
      amountWithVat: gross,
      ...request,
      file: { name: fileName, contentBase64: file.toString('base64') },
    };
    writeFileSync(join(values.out, `${number}.request.json`), `${JSON.stringify(body, null, 2)}\n`);
    process.stdout.write(`${join(values.out, fileName)} (${label})\n`);
  }
}
