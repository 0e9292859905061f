/**
 * Invoices without a flux, end to end through the simulator: a plain PDF with its data (deposer/pdf, then
 * soumettre DEPOT_PDF_API) and data alone (soumettre SAISIE_API). Expectations come from the Swagger and
 * docs/chorus-pro-notes.md, "Invoices without a flux": soumettre answers with the invoice id at once (no flux, no
 * report), deposer/pdf answers with what Chorus Pro read and the PDF's pieceJointeId; and from the simulator's own
 * rules (totals to the cent).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generatePlainPdf, vatOf } from '../../scripts/lib/sample-invoices.js';
import { ChorusBusinessError } from '../../src/chorus/errors.js';
import { DepositAttempt } from '../../src/db/entities/deposit-attempt.js';
import { Invoice } from '../../src/db/entities/invoice.js';
import { InvoiceAttachment } from '../../src/db/entities/invoice-attachment.js';
import { startWorker, type RunningWorker } from '../../workers/worker.js';
import {
  invoiceFields,
  invoiceNumber,
  jsonInit,
  RECIPIENT_SIRET,
  sampleOf,
  SUPPLIER_SIRET,
} from '../helpers/invoices.js';
import { createPipelineHarness, read, settled, type InvoiceState, type PipelineHarness } from '../helpers/pipeline.js';
import { startProcess, type RunningProcess } from '../helpers/processes.js';

let p: PipelineHarness;
let worker: RunningWorker | null = null;
const running: RunningProcess[] = [];

beforeAll(async () => {
  p = await createPipelineHarness();
});
afterEach(() => {
  for (const child of running.splice(0)) child.child.kill('SIGKILL');
  p.simulator.faults.replace({});
});
afterAll(async () => {
  await worker?.stop();
  await p.close();
});

const inProcessWorker = () => (worker ??= startWorker(p.h.ctx));
const deposits = (number: string) => p.simulator.world.depositsByInvoiceNumber.get(number) ?? 0;
const calls = (endpoint: string) => p.simulator.counter.byEndpoint.get(endpoint) ?? 0;

/** The step-4 metadata of the portal, as the intake takes it, for a 1 000.00 + 20 % invoice. */
const metadata = invoiceFields;

async function pdfBody(
  printed: Parameters<typeof generatePlainPdf>[1] = {},
  overrides: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const fields = metadata(overrides);
  const pdf = await generatePlainPdf(sampleOf(String(fields.number)), printed);
  return {
    ...fields,
    depositMode: 'pdf',
    vatBreakdown: [{ rate: '20', base: '1000.00', vat: '200.00' }],
    comment: 'Situation de travaux n° 3',
    file: { name: `${String(fields.number)}.pdf`, contentBase64: pdf.toString('base64') },
  };
}

const dataBody = (overrides: Record<string, unknown> = {}) =>
  metadata({
    depositMode: 'data',
    lines: [
      { description: 'Terrassement', quantity: '2.5', unit: 'jour', unitPrice: '300.00', vatRate: '20' },
      { description: 'Évacuation des déblais', quantity: '1', unit: 'forfait', unitPrice: '250.00', vatRate: '20' },
    ],
    ...overrides,
  });

async function post(body: Record<string, unknown>): Promise<{
  status: number;
  json: {
    id?: string;
    error?: { code: string; details: Array<{ path: string; code: string; message: string }> };
  } & Partial<InvoiceState>;
}> {
  const res = await p.h.api('/v1/invoices', jsonInit(body));
  return { status: res.status, json: (await res.json()) as never };
}

async function madeAvailable(id: string): Promise<InvoiceState> {
  await settled(p.h, id, ['integrated'], 30_000);
  await expect
    .poll(async () => (await read(p.h, id)).chorus.status, { timeout: 20_000, interval: 50 })
    .toBe('MISE_A_DISPOSITION');
  return read(p.h, id);
}

