/** Passwords, tokens, API keys and file contents never reach the logs, whatever happens. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, BOARD_PASSWORD, createHarness, SECRET_KEY_HEX, type Harness } from '../helpers/harness.js';
import { invoiceBody, jsonInit, supplierBody } from '../helpers/invoices.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

describe('logs', () => {
  it('carry the invoice id and none of the secrets that went through the system', async () => {
    const password = 'Chorus-Password-Do-Not-Log-91';
    const body = await invoiceBody();
    const fileBase64 = (body.file as { contentBase64: string }).contentBase64;
    const fileMarker = Buffer.from(fileBase64, 'base64');
    await h.api('/v1/suppliers', jsonInit(supplierBody({ chorusPassword: password })));
    await h.api('/v1/suppliers', jsonInit({ ...supplierBody({ chorusPassword: password }), siret: 'bad' }));
    const res = await h.api('/v1/invoices', jsonInit(body));
    const { id } = (await res.json()) as { id: string };
    await h.api('/v1/invoices', jsonInit({ ...body, number: 'OTHER-1', amountWithVat: '1.00' }));
    await fetch(`${h.baseUrl}/admin/queues`, {
      headers: { authorization: `Basic ${Buffer.from(`x:${BOARD_PASSWORD}`).toString('base64')}` },
    });
    await fetch(`${h.baseUrl}/v1/suppliers`, {
      headers: { authorization: 'Bearer a-wrong-key-that-should-not-be-logged' },
    });
    // Even a careless call that hands secrets to the logger is masked.
    h.ctx.logger.warn('careless', {
      invoiceId: id,
      chorusPassword: password,
      headers: { authorization: `Bearer ${API_KEY}` },
      fileContent: fileMarker,
    });

    const logs = h.logs.text;
    expect(h.logs.lines.length).toBeGreaterThan(5);
    expect(h.logs.lines.some((l) => l.includes('Invoice received') && l.includes(id))).toBe(true);
    for (const secret of [
      password,
      API_KEY,
      'a-wrong-key-that-should-not-be-logged',
      BOARD_PASSWORD,
      SECRET_KEY_HEX,
      fileBase64.slice(0, 64),
      fileBase64.slice(1000, 1064),
    ]) {
      expect(logs, `log contains ${secret}`).not.toContain(secret);
    }
    for (const line of h.logs.lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
  });
});
