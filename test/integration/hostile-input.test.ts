/**
 * Bad and hostile input, as an attacker would send it (issue 11, parts 2 and 3): every case answers 4xx with the
 * error shape and a stable code, and writes nothing. The heavy files' effect on the web process (responsiveness,
 * memory) is measured in hostile-files-web.test.ts.
 */
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSampleInvoice } from '../../scripts/lib/sample-invoices.js';
import { redact } from '../../src/logger.js';
import { createHarness, simulatorEnv, type Harness } from '../helpers/harness.js';
import {
  billionLaughs,
  deflatedZeros,
  PARAMETER_ENTITY,
  pdfEmbedding,
  pdfOfEmptyStreams,
  pdfOfObjectStreams,
  pdfWithObjectStreamBomb,
  ublNested,
  ublWithSiblings,
  withDecoyFirst,
  XXE,
} from '../../scripts/lib/hostile-files.js';
import { invoiceBody, jsonInit, supplierBody, SUPPLIER_SIRET } from '../helpers/invoices.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ env: simulatorEnv({ url: 'http://127.0.0.1:9' }) });
  expect((await h.api('/v1/suppliers', jsonInit(supplierBody()))).status).toBe(201);
});
afterAll(() => h.close());

const counts = async () => {
  const rows = await h.ctx.orm.em
    .getConnection()
    .execute<Array<{ invoices: string; events: string; suppliers: string; subscriptions: string }>>(
      'select (select count(*) from invoice) as invoices, (select count(*) from invoice_event) as events, (select count(*) from supplier_account) as suppliers, (select count(*) from subscription) as subscriptions',
    );
  return rows[0];
};

/** Sends, then checks the status, the error code (and the first detail's code), and that nothing was written. */
async function refused(
  send: () => Promise<Response>,
  status: number,
  code: string,
  detail?: { code: string; path?: string },
) {
  const before = await counts();
  const res = await send();
  const body = (await res.json()) as {
    error?: { code: string; message: string; details: Array<{ code: string; path: string }> };
  };
  expect([res.status, body.error?.code]).toEqual([status, code]);
  expect(typeof body.error?.message).toBe('string');
  if (detail) expect(body.error?.details[0]).toMatchObject(detail);
  expect(await counts()).toEqual(before);
  return body.error!;
}

const file = (content: Buffer, name = 'f.pdf') => ({ file: { name, contentBase64: content.toString('base64') } });
const submit = async (overrides: Record<string, unknown>) =>
  h.api('/v1/invoices', jsonInit(await invoiceBody(overrides)));

