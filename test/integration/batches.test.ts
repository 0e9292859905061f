/**
 * POST /v1/batches: a ZIP (files and a manifest) or a JSON list. Each entry is an invoice or a precise refusal,
 * a bad entry never blocks the good ones, and a hostile archive is refused before anything is written.
 */
import { deflateRawSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { rawDeflatedZeros, zipOf, type ZipPart } from '../../scripts/lib/hostile-files.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePlainPdf, generateSampleInvoice } from '../../scripts/lib/sample-invoices.js';
import { Batch } from '../../src/db/entities/batch.js';
import type { BatchProgress } from '../../src/batches/store.js';
import { Invoice } from '../../src/db/entities/invoice.js';
import { startWorker, type RunningWorker } from '../../workers/worker.js';
import { API_KEY } from '../helpers/harness.js';
import {
  invoiceBody,
  invoiceFields,
  invoiceNumber,
  jsonInit,
  RECIPIENT_SIRET,
  sampleOf,
  SUPPLIER_SIRET,
} from '../helpers/invoices.js';
import { createPipelineHarness, type PipelineHarness } from '../helpers/pipeline.js';

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

/** The batch as the API shows it, or an error. */
type BatchAnswer = BatchProgress & {
  error?: { code: string; message: string; details: Array<{ path: string; code: string; message: string }> };
};

async function sendZip(
  zip: Uint8Array,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: BatchAnswer }> {
  const res = await fetch(`${p.h.baseUrl}/v1/batches`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/zip', ...headers },
    body: zip,
  });
  return { status: res.status, body: (await res.json()) as BatchAnswer };
}

const counted = async () => ({
  batches: await p.h.ctx.orm.em.fork().count(Batch),
  invoices: await p.h.ctx.orm.em.fork().count(Invoice),
});

const COLUMNS = [
  'file',
  'supplierSiret',
  'recipientSiret',
  'serviceCode',
  'engagementNumber',
  'number',
  'issueDate',
  'type',
  'amountWithoutVat',
  'vatAmount',
  'amountWithVat',
  'syntaxeFlux',
];