describe('a plain PDF with its metadata (DEPOT_PDF_API)', () => {
  it('is what `npm run sample-invoices -- --format pdf` writes, with a request body the intake takes as it is', async () => {
    inProcessWorker();
    const out = await mkdtemp(join(tmpdir(), 'samples-'));
    try {
      const run = promisify(execFile);
      const { stdout } = await run(process.execPath, [
        '--import',
        import.meta.resolve('tsx'),
        'scripts/sample-invoices.ts',
        ...['--supplier', '73282932000074', '--recipient', RECIPIENT_SIRET, '--service', 'SERVICE-BTP'],
        ...['--format', 'pdf', '--out', out],
      ]);
      expect(stdout).toMatch(/\.pdf \(plain PDF, depositMode pdf\)/);
      const written = await readdir(out);
      const pdf = written.find((f) => f.endsWith('.pdf'))!;
      expect((await readFile(join(out, pdf))).subarray(0, 5).toString()).toBe('%PDF-');
      const body = JSON.parse(
        await readFile(
          join(
            out,
            written.find((f) => f.endsWith('.request.json'))!,
          ),
          'utf8',
        ),
      ) as Record<string, unknown>;
      const accepted = await post(body);
      expect(accepted.status, JSON.stringify(accepted.json)).toBe(202);
      const invoice = await settled(p.h, accepted.json.id!, ['integrated'], 30_000);
      expect(accepted.json).toMatchObject({ depositMode: 'pdf', syntaxeFlux: null });
      // Chorus Pro read in the PDF what the body says.
      expect(invoice.events.find((e) => e.type === 'pdf-read')?.details).toMatchObject({ disagreements: [] });
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('is read by Chorus Pro, submitted once, and reaches MISE_A_DISPOSITION without a flux', async () => {
    inProcessWorker();
    const [readBefore, submitBefore] = [calls('deposerPdf'), calls('soumettre')];
    const body = await pdfBody();
    const accepted = await post(body);
    expect(accepted.status).toBe(202);
    expect(accepted.json).toMatchObject({
      depositMode: 'pdf',
      syntaxeFlux: null,
      vatBreakdown: [{ rate: '20', base: '1000.00', vat: '200.00' }],
      comment: 'Situation de travaux n° 3',
    });

    const invoice = await madeAvailable(accepted.json.id!);
    expect(deposits(String(body.number))).toBe(1);
    expect([calls('deposerPdf') - readBefore, calls('soumettre') - submitBefore]).toEqual([1, 1]);
    expect(invoice.chorus.fluxNumber).toBeNull();
    expect(invoice.chorus.invoiceId).toMatch(/^\d+$/);
    const types = invoice.events.map((e) => e.type);
    expect(types.slice(0, 4)).toEqual(['received', 'precheck-passed', 'pdf-read', 'submitted']);
    const reading = invoice.events.find((e) => e.type === 'pdf-read')!;
    expect(reading.message).toContain('agrees with the data given');
    expect(reading.details).toMatchObject({ disagreements: [] });
    // The simulator kept what soumettre said: the comment is Chorus's, the PDF its main attachment.
    const held = p.simulator.world.invoices.get(Number(invoice.chorus.invoiceId))!;
    expect(held.fluxNumber).toBeNull();
    expect(held.data).toMatchObject({
      number: body.number,
      amountWithVat: '1200.00',
      serviceCode: 'SERVICE-BTP',
      engagementNumber: 'BDC-2026-77',
    });
  });

  it('records on the timeline where Chorus Pro read the PDF differently from the data given, then goes on', async () => {
    inProcessWorker();
    const body = await pdfBody({ amountWithoutVat: '990.00', recipientSiret: '21750001600019' });
    const accepted = await post(body);
    expect(accepted.status).toBe(202);
    const invoice = await settled(p.h, accepted.json.id!, ['integrated'], 30_000);
    const reading = invoice.events.find((e) => e.type === 'pdf-read')!;
    const printed = vatOf({
      number: '',
      issueDate: '',
      supplierSiret: '',
      recipientSiret: '',
      amountWithoutVat: '990.00',
    });
    expect(reading.details?.disagreements).toEqual([
      { field: 'recipientSiret', given: RECIPIENT_SIRET, read: '21750001600019' },
      { field: 'amountWithoutVat', given: '1000.00', read: '990.00' },
      { field: 'vatAmount', given: '200.00', read: printed.vat },
      { field: 'amountWithVat', given: '1200.00', read: printed.gross },
    ]);
    expect(reading.message).toContain('amountWithoutVat given 1000.00, read 990.00');
    expect(deposits(String(body.number))).toBe(1);
  });
});

describe('data alone (SAISIE_API)', () => {
  it('is checked line by line, submitted once with its VAT summary worked out, and reaches MISE_A_DISPOSITION', async () => {
    inProcessWorker();
    const body = dataBody();
    const accepted = await post(body);
    expect(accepted.status, JSON.stringify(accepted.json)).toBe(202);
    expect(accepted.json).toMatchObject({
      depositMode: 'data',
      file: null,
      vatBreakdown: [{ rate: '20', base: '1000.00', vat: '200.00' }],
    });
    const invoice = await madeAvailable(accepted.json.id!);
    expect(deposits(String(body.number))).toBe(1);
    expect(invoice.events.map((e) => e.type).slice(0, 3)).toEqual(['received', 'precheck-passed', 'submitted']);
    expect(invoice.events[2]!.message).toContain('SAISIE_API');
  });

  it('uploads its attachments once (ajouter/fichier) and names them in soumettre', async () => {
    inProcessWorker();
    const uploadsBefore = calls('ajouterFichier');
    const attachments = [
      {
        name: 'attachement-situation-3.pdf',
        contentBase64: (await generatePlainPdf(sampleOf('ATT-1'))).toString('base64'),
      },
      {
        name: 'photos-chantier.jpg',
        mimeType: 'image/jpeg',
        contentBase64: Buffer.from('not really a photo').toString('base64'),
      },
    ];
    const accepted = await post(dataBody({ attachments }));
    expect(accepted.status, JSON.stringify(accepted.json)).toBe(202);
    const invoice = await settled(p.h, accepted.json.id!, ['integrated'], 30_000);
    expect(calls('ajouterFichier') - uploadsBefore).toBe(2);
    const rows = await p.h.ctx.orm.em
      .fork()
      .find(InvoiceAttachment, { invoice: invoice.id }, { orderBy: { position: 'asc' } });
    expect(rows.map((r) => [r.name, r.mimeType, r.chorusAttachmentId !== null])).toEqual([
      ['attachement-situation-3.pdf', 'application/pdf', true],
      ['photos-chantier.jpg', 'image/jpeg', true],
    ]);
    const held = p.simulator.world.invoices.get(Number(invoice.chorus.invoiceId))!;
    expect(held.attachedWith?.map((id) => p.simulator.world.attachments.get(id)?.name)).toEqual([
      'attachement-situation-3.pdf',
      'photos-chantier.jpg',
    ]);
  });

  it('refuses lines, VAT lines or totals that do not add up, naming the field, and writes nothing', async () => {
    const cases: Array<[Record<string, unknown>, { path: string; code: string }]> = [
      [
        { lines: [{ description: 'Terrassement', quantity: '3', unit: 'jour', unitPrice: '333.33', vatRate: '20' }] },
        { path: 'lines', code: 'lines_do_not_add_up' },
      ],
      [
        {
          vatBreakdown: [{ rate: '20', base: '1000.00', vat: '199.99' }],
          vatAmount: '199.99',
          amountWithVat: '1199.99',
        },
        { path: 'vatBreakdown.0.vat', code: 'vat_line_wrong' },
      ],
      [
        { vatAmount: '210.00', amountWithVat: '1210.00' },
        { path: 'vatAmount', code: 'vat_does_not_add_up' },
      ],
      [{ lines: undefined }, { path: 'lines', code: 'invalid_type' }],
      [
        { file: { name: 'f.pdf', contentBase64: Buffer.from('%PDF-1.7').toString('base64') } },
        { path: 'file', code: 'not_allowed' },
      ],
      [{ billingFrame: 'A4' }, { path: 'billingFrame', code: 'frame_not_submittable' }],
      [{ type: 'ACOMPTE' }, { path: 'type', code: 'type_not_submittable' }],
      [
        { attachments: [{ name: `${'a'.repeat(51)}.pdf`, contentBase64: 'JVBERi0=' }] },
        { path: 'attachments.0.name', code: 'too_big' },
      ],
    ];
    for (const [overrides, expected] of cases) {
      const body = dataBody(overrides);
      const refused = await post(body);
      expect(refused.status, JSON.stringify(overrides)).toBe(422);
      expect(refused.json.error?.details, JSON.stringify(overrides)).toContainEqual(expect.objectContaining(expected));
      expect(await p.h.ctx.orm.em.fork().count(Invoice, { number: String(body.number) })).toBe(0);
    }
  });

  it('is refused by the simulator when the totals do not match the lines, as Chorus Pro does', async () => {
    const client = p.h.ctx.chorus.sandbox!.client;
    const account = { login: 'TECH_1_DEMO@cpro.fr', password: 'Demo-Password-2026' };
    const refusal = client.soumettre(account, {
      modeDepot: 'SAISIE_API',
      numeroFactureSaisi: invoiceNumber(),
      dateFacture: '2026-11-20',
      destinataire: { codeDestinataire: RECIPIENT_SIRET, codeServiceExecutant: 'SERVICE-BTP' },
      fournisseur: { idFournisseur: p.simulator.world.structureBySiret(SUPPLIER_SIRET)!.idStructureCPP },
      cadreDeFacturation: { codeCadreFacturation: 'A1_FACTURE_FOURNISSEUR' },
      references: { deviseFacture: 'EUR', typeFacture: 'FACTURE', typeTva: 'TVA_SUR_DEBIT' },
      lignePoste: [
        {
          lignePosteNumero: 1,
          lignePosteDenomination: 'Terrassement',
          lignePosteQuantite: 3,
          lignePosteUnite: 'jour',
          lignePosteMontantUnitaireHT: 333.33,
          lignePosteTauxTvaManuel: 20,
        },
      ],
      montantTotal: { montantHtTotal: 1000, montantTVA: 200, montantTtcTotal: 1200, montantAPayer: 1200 },
    });
    await expect(refusal).rejects.toBeInstanceOf(ChorusBusinessError);
    await expect(refusal).rejects.toMatchObject({ info: { codeRetour: 20003 } });
  });
});

describe('a PDF deposit and its mode rules at the intake', () => {
  it('refuses a file that is not a PDF, a missing VAT summary, and a syntaxeFlux, naming each field', async () => {
    const body = await pdfBody();
    const cases: Array<[Record<string, unknown>, { path: string; code: string }]> = [
      [
        { file: { name: 'f.pdf', contentBase64: Buffer.from('<Invoice/>').toString('base64') } },
        { path: 'file', code: 'file_not_pdf' },
      ],
      [{ vatBreakdown: undefined }, { path: 'vatBreakdown', code: 'invalid_type' }],
      [{ syntaxeFlux: 'IN_DP_E2_CII_FACTURX' }, { path: 'syntaxeFlux', code: 'not_allowed' }],
      [
        {
          depositMode: 'flux',
          syntaxeFlux: 'IN_DP_E2_CII_FACTURX',
          vatBreakdown: undefined,
          attachments: [{ name: 'a.pdf', contentBase64: 'JVBERi0=' }],
        },
        { path: 'attachments', code: 'not_allowed' },
      ],
      [
        { vatBreakdown: [{ rate: '20', base: '900.00', vat: '180.00' }] },
        { path: 'vatBreakdown', code: 'vat_bases_do_not_add_up' },
      ],
    ];
    for (const [overrides, expected] of cases) {
      const refused = await post({ ...body, ...overrides, number: invoiceNumber() });
      expect(refused.status, JSON.stringify(overrides)).toBe(422);
      expect(refused.json.error?.details, JSON.stringify(overrides)).toContainEqual(expect.objectContaining(expected));
    }
  });
});

describe('a worker killed with SIGKILL during the soumettre call', () => {
  it.each(['data', 'pdf'] as const)(
    '%s: leaves the outcome unknown; the next worker finds the invoice at Chorus Pro and does not submit it again',
    async (mode) => {
      await worker?.stop();
      worker = null;
      p.simulator.faults.replace({ endpoints: { soumettre: { latencyMs: 1500 } } });
      const first = startProcess('workers/main.ts', p.h.env);
      running.push(first);
      await first.waitFor(/Worker started/);
      const before = calls('soumettre');
      const body = mode === 'data' ? dataBody() : await pdfBody();
      const accepted = await post(body);
      expect(accepted.status).toBe(202);
      await expect.poll(() => calls('soumettre'), { timeout: 15_000, interval: 10 }).toBe(before + 1);
      first.child.kill('SIGKILL');
      await first.exited();
      await expect.poll(() => deposits(String(body.number)), { timeout: 5_000 }).toBe(1);
      p.simulator.faults.replace({});
      const attempts = async () =>
        (
          await p.h.ctx.orm.em
            .fork()
            .find(DepositAttempt, { invoice: accepted.json.id! }, { orderBy: { number: 'asc' } })
        ).map((a) => a.phase);
      expect(await attempts()).toEqual(['sending']);

      const second = startProcess('workers/main.ts', p.h.env);
      running.push(second);
      const invoice = await madeAvailable(accepted.json.id!);
      expect(deposits(String(body.number))).toBe(1);
      expect(calls('soumettre')).toBe(before + 1);
      expect(invoice.events.map((e) => e.type)).toContain('deposit-reconciled');
      expect(await attempts()).toEqual(['reconciled']);
    },
  );
});
