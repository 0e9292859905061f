/**
 * Works documents (issue 14, part 2, the first step): the billing frame is in the request and in the file (BT-23:
 * CII BusinessProcessSpecifiedDocumentContextParameter/ID, UBL ProfileID; docs/chorus-pro-notes.md, "Works documents"),
 * and the two must agree. Only A1 to A25 name a frame there: a reform billing mode (M1...) says nothing Chorus Pro is
 * known to read (a rejection was reported, unconfirmed: docs/chorus-pro-notes.md, "Works documents"), so it is neither
 * compared nor refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSampleInvoice } from '../../scripts/lib/sample-invoices.js';
import { Invoice } from '../../src/db/entities/invoice.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { invoiceFields, invoiceNumber, jsonInit, sampleOf, supplierBody } from '../helpers/invoices.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  expect((await h.api('/v1/suppliers', jsonInit(supplierBody()))).status).toBe(201);
});
afterAll(async () => {
  await h.close();
});

/** A CII file whose BT-23 is `inFile`, sent with billingFrame `inRequest`. */
async function send(inRequest: string, inFile: string) {
  const number = invoiceNumber();
  const file = await generateSampleInvoice({ ...sampleOf(number), billingFrame: inFile }, 'CII');
  const body = {
    ...invoiceFields({ number, billingFrame: inRequest, syntaxeFlux: 'IN_DP_E1_CII_16B' }),
    file: { name: `${number}.xml`, contentBase64: file.toString('base64') },
  };
  const res = await h.api('/v1/invoices', jsonInit(body));
  return {
    number,
    status: res.status,
    body: (await res.json()) as {
      billingFrame?: string;
      error?: { details: Array<{ path: string; code: string; message: string }> };
    },
  };
}

describe('the billing frame of a works document', () => {
  it('is taken when the request and the file (BT-23) agree: a monthly draft statement, A4', async () => {
    const sent = await send('A4', 'A4');
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    expect(sent.body.billingFrame).toBe('A4');
  });

  it('is refused, with nothing written, when the file says another frame', async () => {
    const sent = await send('A1', 'A4');
    expect(sent.status).toBe(422);
    expect(sent.body.error?.details).toContainEqual({
      path: 'billingFrame',
      code: 'file_mismatch',
      message: 'The billing frame is "A1" in the request but "A4" in the file (BT-23).',
    });
    expect(await h.ctx.orm.em.fork().count(Invoice, { number: sent.number })).toBe(0);
  });

  it('is the request’s when BT-23 holds no Chorus frame (a reform billing mode)', async () => {
    const sent = await send('A1', 'M1');
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
  });
});