describe('a ZIP batch', () => {
  it('of 50 entries with 3 bad ones gives 47 invoices, deposited, and 3 precise entry errors', async () => {
    const files: Record<string, Uint8Array> = {};
    const rows: string[][] = [];
    for (let i = 0; i < 50; i++) {
      const fields = invoiceFields({ number: invoiceNumber() });
      const name = `factures/${String(fields.number)}.xml`;
      files[name] = await generateSampleInvoice(sampleOf(String(fields.number)), 'UBL');
      rows.push([
        name,
        SUPPLIER_SIRET,
        RECIPIENT_SIRET,
        'SERVICE-BTP',
        'BDC-2026-77',
        String(fields.number),
        '2026-11-20',
        'FACTURE',
        '1000.00',
        '200.00',
        '1200.00',
        'IN_DP_E1_UBL_INVOICE',
      ]);
    }
    rows[4]![2] = '11000201100045'; // a recipient SIRET whose checksum is wrong
    rows[9]![8] = '999.00'; // amounts that are not the file's (and do not add up)
    rows[9]![10] = '1199.00';
    delete files[rows[14]![0]!];
    rows[14]![0] = 'factures/missing.xml'; // a row naming a file that is not in the archive
    const csv = '\uFEFF' + [COLUMNS, ...rows].map((r) => r.join(';')).join('\r\n') + '\r\n';
    const before = await counted();
    const sent = await sendZip(zipSync({ ...files, 'manifest.csv': new TextEncoder().encode(csv) }));
    expect(sent.status, JSON.stringify(sent.body.error)).toBe(202);
    const batch = sent.body;
    expect(batch.entryCount).toBe(50);
    expect(batch.entries.filter((e) => e.invoiceId !== null)).toHaveLength(47);
    expect((await counted()).invoices - before.invoices).toBe(47);
    const refusals = batch.entries.filter((e) => e.error !== null);
    expect(refusals.map((e) => [e.manifestRow, e.file, e.error!.details.map((d) => `${d.path}:${d.code}`)])).toEqual([
      [6, rows[4]![0], ['recipientSiret:invalid_siret']],
      [11, rows[9]![0], ['amountWithoutVat:file_mismatch', 'amountWithVat:file_mismatch']],
      [16, 'factures/missing.xml', ['file:file_not_in_archive']],
    ]);
    expect(refusals[0]!.error!.details[0]!.message).toContain('checksum');
    expect(batch.counts.refused).toBe(3);

    // Bull Board: the batch's deposit jobs carry its name.
    const jobs = await p.h.ctx.queues.deposit.getJobs(
      ['waiting', 'active', 'completed', 'prioritized', 'delayed'],
      0,
      200,
    );
    const ours = jobs.filter((j) => j.name.startsWith(`batch ${batch.id.slice(0, 8)} · deposit `));
    expect(ours.length).toBeGreaterThan(0);

    // Progress: every good entry goes on to integrated; GET counts them by state.
    await expect
      .poll(
        async () => ((await (await p.h.api(`/v1/batches/${batch.id}`)).json()) as BatchAnswer).counts.integrated ?? 0,
        { timeout: 60_000, interval: 250 },
      )
      .toBe(47);
    const progress = (await (await p.h.api(`/v1/batches/${batch.id}`)).json()) as BatchAnswer;
    expect(progress.counts).toEqual({ refused: 3, integrated: 47 });
    for (const e of progress.entries.filter((x) => x.invoiceId))
      expect(p.simulator.world.depositsByInvoiceNumber.get(rows[e.position - 1]![5]!)).toBe(1);
  }, 120_000);

  it('with a JSON manifest: a file no row names is an entry of its own, refused as such, not lost', async () => {
    const number = invoiceNumber();
    const fields = invoiceFields({ number, syntaxeFlux: 'IN_DP_E1_UBL_INVOICE' });
    const manifest = JSON.stringify([{ file: `${number}.xml`, ...fields }]);
    const zip = zipSync({
      [`${number}.xml`]: await generateSampleInvoice(sampleOf(number), 'UBL'),
      'stray.xml': new TextEncoder().encode('<x/>'),
      'manifest.json': new TextEncoder().encode(manifest),
    });
    const sent = await sendZip(zip);
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    expect(
      sent.body.entries.map((e) => [e.file, e.manifestRow, e.invoiceId !== null, e.error?.details[0]?.code ?? null]),
    ).toEqual([
      [`${number}.xml`, 1, true, null],
      ['stray.xml', null, false, 'not_in_manifest'],
    ]);
  });

  it('takes every deposit mode in one manifest: a structured file, a plain PDF with its VAT summary, data alone without a file', async () => {
    const [flux, pdf, data] = [invoiceNumber(), invoiceNumber(), invoiceNumber()];
    const vat = JSON.stringify([{ rate: '20', base: '1000.00', vat: '200.00' }]);
    const lines = JSON.stringify([
      { description: 'Terrassement', quantity: '2', unit: 'jour', unitPrice: '500.00', vatRate: '20' },
    ]);
    const row = (number: string, file: string, extra: string) =>
      `${file};${SUPPLIER_SIRET};${RECIPIENT_SIRET};SERVICE-BTP;BDC-2026-77;${number};2026-11-20;FACTURE;1000.00;200.00;1200.00;${extra}`;
    const quoted = (json: string) => `"${json.replace(/"/g, '""')}"`;
    const csv = [
      'file;supplierSiret;recipientSiret;serviceCode;engagementNumber;number;issueDate;type;amountWithoutVat;vatAmount;amountWithVat;depositMode;syntaxeFlux;vatBreakdown;lines',
      row(flux, `${flux}.xml`, 'flux;IN_DP_E1_UBL_INVOICE;;'),
      row(pdf, `${pdf}.pdf`, `pdf;;${quoted(vat)};`),
      row(data, '', `data;;;${quoted(lines)}`),
    ].join('\n');
    const zip = zipSync({
      [`${flux}.xml`]: await generateSampleInvoice(sampleOf(flux), 'UBL'),
      [`${pdf}.pdf`]: await generatePlainPdf(sampleOf(pdf)),
      'manifest.csv': new TextEncoder().encode(csv),
    });
    const sent = await sendZip(zip);
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    expect(sent.body.entries.map((e) => [e.manifestRow, e.error])).toEqual([
      [2, null],
      [3, null],
      [4, null],
    ]);
    await expect
      .poll(
        async () =>
          ((await (await p.h.api(`/v1/batches/${sent.body.id}`)).json()) as BatchAnswer).counts.integrated ?? 0,
        { timeout: 30_000, interval: 100 },
      )
      .toBe(3);
    for (const number of [flux, pdf, data]) expect(p.simulator.world.depositsByInvoiceNumber.get(number)).toBe(1);
  });

  it('is refused whole, before anything is written, when it is hostile', async () => {
    const before = await counted();
    const manifest = { 'manifest.csv': new TextEncoder().encode('file;number\n') };
    const bomb = zipSync({ ...manifest, 'bomb.xml': new Uint8Array(9 * 1024 * 1024) }, { level: 9 });
    const traversal = zipSync({ ...manifest, '../../etc/cron.d/evil.xml': new TextEncoder().encode('<x/>') });
    const many: Record<string, Uint8Array> = { ...manifest };
    for (let i = 0; i < 10_000; i++) many[`f${i}.xml`] = new Uint8Array(1);
    const crowd = zipSync(many, { level: 0 });
    const twins = zipSync({ ...manifest, 'a.xml': new Uint8Array([1]), 'A.XML': new Uint8Array([2]) });
    const cases: Array<[Uint8Array, string]> = [
      [bomb, 'ARCHIVE_SUSPICIOUS_RATIO'],
      [traversal, 'ARCHIVE_UNSAFE_PATH'],
      [crowd, 'ARCHIVE_TOO_MANY_ENTRIES'],
      [twins, 'ARCHIVE_DUPLICATE_NAME'],
      [new TextEncoder().encode('not a zip'), 'ARCHIVE_NOT_ZIP'],
      [zipSync({ 'a.xml': new Uint8Array([1]) }), 'ARCHIVE_MANIFEST_MISSING'],
    ];
    for (const [zip, code] of cases) {
      const sent = await sendZip(zip);
      expect([sent.status, sent.body.error?.code], code).toEqual([422, code]);
    }
    const traversalAnswer = await sendZip(traversal);
    expect(traversalAnswer.body.error?.details[0]).toMatchObject({
      path: '../../etc/cron.d/evil.xml',
      code: 'unsafe_path',
    });
    expect(await counted()).toEqual(before);
  });
});

