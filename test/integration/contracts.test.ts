/**
 * Contract profiles (issue 14, part 3, the first step): the official "fiche d'identité du marché" says who buys,
 * who deposits with which billing frame; an invoice naming the market is pre-filled and pre-checked from it, and
 * the views and stats filter by market. Frames by party follow docs/chorus-pro-notes.md, "Works documents".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Invoice } from '../../src/db/entities/invoice.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import {
  invoiceBody,
  invoiceFields,
  invoiceNumber,
  jsonInit,
  RECIPIENT_SIRET,
  SUPPLIER_SIRET,
  supplierBody,
} from '../helpers/invoices.js';

const OTHER_SUPPLIER = '44306184100047';
const OTHER_BUYER = '21750001600019';

let h: Harness;
let market: string;
beforeAll(async () => {
  h = await createHarness();
  expect((await h.api('/v1/suppliers', jsonInit(supplierBody()))).status).toBe(201);
  market = `M-${invoiceNumber()}`;
});
afterAll(async () => {
  await h.close();
});

type Answer = {
  status: number;
  body: Record<string, unknown> & {
    error?: { code: string; details: Array<{ path: string; code: string; message: string }> };
  };
};
async function post(path: string, body: unknown): Promise<Answer> {
  const res = await h.api(path, jsonInit(body));
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

describe('a contract profile', () => {
  it('is saved, then replaced for the same market and buyer', async () => {
    const profile = {
      marketNumber: market,
      buyer: { siret: RECIPIENT_SIRET, serviceCode: 'SERVICE-BTP' },
      holderSiret: SUPPLIER_SIRET,
      subcontractors: [{ siret: OTHER_SUPPLIER, directPayment: true }],
    };
    const created = await post('/v1/contracts', { ...profile, cocontractors: [] });
    expect(created.status).toBe(201);
    expect(created.body.frames).toEqual({
      holder: ['A1', 'A2', 'A4', 'A7'],
      cocontractor: ['A12', 'A13', 'A14'],
      subcontractor: ['A9', 'A10', 'A11'],
    });
    const replaced = await post('/v1/contracts', { ...profile, frames: { holder: ['A1', 'A4'] } });
    expect([replaced.status, replaced.body.id]).toEqual([200, created.body.id]);
    expect((replaced.body.frames as { holder: string[] }).holder).toEqual(['A1', 'A4']);
    const refused = await post('/v1/contracts', { ...profile, frames: { holder: ['A99'] } });
    expect(refused.status).toBe(422);
    expect(refused.body.error?.details[0]?.path).toBe('frames.holder.0');
  });

  it('fills in the service code an invoice of the market leaves out', async () => {
    const body = await invoiceBody({ marketNumber: market }); // the file carries SERVICE-BTP (BT-10)
    const accepted = await post('/v1/invoices', { ...body, serviceCode: null });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    expect(accepted.body.serviceCode).toBe('SERVICE-BTP');
  });

  it('refuses an invoice of the market with a frame its party does not use, another buyer or service, or a supplier outside it', async () => {
    const cases: Array<[Record<string, unknown>, { path: string; code: string }, string]> = [
      [
        { billingFrame: 'A9' },
        { path: 'billingFrame', code: 'contract_frame' },
        'deposits with billing frame A1, A4, not A9',
      ],
      [
        { recipientSiret: OTHER_BUYER },
        { path: 'recipientSiret', code: 'contract_recipient' },
        `is bought by ${RECIPIENT_SIRET}`,
      ],
      [
        { serviceCode: 'SERVICE-EJ' },
        { path: 'serviceCode', code: 'contract_service_code' },
        'billed to service SERVICE-BTP',
      ],
      [
        { supplierSiret: OTHER_SUPPLIER, billingFrame: 'A1' },
        { path: 'billingFrame', code: 'contract_frame' },
        'a subcontractor',
      ],
    ];
    for (const [overrides, expected, words] of cases) {
      const body = await invoiceBody({ marketNumber: market, ...overrides });
      const refused = await post('/v1/invoices', body);
      expect(refused.status, JSON.stringify(overrides)).toBe(422);
      const detail = refused.body.error?.details.find((d) => d.path === expected.path);
      expect(detail, JSON.stringify(refused.body)).toMatchObject(expected);
      expect(detail?.message).toContain(words);
      expect(await h.ctx.orm.em.fork().count(Invoice, { number: String(body.number) })).toBe(0);
    }
    // A supplier that is no party to the market at all.
    const profile = { marketNumber: `${market}-B`, buyer: { siret: RECIPIENT_SIRET }, holderSiret: SUPPLIER_SIRET };
    expect((await post('/v1/contracts', profile)).status).toBe(201);
    const outsider = await post(
      '/v1/invoices',
      await invoiceBody({ marketNumber: `${market}-B`, supplierSiret: OTHER_SUPPLIER }),
    );
    expect(outsider.body.error?.details).toContainEqual(
      expect.objectContaining({ path: 'supplierSiret', code: 'contract_party' }),
    );
  });

  it('names the holder as the validator of a subcontractor’s invoice (A9), and refuses another validator', async () => {
    expect((await post('/v1/suppliers', supplierBody({ siret: OTHER_SUPPLIER }))).status).toBe(201);
    // Submitted without a flux, Chorus Pro needs the validator in the request
    // (cadreDeFacturation.codeStructureValideur).
    const subcontractorInvoice = (overrides: Record<string, unknown>) =>
      invoiceFields({
        supplierSiret: OTHER_SUPPLIER,
        billingFrame: 'A9',
        depositMode: 'data',
        lines: [{ description: 'Lot peinture', quantity: '1', unit: 'forfait', unitPrice: '1000.00', vatRate: '20' }],
        ...overrides,
      });
    const filled = await post('/v1/invoices', subcontractorInvoice({ marketNumber: market }));
    expect(filled.status, JSON.stringify(filled.body)).toBe(202);
    expect(filled.body).toMatchObject({ validatorSiret: SUPPLIER_SIRET, serviceCode: 'SERVICE-BTP' });

    const wrong = await post(
      '/v1/invoices',
      subcontractorInvoice({ marketNumber: market, validatorSiret: OTHER_BUYER }),
    );
    expect(wrong.status).toBe(422);
    expect(wrong.body.error?.details).toContainEqual(
      expect.objectContaining({ path: 'validatorSiret', code: 'contract_validator' }),
    );
    // Without a profile to take it from, the validator must be given; an A1 invoice names none.
    const missing = await post('/v1/invoices', subcontractorInvoice({}));
    expect(missing.body.error?.details).toEqual([
      expect.objectContaining({ path: 'validatorSiret', code: 'validator_required' }),
    ]);
    const unexpected = await post('/v1/invoices', await invoiceBody({ validatorSiret: OTHER_SUPPLIER }));
    expect(unexpected.body.error?.details).toEqual([
      expect.objectContaining({ path: 'validatorSiret', code: 'validator_not_expected' }),
    ]);
    // A subcontractor without direct payment bills the holder, not the buyer: nothing of it goes to Chorus Pro.
    const indirect = {
      marketNumber: `${market}-C`,
      buyer: { siret: RECIPIENT_SIRET },
      holderSiret: SUPPLIER_SIRET,
      subcontractors: [{ siret: OTHER_SUPPLIER, directPayment: false }],
    };
    expect((await post('/v1/contracts', indirect)).status).toBe(201);
    const notPaidDirectly = await post('/v1/invoices', subcontractorInvoice({ marketNumber: `${market}-C` }));
    expect(notPaidDirectly.status).toBe(422);
    expect(notPaidDirectly.body.error?.details).toEqual([
      expect.objectContaining({ path: 'supplierSiret', code: 'contract_no_direct_payment' }),
    ]);
  });

  it('filters the invoice list and the stats by market', async () => {
    const other = await post('/v1/invoices', await invoiceBody({ marketNumber: 'M-ANOTHER-ONE' }));
    expect(other.status).toBe(202);
    const listed = (await (await h.api(`/v1/invoices?marketNumber=${encodeURIComponent(market)}`)).json()) as {
      data: Array<{ marketNumber: string }>;
    };
    // The holder's invoice and its subcontractor's, from the tests above.
    expect(listed.data.length).toBe(2);
    expect(listed.data.every((i) => i.marketNumber === market)).toBe(true);
    const stats = (await (await h.api(`/v1/stats?marketNumber=${encodeURIComponent(market)}`)).json()) as {
      total: number;
    };
    expect(stats.total).toBe(2);
  });
});

describe('a contract profile belongs to its holder', () => {
  const asKey = (key: string, path: string, body?: unknown) =>
    h.api(
      path,
      body === undefined
        ? { headers: { authorization: `Bearer ${key}` } }
        : { ...jsonInit(body), headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } },
    );
  const newKey = async (name: string, supplierSirets: string[]) => {
    const res = await h.api('/v1/api-keys', jsonInit({ name, role: 'submitter', supplierSirets }));
    expect(res.status).toBe(201);
    return String(((await res.json()) as { key: string }).key);
  };

  it('cannot be replaced, read or told by a key of another supplier', async () => {
    expect((await h.api('/v1/suppliers', jsonInit(supplierBody({ siret: OTHER_SUPPLIER })))).status).toBeLessThan(300);
    const holderKey = await newKey('holder', [SUPPLIER_SIRET]);
    const otherKey = await newKey('other supplier', [OTHER_SUPPLIER]);
    const held = `${market}-H`;
    const profile = {
      marketNumber: held,
      buyer: { siret: RECIPIENT_SIRET, serviceCode: 'SERVICE-BTP' },
      holderSiret: SUPPLIER_SIRET,
      subcontractors: [{ siret: OTHER_SUPPLIER, directPayment: true }],
    };
    const created = await asKey(holderKey, '/v1/contracts', profile);
    expect(created.status).toBe(201);
    const createdBody = (await created.json()) as { id: string };

    // The other supplier's key tries to take the market for itself: refused, and the holder's profile stands.
    const takeover = await asKey(otherKey, '/v1/contracts', {
      marketNumber: held,
      buyer: { siret: RECIPIENT_SIRET },
      holderSiret: OTHER_SUPPLIER,
    });
    const takeoverBody = await takeover.text();
    expect(takeover.status).toBe(409);
    expect((JSON.parse(takeoverBody) as { error: { code: string } }).error.code).toBe('CONTRACT_HELD_ELSEWHERE');
    expect(takeoverBody).not.toContain(SUPPLIER_SIRET);
    const listed = (await (await asKey(holderKey, '/v1/contracts')).json()) as {
      data: Array<{ id: string; holderSiret: string; marketNumber: string }>;
    };
    expect(listed.data.find((c) => c.marketNumber === held)).toMatchObject({
      id: createdBody.id,
      holderSiret: SUPPLIER_SIRET,
    });
    const seenByOther = (await (await asKey(otherKey, '/v1/contracts')).json()) as {
      data: Array<{ marketNumber: string }>;
    };
    expect(seenByOther.data.map((c) => c.marketNumber)).not.toContain(held);

    // Its subcontractor's invoices are still checked against it, but a refusal does not tell what the profile says.
    const refusals: string[] = [];
    for (const overrides of [
      { recipientSiret: OTHER_BUYER },
      { billingFrame: 'A1' },
      { serviceCode: 'SERVICE-EJ', billingFrame: 'A9', validatorSiret: OTHER_BUYER },
    ]) {
      const body = await invoiceBody({ marketNumber: held, supplierSiret: OTHER_SUPPLIER, ...overrides });
      const refused = await asKey(otherKey, '/v1/invoices', body);
      const text = await refused.text();
      expect(refused.status, text).toBe(422);
      refusals.push(text);
      expect(await h.ctx.orm.em.fork().count(Invoice, { number: String(body.number) })).toBe(0);
    }
    const said = refusals.join('\n');
    for (const code of ['contract_recipient', 'contract_frame', 'contract_service_code', 'contract_validator'])
      expect(said).toContain(code);
    expect(said).not.toContain(RECIPIENT_SIRET);
    expect(said).not.toContain(SUPPLIER_SIRET);
    expect(said).not.toContain('SERVICE-BTP');
    expect(said).not.toMatch(/subcontractor of market|a subcontractor|A9, A10/);
  });
});