describe('hostile files', () => {
  it('a Factur-X whose embedded stream inflates to 1 GiB', async () => {
    const bomb = pdfEmbedding(await deflatedZeros(1 << 30), { flate: true });
    expect(bomb.length).toBeLessThan(1_200_000);
    await refused(() => submit(file(bomb)), 422, 'VALIDATION_FAILED', { code: 'file_too_complex', path: 'file' });
  });

  it('a 10 MB PDF of 160 000 empty Flate streams', async () => {
    const streams = pdfOfEmptyStreams(160_000);
    expect(streams.length).toBeLessThan(10 * 1024 * 1024);
    await refused(() => submit(file(streams)), 422, 'VALIDATION_FAILED', { code: 'file_too_complex' });
  });

  it('an 8 MB UBL of a million sibling elements', async () => {
    await refused(
      () => submit({ syntaxeFlux: 'IN_DP_E1_UBL_INVOICE', ...file(ublWithSiblings(1_000_000), 'f.xml') }),
      422,
      'VALIDATION_FAILED',
      { code: 'file_too_complex' },
    );
  });

  it('a UBL nested 100 000 levels deep', async () => {
    await refused(
      () => submit({ syntaxeFlux: 'IN_DP_E1_UBL_INVOICE', ...file(ublNested(100_000), 'f.xml') }),
      422,
      'VALIDATION_FAILED',
      { code: 'file_too_complex' },
    );
  });

  it.each([
    ['entity expansion (billion laughs)', billionLaughs()],
    ['an external entity (XXE)', XXE],
    ['a parameter entity', PARAMETER_ENTITY],
  ])('a DOCTYPE: %s', async (_, xml) => {
    await refused(
      () => submit({ syntaxeFlux: 'IN_DP_E1_UBL_INVOICE', ...file(xml, 'f.xml') }),
      422,
      'VALIDATION_FAILED',
      { code: 'xml_doctype' },
    );
  });

  it('a DOCTYPE inside the Factur-X XML', async () => {
    await refused(() => submit(file(pdfEmbedding(deflateSync(billionLaughs())))), 422, 'VALIDATION_FAILED', {
      code: 'xml_doctype',
    });
  });

  it('a PDF whose object stream inflates without bound', async () => {
    await refused(
      () => submit(file(pdfWithObjectStreamBomb(deflateSync(Buffer.alloc(64 << 20))))),
      422,
      'VALIDATION_FAILED',
      { code: 'file_too_complex' },
    );
  });

  it('a PDF of 300 object streams', async () => {
    await refused(() => submit(file(pdfOfObjectStreams(300))), 422, 'VALIDATION_FAILED', { code: 'file_too_complex' });
  });

  it('a Factur-X XML of 300 000 elements', async () => {
    await refused(() => submit(file(pdfEmbedding(deflateSync(ublWithSiblings(300_000))))), 422, 'VALIDATION_FAILED', {
      code: 'file_too_complex',
    });
  });

  it('a PDF with no file named factur-x.xml, or with two of them', async () => {
    const cii = await generateSampleInvoice(
      {
        number: 'X1',
        issueDate: '2026-11-20',
        supplierSiret: SUPPLIER_SIRET,
        recipientSiret: '11000201100044',
        serviceCode: 'S',
        amountWithoutVat: '1.00',
      },
      'CII',
    );
    await refused(
      () => submit(file(pdfEmbedding(deflateSync(cii), { flate: true, name: 'invoice.xml' }))),
      422,
      'VALIDATION_FAILED',
      { code: 'file_unreadable' },
    );
    const two = pdfEmbedding(deflateSync(cii), {
      flate: true,
      before: `7 0 obj <</Type/Filespec/F (factur-x.xml)/EF <</F 8 0 R>>>> endobj\n8 0 obj <</Length 3>>stream\nabc\nendstream endobj`,
    });
    await refused(() => submit(file(two)), 422, 'VALIDATION_FAILED', { code: 'file_unreadable' });
  });

  it('a truncated PDF, and XML that is not well-formed', async () => {
    await refused(() => submit(file(Buffer.from('%PDF-1.7\n1 0 obj <</Type/Filespec'))), 422, 'VALIDATION_FAILED', {
      code: 'file_unreadable',
    });
    await refused(
      () => submit({ syntaxeFlux: 'IN_DP_E1_UBL_INVOICE', ...file(Buffer.from('<Invoice><ID>1</Invoice>'), 'f.xml') }),
      422,
      'VALIDATION_FAILED',
      {
        code: 'file_not_xml',
      },
    );
  });
});

describe('the Factur-X XML is the embedded factur-x.xml, not the first invoice-looking stream', () => {
  const decoy = (real: Record<string, unknown>) =>
    `<?xml version="1.0"?><rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"><rsm:ExchangedDocument><ram:ID>${String(real.number)}</ram:ID></rsm:ExchangedDocument><rsm:SupplyChainTradeTransaction><ram:ApplicableHeaderTradeSettlement><ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode><ram:SpecifiedTradeSettlementHeaderMonetarySummation><ram:TaxBasisTotalAmount>1.00</ram:TaxBasisTotalAmount><ram:TaxTotalAmount>0.20</ram:TaxTotalAmount><ram:GrandTotalAmount>1.20</ram:GrandTotalAmount></ram:SpecifiedTradeSettlementHeaderMonetarySummation></ram:ApplicableHeaderTradeSettlement></rsm:SupplyChainTradeTransaction></rsm:CrossIndustryInvoice>`;

  it('a decoy placed first does not pass: the request must agree with the real one', async () => {
    const body = await invoiceBody();
    const real = Buffer.from(String((body.file as { contentBase64: string }).contentBase64), 'base64');
    const withDecoy = withDecoyFirst(real, decoy(body));
    expect((await h.api('/v1/invoices', jsonInit({ ...body, ...file(withDecoy) }))).status).toBe(202);
    const lying = await invoiceBody({ amountWithoutVat: '1.00', vatAmount: '0.20', amountWithVat: '1.20' });
    const error = await refused(
      () => h.api('/v1/invoices', jsonInit({ ...lying, ...file(withDecoyFirst(real, decoy(lying))) })),
      422,
      'VALIDATION_FAILED',
    );
    expect(error.details.map((d) => d.code)).toContain('file_mismatch');
  });

  it('the currency of the request must agree with the file', async () => {
    const error = await refused(() => submit({ currency: 'USD' }), 422, 'VALIDATION_FAILED', {
      code: 'file_mismatch',
      path: 'currency',
    });
    expect(error.message).toContain('USD');
  });
});