/**
 * Rewrites the uncompressed size the archive declares for `name`, in its local header and its central directory entry.
 */
function declareSize(zip: Uint8Array, name: string, size: number): Uint8Array {
  const bytes = Buffer.from(zip);
  for (let at = 0; at + 46 < bytes.length; at++) {
    const signature = bytes.readUInt32LE(at);
    if (signature === 0x04034b50 && bytes.toString('utf8', at + 30, at + 30 + bytes.readUInt16LE(at + 26)) === name)
      bytes.writeUInt32LE(size, at + 22);
    if (signature === 0x02014b50 && bytes.toString('utf8', at + 46, at + 46 + bytes.readUInt16LE(at + 28)) === name)
      bytes.writeUInt32LE(size, at + 24);
  }
  return bytes;
}

describe('a ZIP entry whose header lies about its size', () => {
  it('is inflated no further than it declares plus one byte: that entry is refused, the batch goes on', async () => {
    const number = invoiceNumber();
    const file = await generateSampleInvoice(sampleOf(number), 'UBL');
    const manifest = JSON.stringify([
      { file: `${number}.xml`, ...invoiceFields({ number, syntaxeFlux: 'IN_DP_E1_UBL_INVOICE' }) },
    ]);
    const honest = zipSync({ [`${number}.xml`]: file, 'manifest.json': new TextEncoder().encode(manifest) });
    const sent = await sendZip(declareSize(honest, `${number}.xml`, 200));
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    const [entry] = sent.body.entries;
    expect(entry?.invoiceId).toBeNull();
    expect(entry?.error?.details[0]).toMatchObject({ path: 'file', code: 'entry_size_mismatch' });
    expect(file.length).toBeGreaterThan(200);
  });

  it('hiding 64 MiB behind 20 KB declared, is refused for it, and its neighbour goes through', async () => {
    const number = invoiceNumber();
    const good = await generateSampleInvoice(sampleOf(number), 'UBL');
    const manifest = Buffer.from(
      JSON.stringify([
        { file: 'good.xml', ...invoiceFields({ number, syntaxeFlux: 'IN_DP_E1_UBL_INVOICE' }) },
        { file: 'hidden.xml', ...invoiceFields({ syntaxeFlux: 'IN_DP_E1_UBL_INVOICE' }) },
      ]),
    );
    const zip = zipOf([
      { name: 'manifest.json', data: manifest, method: 0, declaredSize: manifest.length },
      { name: 'good.xml', data: deflateRawSync(good), method: 8, declaredSize: good.length },
      { name: 'hidden.xml', data: await rawDeflatedZeros(64 << 20), method: 8, declaredSize: 20_000 },
    ]);
    const sent = await sendZip(zip);
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    expect(sent.body.entries[0]?.invoiceId).not.toBeNull();
    expect(sent.body.entries[1]?.error?.details[0]).toMatchObject({ path: 'file', code: 'entry_size_mismatch' });
    expect(sent.body.entries[1]?.error?.details[0]?.message).toContain('holds more than the 20000 bytes');
  });
});

