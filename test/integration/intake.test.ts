/** The intake API over real HTTP, with real PostgreSQL and Redis. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEALED_AT } from '../../src/shared/secret-box.js';
import { Invoice } from '../../src/db/entities/invoice.js';
import { InvoiceEvent } from '../../src/db/entities/invoice-event.js';
import { SupplierAccount } from '../../src/db/entities/supplier-account.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import {
  invoiceBody,
  invoiceNumber,
  jsonInit,
  MINIMAL_PDF,
  RECIPIENT_SIRET,
  supplierBody,
} from '../helpers/invoices.js';

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
  expect((await h.api('/v1/suppliers', jsonInit(supplierBody()))).status).toBe(201);
});
afterAll(() => h.close());

const countRows = async () => {
  const em = h.ctx.orm.em.fork();
  return { invoices: await em.count(Invoice), events: await em.count(InvoiceEvent) };
};

describe('POST /v1/invoices (JSON)', () => {
  it('stores the invoice, answers 202 with a Location, and adds its deposit job under the invoice id', async () => {
    const body = await invoiceBody();
    const file = Buffer.from((body.file as { contentBase64: string }).contentBase64, 'base64');
    const res = await h.api('/v1/invoices', jsonInit(body));
    expect(res.status).toBe(202);
    const invoice = (await res.json()) as {
      id: string;
      state: string;
      number: string;
      amountWithVat: string;
      file: { sha256: string; size: number };
    };
    expect(res.headers.get('location')).toBe(`/v1/invoices/${invoice.id}`);
    expect(invoice).toMatchObject({ state: 'queued', number: body.number, amountWithVat: '1200.00' });
    expect(invoice.file.size).toBe(file.length);

    const row = await h.ctx.orm.em.fork().findOneOrFail(Invoice, invoice.id, { populate: ['fileContent'] });
    expect(row.fileContent?.equals(file)).toBe(true);
    expect(row.amountWithoutVat).toBe('1000.00');

    const job = await h.ctx.queues.deposit.getJob(invoice.id);
    expect(job?.name).toBe(`deposit ${String(body.number)}`);
    expect(job?.data).toEqual({ invoiceId: invoice.id, correlationId: expect.any(String) as unknown });
  });

  it('returns the invoice and its timeline from the Location', async () => {
    const created = await h.api('/v1/invoices', jsonInit(await invoiceBody()));
    const res = await h.api(created.headers.get('location')!);
    expect(res.status).toBe(200);
    const invoice = (await res.json()) as {
      id: string;
      supplierSiret: string;
      events: Array<{ type: string; source: string; message: string }>;
    };
    expect(invoice.supplierSiret).toBe(supplierBody().siret);
    expect(invoice.events).toHaveLength(1);
    expect(invoice.events[0]).toMatchObject({ type: 'received', source: 'intake' });
  });

  it('normalises amounts to two decimals', async () => {
    const res = await h.api(
      '/v1/invoices',
      jsonInit(await invoiceBody({ amountWithoutVat: '10.5', vatAmount: '2.1', amountWithVat: '12.60' })),
    );
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ amountWithoutVat: '10.50', vatAmount: '2.10', amountWithVat: '12.60' });
  });

  it('answers 404 with a code for an unknown or malformed id', async () => {
    for (const id of ['3f2b1c4e-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const res = await h.api(`/v1/invoices/${id}`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('INVOICE_NOT_FOUND');
    }
  });
});

describe('POST /v1/invoices (multipart/form-data)', () => {
  const form = (fields: Record<string, unknown>, file?: { name: string; content: Buffer; type: string }) => {
    const data = new FormData();
    for (const [key, value] of Object.entries(fields))
      if (key !== 'file' && value !== null) data.append(key, typeof value === 'string' ? value : JSON.stringify(value));
    if (file) data.append('file', new Blob([file.content], { type: file.type }), file.name);
    return data;
  };

  it('accepts the same fields with the file as a part', async () => {
    const fields = await invoiceBody({ syntaxeFlux: 'IN_DP_E1_UBL_INVOICE' });
    const xml = Buffer.from((fields.file as { contentBase64: string }).contentBase64, 'base64');
    const res = await h.api('/v1/invoices', {
      method: 'POST',
      body: form(fields, { name: 'f.xml', content: xml, type: 'application/xml' }),
    });
    expect(res.status).toBe(202);
    const invoice = (await res.json()) as { id: string; file: { name: string; size: number } };
    expect(invoice.file).toMatchObject({ name: 'f.xml', size: xml.length });
    expect(await h.ctx.queues.deposit.getJob(invoice.id)).toBeDefined();
  });

  it('refuses a form without a file, naming the field', async () => {
    const before = await countRows();
    const res = await h.api('/v1/invoices', { method: 'POST', body: form(await invoiceBody()) });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { details: Array<{ path: string }> } };
    expect(body.error.details.map((d) => d.path)).toContain('file');
    expect(await countRows()).toEqual(before);
  });

  it('refuses a file over 10 MB with 413 and the same error shape', async () => {
    const big = Buffer.concat([MINIMAL_PDF, Buffer.alloc(10 * 1024 * 1024)]);
    const before = await countRows();
    const res = await h.api('/v1/invoices', {
      method: 'POST',
      body: form(await invoiceBody(), { name: 'big.pdf', content: big, type: 'application/pdf' }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({
      error: { code: 'PAYLOAD_TOO_LARGE', details: [{ path: 'file', code: 'file_too_large' }] },
    });
    expect(await countRows()).toEqual(before);
  });
});

describe('idempotency and duplicates', () => {
  it('replays the same request under the same Idempotency-Key with 200 and the same invoice', async () => {
    const body = await invoiceBody();
    const key = `key-${invoiceNumber()}`;
    const first = await h.api('/v1/invoices', jsonInit(body, { 'idempotency-key': key }));
    const second = await h.api('/v1/invoices', jsonInit(body, { 'idempotency-key': key }));
    expect(first.status).toBe(202);
    expect(second.status).toBe(200);
    const [a, b] = (await Promise.all([first.json(), second.json()])) as Array<{ id: string }>;
    expect(b!.id).toBe(a!.id);
    expect(second.headers.get('location')).toBe(`/v1/invoices/${a!.id}`);
  });

  it('answers 409 when the same key comes with a different body', async () => {
    const key = `key-${invoiceNumber()}`;
    const first = await h.api('/v1/invoices', jsonInit(await invoiceBody(), { 'idempotency-key': key }));
    const { id } = (await first.json()) as { id: string };
    const before = await countRows();
    const res = await h.api(
      '/v1/invoices',
      jsonInit(await invoiceBody({ amountWithoutVat: '1.00', vatAmount: '0.20', amountWithVat: '1.20' }), {
        'idempotency-key': key,
      }),
    );
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_REUSED', existingInvoiceId: id } });
    expect(await countRows()).toEqual(before);
  });

  it('never accepts the same supplier and invoice number twice, even without a key', async () => {
    const body = await invoiceBody();
    const first = await h.api('/v1/invoices', jsonInit(body));
    const { id } = (await first.json()) as { id: string };
    const res = await h.api(
      '/v1/invoices',
      jsonInit(
        await invoiceBody({ number: body.number, amountWithoutVat: '5.00', vatAmount: '1.00', amountWithVat: '6.00' }),
      ),
    );
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({
      error: { code: 'DUPLICATE_INVOICE_NUMBER', existingInvoiceId: id, details: [{ path: 'number' }] },
    });
  });

  it('creates exactly one invoice when ten identical requests race under one key', async () => {
    const body = await invoiceBody();
    const key = `race-${invoiceNumber()}`;
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => h.api('/v1/invoices', jsonInit(body, { 'idempotency-key': key }))),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(9);
    const ids = new Set(await Promise.all(responses.map(async (r) => ((await r.json()) as { id: string }).id)));
    expect(ids.size).toBe(1);
    expect(await h.ctx.orm.em.fork().count(Invoice, { number: body.number as string })).toBe(1);
  });

  it('creates exactly one invoice when ten requests race with one number and no key', async () => {
    const body = await invoiceBody();
    const responses = await Promise.all(Array.from({ length: 10 }, () => h.api('/v1/invoices', jsonInit(body))));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(9);
  });
});

describe('supplier accounts', () => {
  it('updates an existing account with 200 and never returns or stores the password in clear', async () => {
    const res = await h.api(
      '/v1/suppliers',
      jsonInit(supplierBody({ chorusPassword: 'Another-Secret-Pass-7', chorusLogin: 'TECH_0043@cpro.fr' })),
    );
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain('Another-Secret-Pass-7');
    expect(JSON.parse(text)).toMatchObject({ chorusLogin: 'TECH_0043@cpro.fr', environment: 'sandbox' });

    const list = await h.api('/v1/suppliers');
    const listText = await list.text();
    expect(listText).not.toMatch(/Secret-Pass|password/i);
    expect((JSON.parse(listText) as { data: unknown[] }).data).toHaveLength(1);

    const row = await h.ctx.orm.em.fork().findOneOrFail(SupplierAccount, { siret: supplierBody().siret });
    expect(row.chorusPasswordSealed).not.toContain('Another-Secret-Pass-7');
    expect(h.ctx.secretBox.open(row.chorusPasswordSealed, SEALED_AT.supplierPassword(row.id))).toBe(
      'Another-Secret-Pass-7',
    );
    expect(row.version).toBe(2);
  });

  it('takes credentials sent at the same moment one after the other, none failing on the row changing meanwhile', async () => {
    // A job updating the account (a password check, a pause) while new credentials arrive changes the row under the
    // request; several registrations of one account at once do the same to each other.
    const logins = Array.from({ length: 8 }, (_, i) => `TECH_CONCURRENT_${i}@cpro.fr`);
    const answers = await Promise.all(
      logins.map((chorusLogin) => h.api('/v1/suppliers', jsonInit(supplierBody({ chorusLogin })))),
    );
    expect(answers.map((r) => r.status)).toEqual(logins.map(() => 200));
    const row = await h.ctx.orm.em.fork().findOneOrFail(SupplierAccount, { siret: supplierBody().siret });
    expect(logins).toContain(row.chorusLogin);
  });

  it('refuses an invalid account with field paths', async () => {
    const res = await h.api('/v1/suppliers', jsonInit({ siret: '123', chorusLogin: '', environment: 'test' }));
    expect(res.status).toBe(422);
    const paths = ((await res.json()) as { error: { details: Array<{ path: string }> } }).error.details.map(
      (d) => d.path,
    );
    expect(paths).toEqual(expect.arrayContaining(['siret', 'chorusLogin', 'chorusPassword', 'environment']));
  });
});

describe('the timeline is append-only', () => {
  it('refuses to update or delete an event', async () => {
    await h.api('/v1/invoices', jsonInit(await invoiceBody({ recipientSiret: RECIPIENT_SIRET })));
    const connection = h.ctx.orm.em.fork().getConnection();
    await expect(connection.execute(`update invoice_event set message = 'changed'`)).rejects.toThrow(/append-only/);
    await expect(connection.execute(`delete from invoice_event`)).rejects.toThrow(/append-only/);
  });
});
