/** Each refused request: the documented status, a stable code, the field path, a sentence, and nothing written. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Invoice } from '../../src/db/entities/invoice.js';
import { InvoiceEvent } from '../../src/db/entities/invoice-event.js';
import { API_KEY, createHarness, type Harness } from '../helpers/harness.js';
import { invoiceBody, jsonInit, MINIMAL_PDF, supplierBody } from '../helpers/invoices.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  expect((await h.api('/v1/suppliers', jsonInit(supplierBody()))).status).toBe(201);
});
afterAll(() => h.close());

interface ErrorBody {
  error: { code: string; message: string; details: Array<{ path: string; code: string; message: string }> };
}

async function expectRefused(
  res: Response,
  status: number,
  code: string,
  detail?: { path: string; code: string },
): Promise<ErrorBody> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  const body = JSON.parse(text) as ErrorBody;
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(10);
  expect(Array.isArray(body.error.details)).toBe(true);
  if (detail) expect(body.error.details, text).toContainEqual(expect.objectContaining(detail));
  for (const d of body.error.details) expect(d.message.length).toBeGreaterThan(3);
  return body;
}

const xmlFile = (text: string) => ({ name: 'f.xml', contentBase64: Buffer.from(text).toString('base64') });

const invalidBodies: Array<[string, Record<string, unknown>, { path: string; code: string }]> = [
  [
    'a supplier SIRET with a wrong checksum',
    { supplierSiret: '73282932000075' },
    { path: 'supplierSiret', code: 'invalid_siret' },
  ],
  [
    'a recipient SIRET of 13 digits',
    { recipientSiret: '1100020110004' },
    { path: 'recipientSiret', code: 'invalid_format' },
  ],
  ['an impossible date', { issueDate: '2026-02-30' }, { path: 'issueDate', code: 'invalid_date' }],
  ['a date in another format', { issueDate: '20/11/2026' }, { path: 'issueDate', code: 'invalid_format' }],
  ['a date in the future', { issueDate: '2999-01-01' }, { path: 'issueDate', code: 'date_in_future' }],
  ['a negative amount', { amountWithoutVat: '-1000.00' }, { path: 'amountWithoutVat', code: 'invalid_format' }],
  ['an amount with 3 decimals', { vatAmount: '200.001' }, { path: 'vatAmount', code: 'invalid_format' }],
  ['an amount as a JSON number', { amountWithVat: 1200 }, { path: 'amountWithVat', code: 'invalid_type' }],
  [
    'amounts that do not add up',
    { amountWithVat: '1200.01' },
    { path: 'amountWithVat', code: 'amounts_do_not_add_up' },
  ],
  ['an unknown invoice type', { type: 'INVOICE' }, { path: 'type', code: 'invalid_value' }],
  ['an unknown billing frame', { billingFrame: 'A26' }, { path: 'billingFrame', code: 'invalid_value' }],
  [
    'a syntaxeFlux not in the official enum',
    { syntaxeFlux: 'IN_DP_E2_FACTURX' },
    { path: 'syntaxeFlux', code: 'invalid_value' },
  ],
  ['an invoice number Chorus refuses', { number: 'F 2026#42' }, { path: 'number', code: 'invalid_format' }],
  [
    'an invoice number over 20 characters',
    { number: 'F2026-000000000000042' },
    { path: 'number', code: 'invalid_format' },
  ],
  ['a missing file', { file: undefined }, { path: 'file', code: 'invalid_type' }],
  ['an empty file', { file: { name: 'f.pdf', contentBase64: '' } }, { path: 'file', code: 'file_empty' }],
  [
    'a file that is not base64',
    { file: { name: 'f.pdf', contentBase64: '%%%not base64%%%' } },
    { path: 'file.contentBase64', code: 'invalid_format' },
  ],
  ['a Factur-X file that is not a PDF', { file: xmlFile('<Invoice/>') }, { path: 'file', code: 'file_not_pdf' }],
  [
    'a UBL file that is not well-formed XML',
    { syntaxeFlux: 'IN_DP_E1_UBL_INVOICE', file: xmlFile('<Invoice><ID>1</Invoice>') },
    { path: 'file', code: 'file_not_xml' },
  ],
  [
    'a CII file that is a PDF',
    { syntaxeFlux: 'IN_DP_E1_CII_16B', file: { name: 'f.pdf', contentBase64: MINIMAL_PDF.toString('base64') } },
    { path: 'file', code: 'file_not_xml' },
  ],
  [
    'a file name with a path',
    { file: { name: '../etc/f.pdf', contentBase64: MINIMAL_PDF.toString('base64') } },
    { path: 'file.name', code: 'invalid_format' },
  ],
  ['a misspelt field', { engagmentNumber: 'BDC-1' }, { path: '', code: 'unrecognized_keys' }],
];

describe('POST /v1/invoices refuses invalid input with 422, the field path, and writes nothing', () => {
  it.each(invalidBodies)('%s', async (_label, overrides, detail) => {
    const before = {
      invoices: await h.ctx.orm.em.fork().count(Invoice),
      events: await h.ctx.orm.em.fork().count(InvoiceEvent),
    };
    const res = await h.api('/v1/invoices', jsonInit(await invoiceBody(overrides)));
    await expectRefused(res, 422, 'VALIDATION_FAILED', detail);
    expect(await h.ctx.orm.em.fork().count(Invoice)).toBe(before.invoices);
    expect(await h.ctx.orm.em.fork().count(InvoiceEvent)).toBe(before.events);
  });

  it('refuses a decoded file over 10 MB sent as base64', async () => {
    const big = Buffer.concat([MINIMAL_PDF, Buffer.alloc(10 * 1024 * 1024 + 10)]);
    const res = await h.api(
      '/v1/invoices',
      jsonInit(await invoiceBody({ file: { name: 'big.pdf', contentBase64: big.toString('base64') } })),
    );
    await expectRefused(res, 422, 'VALIDATION_FAILED', { path: 'file.contentBase64', code: 'too_big' });
  });

  it('refuses an unknown supplier account', async () => {
    const res = await h.api('/v1/invoices', jsonInit(await invoiceBody({ supplierSiret: '44306184100047' })));
    await expectRefused(res, 422, 'UNKNOWN_SUPPLIER', { path: 'supplierSiret', code: 'unknown_supplier' });
  });

  it('refuses a malformed Idempotency-Key header', async () => {
    const res = await h.api('/v1/invoices', jsonInit(await invoiceBody(), { 'idempotency-key': 'x'.repeat(256) }));
    await expectRefused(res, 422, 'VALIDATION_FAILED', { path: 'Idempotency-Key', code: 'invalid_format' });
  });

  it('lists every problem at once', async () => {
    const res = await h.api(
      '/v1/invoices',
      jsonInit(await invoiceBody({ supplierSiret: '1', type: 'X', syntaxeFlux: 'Y' })),
    );
    const body = await expectRefused(res, 422, 'VALIDATION_FAILED');
    expect(body.error.details.map((d) => d.path)).toEqual(
      expect.arrayContaining(['supplierSiret', 'type', 'syntaxeFlux']),
    );
  });

  it('lists the rules on fields that parsed, and the file’s problems, with the format problems of the others', async () => {
    // Before: the future date and the amounts were told only once the other fields were fixed, the file after that.
    const res = await h.api(
      '/v1/invoices',
      jsonInit(
        await invoiceBody({
          supplierSiret: '1',
          type: 'X',
          number: '',
          issueDate: '2999-01-01',
          amountWithVat: '1.00',
          syntaxeFlux: 'IN_DP_E1_UBL_INVOICE',
          file: xmlFile('<Invoice><ID>1</Invoice>'),
        }),
      ),
    );
    const body = await expectRefused(res, 422, 'VALIDATION_FAILED');
    expect(body.error.details.map((d) => [d.path, d.code])).toEqual(
      expect.arrayContaining([
        ['supplierSiret', 'invalid_format'],
        ['type', 'invalid_value'],
        ['number', 'invalid_format'],
        ['issueDate', 'date_in_future'],
        ['amountWithVat', 'amounts_do_not_add_up'],
        ['file', 'file_not_xml'],
      ]),
    );
    expect(body.error.message).toBe(`The invoice is invalid: ${body.error.details.length} problems.`);
  });

  it('words every problem as a sentence of its own, with one full stop', async () => {
    const bodies = [
      await (await h.api('/v1/invoices?limit=500')).json(),
      await (await h.api('/v1/suppliers', jsonInit(supplierBody({ chorusLogin: '' })))).json(),
      await (await h.api('/v1/invoices', jsonInit(await invoiceBody({ number: 42, comment: 'x' })))).json(),
      await (await h.api('/v1/invoices', jsonInit(await invoiceBody({ serviceCode: 'S'.repeat(101) })))).json(),
    ] as ErrorBody[];
    const messages = bodies.flatMap((b) => [b.error.message, ...b.error.details.map((d) => d.message)]);
    expect(messages.filter((m) => /Too big|Too small|expected \w+ to|Invalid input|received \w+/.test(m))).toEqual([]);
    expect(messages.filter((m) => /\.\.$/.test(m))).toEqual([]);
    expect(bodies[0]!.error.details).toContainEqual(
      expect.objectContaining({ path: 'limit', message: 'limit must be at most 200' }),
    );
    expect(bodies[1]!.error.details).toContainEqual(
      expect.objectContaining({ path: 'chorusLogin', message: 'chorusLogin must not be empty' }),
    );
    expect(bodies[2]!.error.details).toContainEqual(
      expect.objectContaining({ path: 'number', message: 'number must be a string' }),
    );
    expect(bodies[3]!.error.details).toContainEqual(
      expect.objectContaining({ path: 'serviceCode', message: 'serviceCode must be at most 100 characters long' }),
    );
  });

  it('tells a missing amount as missing, and a JSON number as the wrong type', async () => {
    const { amountWithVat: _left, ...withoutTotal } = await invoiceBody();
    const missing = await expectRefused(await h.api('/v1/invoices', jsonInit(withoutTotal)), 422, 'VALIDATION_FAILED');
    expect(missing.error.details).toContainEqual(
      expect.objectContaining({ path: 'amountWithVat', message: 'amountWithVat is required' }),
    );
    const numeric = await expectRefused(
      await h.api('/v1/invoices', jsonInit(await invoiceBody({ amountWithVat: 1200 }))),
      422,
      'VALIDATION_FAILED',
    );
    expect(numeric.error.details).toContainEqual(
      expect.objectContaining({
        path: 'amountWithVat',
        message: 'amountWithVat must be a string such as "1200.00" (JSON numbers lose cents)',
      }),
    );
  });

  it('accepts a La Poste SIRET that only passes the La Poste rule', async () => {
    const res = await h.api('/v1/invoices', jsonInit(await invoiceBody({ recipientSiret: '35600000049837' })));
    expect(res.status).toBe(202);
  });
});

describe('malformed and oversized requests get the same error shape', () => {
  it('400 for a body that is not JSON', async () => {
    const res = await h.api('/v1/invoices', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"number": ',
    });
    await expectRefused(res, 400, 'MALFORMED_JSON');
  });

  it('400 for JSON that is not an object', async () => {
    const res = await h.api('/v1/invoices', jsonInit([await invoiceBody()]));
    await expectRefused(res, 400, 'MALFORMED_BODY');
  });

  it('415 for another content type', async () => {
    const res = await h.api('/v1/invoices', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hello',
    });
    await expectRefused(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('413 for a body over the limit', async () => {
    const res = await h.api(
      '/v1/invoices',
      jsonInit({ ...(await invoiceBody()), padding: 'x'.repeat(16 * 1024 * 1024) }),
    );
    await expectRefused(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('404 with the same shape for an unknown route', async () => {
    await expectRefused(await h.api('/v1/nothing-here'), 404, 'NOT_FOUND');
  });
});

describe('authentication', () => {
  it('401 on every /v1 route without a key or with a wrong one', async () => {
    for (const authorization of ['', 'Bearer wrong-key-0000000000000', `Basic ${API_KEY}`, API_KEY]) {
      for (const [method, path] of [
        ['GET', '/v1/suppliers'],
        ['POST', '/v1/suppliers'],
        ['POST', '/v1/invoices'],
        ['GET', '/v1/invoices/x'],
      ] as const) {
        const res = await fetch(`${h.baseUrl}${path}`, { method, headers: authorization ? { authorization } : {} });
        await expectRefused(res, 401, 'UNAUTHORIZED');
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      }
    }
  });

  it('leaves /healthz, /readyz and /openapi.json open', async () => {
    expect((await fetch(`${h.baseUrl}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${h.baseUrl}/readyz`)).json()).toEqual({
      status: 'ready',
      checks: { postgres: 'ok', redis: 'ok' },
      details: { en16931: 'on: rules 1.3.16' },
    });
    expect((await fetch(`${h.baseUrl}/openapi.json`)).status).toBe(200);
  });
});

describe('the request must agree with the file (UBL, CII, Factur-X)', () => {
  it.each([
    ['number', { number: 'ANOTHER-NUMBER' }],
    ['recipientSiret', { recipientSiret: '21750001600019' }],
    ['amountWithVat', { amountWithoutVat: '1000.00', vatAmount: '100.00', amountWithVat: '1100.00' }],
    ['engagementNumber', { engagementNumber: 'BDC-OTHER' }],
    ['serviceCode', { serviceCode: null }],
  ])('422 naming both values when %s differs', async (field, change) => {
    const body = await invoiceBody();
    const res = await h.api('/v1/invoices', jsonInit({ ...body, ...change }));
    const error = await expectRefused(res, 422, 'VALIDATION_FAILED', { path: field, code: 'file_mismatch' });
    const detail = error.error.details.find((d) => d.path === field)!;
    expect(detail.message).toMatch(/in the request but .* in the file/);
  });

  it.each(['IN_DP_E1_UBL_INVOICE', 'IN_DP_E1_CII_16B', 'IN_DP_E2_CII_FACTURX'])(
    'accepts a consistent %s invoice',
    async (syntaxeFlux) => {
      expect((await h.api('/v1/invoices', jsonInit(await invoiceBody({ syntaxeFlux })))).status).toBe(202);
    },
  );

  it('refuses a PDF that holds no Factur-X data', async () => {
    const res = await h.api(
      '/v1/invoices',
      jsonInit(await invoiceBody({ file: { name: 'f.pdf', contentBase64: MINIMAL_PDF.toString('base64') } })),
    );
    await expectRefused(res, 422, 'VALIDATION_FAILED', { path: 'file', code: 'file_unreadable' });
  });
});
