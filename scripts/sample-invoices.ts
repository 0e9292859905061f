/**
 * `npm run sample-invoices -- --supplier 73282932000074 --recipient 11000201100044 [--service SERVICE-BTP]
 *   [--engagement BDC-1] [--format UBL|CII|Factur-X|all] [--count 3] [--out samples]`
 * Writes sample e-invoices (made by a real generator) for a supplier and a recipient, with the JSON body to POST
 * to /v1/invoices next to each file.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FILE_EXTENSION_OF, generateSampleInvoice, SYNTAXE_FLUX_OF, vatOf, type SampleFormat } from './lib/sample-invoices.js';

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
    'Usage: npm run sample-invoices -- --supplier <SIRET> --recipient <SIRET> [--service CODE] [--engagement BDC] [--format UBL|CII|Factur-X|all] [--count N] [--out DIR]\n',
  );
  process.exit(2);
}
const formats: SampleFormat[] = values.format === 'all' ? ['UBL', 'CII', 'Factur-X'] : [values.format as SampleFormat];
if (formats.some((f) => !(f in SYNTAXE_FLUX_OF))) {
  process.stderr.write(`Unknown format ${values.format}: use UBL, CII, Factur-X or all\n`);
  process.exit(2);
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
    const file = await generateSampleInvoice(sample, format);
    const fileName = `${number}.${FILE_EXTENSION_OF[format]}`;
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
      syntaxeFlux: SYNTAXE_FLUX_OF[format],
      file: { name: fileName, contentBase64: file.toString('base64') },
    };
    writeFileSync(join(values.out, `${number}.request.json`), `${JSON.stringify(body, null, 2)}\n`);
    process.stdout.write(`${join(values.out, fileName)} (${format}, ${SYNTAXE_FLUX_OF[format]})\n`);
  }
}