describe('a damaged ZIP entry', () => {
  it('is that entry’s refusal (entry_damaged), not the batch’s; a damaged manifest refuses the archive (ARCHIVE_DAMAGED)', async () => {
    const number = invoiceNumber();
    const good = await generateSampleInvoice(sampleOf(number), 'UBL');
    const garbage = Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 37 + 11) % 256));
    const manifest = Buffer.from(
      JSON.stringify([
        { file: 'good.xml', ...invoiceFields({ number, syntaxeFlux: 'IN_DP_E1_UBL_INVOICE' }) },
        { file: 'broken.xml', ...invoiceFields({ syntaxeFlux: 'IN_DP_E1_UBL_INVOICE' }) },
      ]),
    );
    const parts: ZipPart[] = [
      { name: 'manifest.json', data: manifest, method: 0, declaredSize: manifest.length },
      { name: 'good.xml', data: deflateRawSync(good), method: 8, declaredSize: good.length },
      // Garbage where deflate data should be, its compressed size understated too.
      { name: 'broken.xml', data: garbage, method: 8, declaredSize: 9000 },
    ];
    const sent = await sendZip(zipOf(parts));
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    expect(sent.body.entries[0]?.invoiceId).not.toBeNull();
    expect(sent.body.entries[1]?.error?.details[0]).toMatchObject({ path: 'file', code: 'entry_damaged' });

    const before = await counted();
    const brokenManifest = await sendZip(
      zipOf([{ name: 'manifest.json', data: garbage, method: 8, declaredSize: 9000 }, parts[1]!]),
    );
    expect([brokenManifest.status, brokenManifest.body.error?.code]).toEqual([422, 'ARCHIVE_DAMAGED']);
    expect(await counted()).toEqual(before);
  });
});