describe('hidden characters in text', () => {
  it.each([
    ['NUL in the invoice number', { number: 'F\u00001' }, 'number'],
    ['a lone surrogate in the service code', { serviceCode: 'SERVICE-\ud800' }, 'serviceCode'],
    ['a right-to-left override in the market number', { marketNumber: 'M-\u202e7702' }, 'marketNumber'],
    ['a C1 control in the engagement number', { engagementNumber: 'EJ\u0085' }, 'engagementNumber'],
    ['a line break in the invoice number', { number: 'F\n1' }, 'number'],
  ])('%s', async (_, overrides, path) => {
    await refused(() => h.api('/v1/invoices', jsonInit({ ...overrides })), 422, 'VALIDATION_FAILED', {
      code: 'forbidden_character',
      path,
    });
  });

  it('in a supplier registration, a subscription and a query parameter', async () => {
    await refused(
      () => h.api('/v1/suppliers', jsonInit(supplierBody({ chorusLogin: 'TECH\u0000@cpro.fr' }))),
      422,
      'VALIDATION_FAILED',
      {
        code: 'forbidden_character',
        path: 'chorusLogin',
      },
    );
    await refused(
      () =>
        h.api('/v1/subscriptions', jsonInit({ supplierSiret: SUPPLIER_SIRET, channel: 'email', emails: ['a\t@b.fr'] })),
      422,
      'VALIDATION_FAILED',
      {
        code: 'forbidden_character',
        path: 'emails.0',
      },
    );
    await refused(() => h.api('/v1/invoices?engagementNumber=EJ%00'), 422, 'VALIDATION_FAILED', {
      code: 'forbidden_character',
      path: 'engagementNumber',
    });
  });

  it('a comment may hold line breaks and tabs, not other controls', async () => {
    const id = String(((await (await submit({})).json()) as { id: string }).id);
    const multiline = await h.api(`/v1/invoices/${id}/recycle`, jsonInit({ comment: 'Ligne 1\n\tLigne 2' }));
    expect(
      ((await multiline.json()) as { error?: { details: Array<{ code: string }> } }).error?.details?.[0]?.code,
    ).not.toBe('forbidden_character');
    await refused(
      () => h.api(`/v1/invoices/${id}/recycle`, jsonInit({ comment: 'bell\u0007' })),
      422,
      'VALIDATION_FAILED',
      { code: 'forbidden_character', path: 'comment' },
    );
  });
});

