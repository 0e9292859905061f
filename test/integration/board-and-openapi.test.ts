import { createApp } from '../../src/http/app.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Invoice } from '../../src/db/entities/invoice.js';
import { BOARD_PASSWORD, BOARD_USER, createHarness, type Harness } from '../helpers/harness.js';
import { invoiceBody, jsonInit, supplierBody } from '../helpers/invoices.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  await h.api('/v1/suppliers', jsonInit(supplierBody()));
});
afterAll(() => h.close());

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('Bull Board at /admin/queues', () => {
  it('needs BOARD_USER and BOARD_PASSWORD', async () => {
    for (const authorization of [undefined, basic(BOARD_USER, 'wrong-password'), basic('someone', BOARD_PASSWORD)]) {
      const res = await fetch(`${h.baseUrl}/admin/queues`, { headers: authorization ? { authorization } : {} });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic/);
    }
    const ok = await fetch(`${h.baseUrl}/admin/queues`, {
      headers: { authorization: basic(BOARD_USER, BOARD_PASSWORD) },
    });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('<html');
  });

  it('shows every queue and the job of an accepted invoice, named after it, with no secret or file content', async () => {
    const body = await invoiceBody();
    const created = (await (await h.api('/v1/invoices', jsonInit(body))).json()) as { id: string };
    // A job holding a secret by mistake must still be shown redacted.
    await h.ctx.queues.alerts.add('careless', {
      alertId: 'a1',
      chorusPassword: 'Leaked-Pass-1',
      nested: { token: 'tok-123' },
    } as never);

    const auth = { authorization: basic(BOARD_USER, BOARD_PASSWORD) };
    const deposit = await fetch(`${h.baseUrl}/admin/queues/api/queues?activeQueue=deposit&status=prioritized&page=1`, {
      headers: auth,
    });
    const text = await deposit.text();
    const payload = JSON.parse(text) as {
      queues: Array<{ name: string; jobs: Array<{ id: string; name: string; data: unknown }> }>;
    };
    expect(payload.queues.map((q) => q.name).sort()).toEqual([
      'alerts',
      'checks',
      'deliveries',
      'deposit',
      'deposit-report',
      'follow-ups',
      'status-sync',
      'validations',
    ]);
    const job = payload.queues.find((q) => q.name === 'deposit')!.jobs.find((j) => j.id === created.id);
    expect(job).toMatchObject({ name: `deposit ${String(body.number)}`, data: { invoiceId: created.id } });
    // From the job to the invoice's page, where its fix is a form.
    expect(job).toMatchObject({ externalUrl: { href: `/app/invoices/${created.id}`, displayText: 'Invoice page' } });
    expect(text).not.toContain((body.file as { contentBase64: string }).contentBase64.slice(0, 200));

    const alerts = await (
      await fetch(`${h.baseUrl}/admin/queues/api/queues?activeQueue=alerts&status=waiting&page=1`, { headers: auth })
    ).text();
    expect(alerts).toContain('[redacted]');
    expect(alerts).not.toContain('Leaked-Pass-1');
    expect(alerts).not.toContain('tok-123');
  });
});