describe('a manifest with more rows than BATCH_MAX_ENTRIES', () => {
  it('is refused before anything is written: 1 200 data rows, or 100 000 rows in a small archive', async () => {
    const before = await counted();
    const row = (i: number) =>
      JSON.stringify({ ...invoiceFields({ number: `ROW-${i}` }), depositMode: 'data', lines: undefined });
    const json = Buffer.from(`[${Array.from({ length: 1200 }, (_, i) => row(i)).join(',')}]`);
    const manyData = await sendZip(zipSync({ 'manifest.json': json }, { level: 6 }));
    expect([manyData.status, manyData.body.error?.code]).toEqual([422, 'MANIFEST_TOO_MANY_ROWS']);
    const csv = Buffer.from(`file;number\n${Array.from({ length: 100_000 }, (_, i) => `;N${i}`).join('\n')}\n`);
    const zip = zipSync({ 'manifest.csv': csv }, { level: 9 });
    expect(zip.length).toBeLessThan(300_000);
    const started = performance.now();
    const manyRows = await sendZip(zip);
    expect([manyRows.status, manyRows.body.error?.code]).toEqual([422, 'MANIFEST_TOO_MANY_ROWS']);
    expect(manyRows.body.error?.details[0]).toMatchObject({ path: 'manifest', code: 'too_big' });
    // Loose: it took 148 s before; it reads at most 1 001 rows now.
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(await counted()).toEqual(before);
  });
});

describe("a batch's detail", () => {
  it('comes a page at a time, with the counts of every entry', async () => {
    const invoices = [await invoiceBody(), await invoiceBody({ recipientSiret: 'not-a-siret' }), await invoiceBody()];
    const sent = await p.h.api('/v1/batches', jsonInit({ invoices }));
    expect(sent.status).toBe(202);
    const { id } = (await sent.json()) as BatchAnswer;
    const first = (await (await p.h.api(`/v1/batches/${id}?limit=2`)).json()) as BatchAnswer;
    expect(first.entries.map((e) => e.position)).toEqual([1, 2]);
    expect(first.nextCursor).toBe('2');
    expect(first.counts.refused).toBe(1);
    expect(Object.values(first.counts).reduce((a, b) => a + b, 0)).toBe(3);
    const second = (await (await p.h.api(`/v1/batches/${id}?limit=2&after=${first.nextCursor}`)).json()) as BatchAnswer;
    expect([second.entries.map((e) => e.position), second.nextCursor]).toEqual([[3], null]);
    const bad = await p.h.api(`/v1/batches/${id}?limit=5000`);
    expect(bad.status).toBe(422);
  });
});

describe('a JSON batch', () => {
  it('takes a list of invoice requests, and answers a retry under the same Idempotency-Key with the same batch', async () => {
    const invoices = [await invoiceBody(), await invoiceBody({ recipientSiret: 'not-a-siret' })];
    const init = (body: unknown) => ({
      ...jsonInit(body),
      headers: { ...jsonInit(body).headers, 'idempotency-key': `batch-${invoiceNumber()}` },
    });
    const first = init({ invoices });
    const sent = await p.h.api('/v1/batches', first);
    expect(sent.status).toBe(202);
    const batch = (await sent.json()) as BatchAnswer;
    expect(batch.entries.map((e) => [e.position, e.invoiceId !== null, e.error?.details[0]?.path ?? null])).toEqual([
      [1, true, null],
      [2, false, 'recipientSiret'],
    ]);
    const again = await p.h.api('/v1/batches', first);
    expect(again.status).toBe(200);
    expect(((await again.json()) as BatchAnswer).id).toBe(batch.id);
    const other = await p.h.api('/v1/batches', { ...first, body: JSON.stringify({ invoices: [invoices[1]] }) });
    expect([other.status, ((await other.json()) as BatchAnswer).error?.code]).toEqual([409, 'IDEMPOTENCY_KEY_REUSED']);
    expect(await p.h.ctx.orm.em.fork().count(Invoice, { number: String(invoices[0]!.number) })).toBe(1);
  });
});