describe('multipart', () => {
  const multipart = (parts: string, boundary = 'XyZ') => ({
    method: 'POST',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    body: parts,
  });

  it('a broken body is a 400, not a 500', async () => {
    await refused(
      () => h.api('/v1/invoices', multipart('--XyZ\r\nContent-Disposition: form-data; name="number"\r\n\r\nF1')),
      400,
      'MALFORMED_MULTIPART',
    );
    await refused(
      () => h.api('/v1/invoices', { method: 'POST', headers: { 'content-type': 'multipart/form-data' }, body: 'x' }),
      400,
      'MALFORMED_MULTIPART',
    );
  });

  it('too many parts', async () => {
    const parts =
      Array.from({ length: 60 }, (_, i) => `--XyZ\r\nContent-Disposition: form-data; name="f${i}"\r\n\r\nv\r\n`).join(
        '',
      ) + '--XyZ--\r\n';
    const error = await refused(() => h.api('/v1/invoices', multipart(parts)), 400, 'MALFORMED_MULTIPART');
    expect(error.message).toMatch(/part|field/i);
  });

  it('file names are read as UTF-8, and a control character in one is refused', async () => {
    const body = await invoiceBody();
    const content = Buffer.from(String((body.file as { contentBase64: string }).contentBase64), 'base64');
    const form = (name: string) => {
      const data = new FormData();
      for (const [key, value] of Object.entries(body)) if (typeof value === 'string') data.append(key, value);
      data.append('file', new Blob([content], { type: 'application/pdf' }), name);
      return { method: 'POST', body: data };
    };
    const accepted = await h.api('/v1/invoices', form('Facture été n°1.pdf'));
    expect(accepted.status).toBe(202);
    expect(((await accepted.json()) as { file: { name: string } }).file.name).toBe('Facture été n°1.pdf');
    // The classic "Facture\u202Efdp.exe" shows as "Factureexe.pdf": refused by us; a raw control character is already
    // refused by the multipart parser.
    await refused(() => h.api('/v1/invoices', form('Facture\u202efdp.exe')), 422, 'VALIDATION_FAILED', {
      code: 'forbidden_character',
      path: 'file.name',
    });
    await refused(() => h.api('/v1/invoices', form('Facture\u0001.pdf')), 400, 'MALFORMED_MULTIPART');
  });
});

describe('cursors and bodies that do not fit', () => {
  const cursor = (parts: unknown[]) => Buffer.from(JSON.stringify(parts)).toString('base64url');
  it.each([
    ['a wrong id', ['createdAt', 1, new Date().toISOString(), 'not-a-uuid'], '-createdAt'],
    ['a wrong date', ['createdAt', 1, 'yesterday', '6f1c2b9e-2b7e-4c1e-9a57-0c6a1b5d2f10'], '-createdAt'],
    ['a wrong issue date', ['issueDate', 0, '2026-13-45', '6f1c2b9e-2b7e-4c1e-9a57-0c6a1b5d2f10'], 'issueDate'],
    [
      'a wrong amount',
      ['amountWithVat', 0, '12;drop table invoice', '6f1c2b9e-2b7e-4c1e-9a57-0c6a1b5d2f10'],
      'amountWithVat',
    ],
    ['a NUL in a number', ['number', 0, 'F\u00001', '6f1c2b9e-2b7e-4c1e-9a57-0c6a1b5d2f10'], 'number'],
  ])('a cursor with %s', async (_, parts, sort) => {
    await refused(() => h.api(`/v1/invoices?sort=${sort}&cursor=${cursor(parts)}`), 422, 'INVALID_CURSOR');
  });

  it('a cursor that is not one at all', async () => {
    await refused(() => h.api('/v1/invoices?cursor=%%%'), 422, 'INVALID_CURSOR');
  });

  it('JSON that is broken, not an object, or nested 100 000 deep', async () => {
    await refused(
      () =>
        h.api('/v1/invoices', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"number":' }),
      400,
      'MALFORMED_JSON',
    );
    await refused(
      () => h.api('/v1/invoices', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[1,2]' }),
      400,
      'MALFORMED_BODY',
    );
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    await refused(
      () => h.api('/v1/suppliers', { method: 'POST', headers: { 'content-type': 'application/json' }, body: deep }),
      400,
      'MALFORMED_BODY',
    );
  });
});

describe('database errors in logs', () => {
  it('are logged by code, constraint and table: never the statement nor its parameters', () => {
    const error = Object.assign(
      new Error(
        `insert into "invoice" ("file_content") values ('\\x25504446...secret') - invalid byte sequence for encoding "UTF8": 0x00`,
      ),
      {
        name: 'DriverException',
        code: '22021',
        constraint: undefined,
      },
    );
    const logged = JSON.stringify(redact({ error, detail: error.message }));
    expect(logged).not.toContain('insert into');
    expect(logged).not.toContain('secret');
    expect(logged).toContain('22021');
  });
});