describe('the board at a glance', () => {
  it("says on the deposit queue's card how many invoices need action and why, fresh at each refresh", async () => {
    const auth = { authorization: basic(BOARD_USER, BOARD_PASSWORD) };
    const depositCard = async () => {
      const payload = (await (
        await fetch(`${h.baseUrl}/admin/queues/api/queues?activeQueue=deposit&page=1`, { headers: auth })
      ).json()) as {
        queues: Array<{ name: string; description?: string; displayName?: string }>;
      };
      const card = payload.queues.find((q) => q.name === 'deposit')!;
      return `${card.displayName ?? card.name} | ${card.description ?? ''}`;
    };
    await h.ctx.orm.em.fork().nativeUpdate(Invoice, {}, { actionRequired: null });
    expect(await depositCard()).toMatch(/^deposit \| No invoice needs action\. Deposits of invoices/);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push(((await (await h.api('/v1/invoices', jsonInit(await invoiceBody()))).json()) as { id: string }).id);
    // Rows as the lifecycle leaves them: two rejected by the recipient, one suspended.
    const em = h.ctx.orm.em.fork();
    await em.nativeUpdate(Invoice, { id: { $in: ids.slice(0, 2) } }, { actionRequired: 'rejected_by_recipient' });
    await em.nativeUpdate(Invoice, { id: ids[2]! }, { actionRequired: 'suspended' });
    // The count is the queue's title, on the overview's card; the reasons follow in its description.
    expect(await depositCard()).toMatch(
      /^deposit · 3 invoice\(s\) need action \| 3 invoice\(s\) need action \(2 rejected_by_recipient, 1 suspended\): GET \/v1\/invoices\?needsAction=true\./,
    );
  });
});

describe('GET /openapi.json', () => {
  it('describes the routes with the request schemas used for validation', async () => {
    const doc = (await (await fetch(`${h.baseUrl}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: {
        schemas: Record<
          string,
          { properties?: Record<string, { enum?: string[]; anyOf?: Array<{ enum?: string[] }> }>; required?: string[] }
        >;
      };
    };
    expect(doc.openapi).toMatch(/^3\./);
    // Every route of the route table (src/http/app.ts), with its methods.
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(
      [
        'POST /v1/suppliers',
        'GET /v1/suppliers',
        'POST /v1/invoices',
        'POST /v1/invoices/validate',
        'GET /v1/invoices',
        'GET /v1/invoices/{id}',
        'POST /v1/invoices/{id}/retry',
        'POST /v1/invoices/{id}/recycle',
        'POST /v1/invoices/{id}/complete',
        'POST /v1/invoices/{id}/correct-validator',
        'GET /v1/validations',
        'GET /v1/validations/{id}',
        'POST /v1/validations/{id}/approve',
        'POST /v1/validations/{id}/refuse',
        'POST /v1/contracts',
        'GET /v1/contracts',
        'POST /v1/batches',
        'GET /v1/batches/{id}',
        'GET /v1/stats',
        'POST /v1/subscriptions',
        'GET /v1/subscriptions',
        'DELETE /v1/subscriptions/{id}',
        'GET /v1/subscriptions/{id}/deliveries',
        'POST /v1/deliveries/{id}/replay',
        'POST /v1/api-keys',
        'GET /v1/api-keys',
        'DELETE /v1/api-keys/{id}',
        'GET /v1/audit',
      ].sort(),
    );
    // ...and exactly the routes the application serves.
    const served = (createApp(h.ctx).locals.apiRoutes as Array<{ method: string; path: string }>).map(
      (r) => `${r.method.toUpperCase()} /v1${r.path.replace(/:(\w+)/g, '{$1}')}`,
    );
    expect(served.sort()).toEqual(documented.sort());
    const input = doc.components.schemas.InvoiceInput!;
    expect(input.required).toEqual(expect.arrayContaining(['supplierSiret', 'recipientSiret', 'number', 'issueDate']));
    // What a deposit mode needs (syntaxeFlux and file for a flux, lines for data...) is a rule of the mode, not of the
    // shape.
    expect(input.required).not.toContain('file');
    expect(input.properties?.depositMode?.enum).toEqual(['flux', 'pdf', 'data']);
    expect(input.properties?.syntaxeFlux?.anyOf?.[0]?.enum).toContain('IN_DP_E2_CII_FACTURX');
    expect(input.properties?.type?.enum).toEqual(['FACTURE', 'AVOIR', 'ACOMPTE']);
    expect(doc.components.schemas.SupplierInput!.required).toContain('chorusPassword');
    expect(doc.components.schemas.Supplier!.properties).not.toHaveProperty('chorusPassword');
  });
});
