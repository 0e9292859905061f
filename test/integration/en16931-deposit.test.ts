/**
 * The EN 16931 check in the pipeline: a file that breaks a fatal rule is refused before any deposit, with the rule,
 * the request field and what to do; POST /v1/invoices/validate says the same at once and stores nothing; without the
 * rules the relay deposits unchecked and says so.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Invoice } from '../../src/db/entities/invoice.js';
import { startWorker, type RunningWorker } from '../../workers/worker.js';
import { invoiceBody, jsonInit } from '../helpers/invoices.js';
import { createPipelineHarness, settled, type PipelineHarness } from '../helpers/pipeline.js';

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

/**
 * A CII invoice whose VAT total carries no currencyID: the intake reads the amount and finds it agrees with the
 * request, but BR-CO-15 adds up the VAT total in the invoice's currency (BT-110), which the file then lacks.
 */
async function breakingBrCo15(): Promise<Record<string, unknown>> {
  const body = await invoiceBody({ syntaxeFlux: 'IN_DP_E1_CII_16B' });
  const file = body.file as { name: string; contentBase64: string };
  const xml = Buffer.from(file.contentBase64, 'base64').toString('utf8');
  const changed = xml.replace(/(<ram:TaxTotalAmount) currencyID="EUR"/, '$1');
  expect(changed).not.toBe(xml);
  return { ...body, file: { ...file, contentBase64: Buffer.from(changed).toString('base64') } };
}

const deposerFluxCalls = () => p.simulator.counter.byEndpoint.get('deposerFlux') ?? 0;
const invoiceCount = () => p.h.ctx.orm.em.fork().count(Invoice, {});

interface CheckAnswer {
  valid: boolean;
  errors: Array<Record<string, unknown>>;
  warnings: Array<Record<string, unknown>>;
  en16931: { outcome: string; release: string | null; syntax: string | null; profile: string | null } | null;
}
const validate = async (body: unknown) => {
  const res = await p.h.api('/v1/invoices/validate', jsonInit(body));
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as CheckAnswer;
};

describe('an invoice whose file breaks BR-CO-15', () => {
  it('is accepted, then refused by the pre-check naming BR-CO-15 and amountWithVat, with no call to Chorus Pro', async () => {
    const body = await breakingBrCo15();
    const before = deposerFluxCalls();
    const res = await p.h.api('/v1/invoices', jsonInit(body));
    expect(res.status, await res.clone().text()).toBe(202);
    const { id } = (await res.json()) as { id: string };

    const invoice = await settled(p.h, id, ['precheck_failed']);
    expect(invoice.lastError?.code).toBe('EN16931_RULES_BROKEN');
    expect(invoice.lastError?.message).toContain('BR-CO-15 (amountWithVat)');
    expect(invoice.lastError?.message).toContain(`correctsInvoiceId ${id}`);
    expect(invoice.actionRequired?.reason).toBe('precheck_failed');
    const refusal = invoice.events.find((e) => e.type === 'precheck-failed')!;
    const rules = refusal.details?.rules as Array<{ rule: string; field: string | null; fix: { fr: string } }>;
    expect(rules.find((r) => r.rule === 'BR-CO-15')).toMatchObject({ field: 'amountWithVat' });
    expect(rules.find((r) => r.rule === 'BR-CO-15')!.fix.fr).toMatch(/total TTC \(BT-112\)/);
    expect(deposerFluxCalls()).toBe(before);
    expect(p.simulator.world.depositsByInvoiceNumber.get(String(body.number)) ?? 0).toBe(0);
  });

  it('is told so by POST /v1/invoices/validate at once, and nothing is stored', async () => {
    const body = await breakingBrCo15();
    const stored = await invoiceCount();
    const answer = await validate(body);
    expect(answer.valid).toBe(false);
    expect(answer.errors).toContainEqual(
      expect.objectContaining({
        source: 'en16931',
        rule: 'BR-CO-15',
        path: 'amountWithVat',
        code: 'en16931_rule_broken',
      }),
    );
    expect(answer.en16931).toMatchObject({ outcome: 'checked', release: '1.3.16', syntax: 'CII' });
    expect(await invoiceCount()).toBe(stored);
  });
});

describe('POST /v1/invoices/validate', () => {
  it('says valid for a valid Factur-X (the sample generator makes EXTENDED), with its profile, and stores nothing', async () => {
    const stored = await invoiceCount();
    const answer = await validate(await invoiceBody());
    expect(answer).toMatchObject({ valid: true, errors: [] });
    expect(answer.en16931).toMatchObject({ outcome: 'checked', syntax: 'CII', profile: 'extended' });
    expect(await invoiceCount()).toBe(stored);
  });

  it("gives the intake's refusals as they would be, without running the rules", async () => {
    const body = await invoiceBody();
    delete body.amountWithVat;
    const answer = await validate(body);
    expect(answer.valid).toBe(false);
    expect(answer.errors).toContainEqual(expect.objectContaining({ source: 'request', path: 'amountWithVat' }));
    expect(answer.en16931).toBeNull();
  });
});

describe('a valid invoice', () => {
  it('is checked once before its deposit, and the timeline says the rules held', async () => {
    const res = await p.h.api('/v1/invoices', jsonInit(await invoiceBody()));
    expect(res.status).toBe(202);
    const invoice = await settled(p.h, ((await res.json()) as { id: string }).id, ['integrated']);
    const checked = invoice.events.filter((e) => e.type === 'rules-checked');
    expect(checked).toHaveLength(1);
    expect(checked[0]!.message).toMatch(/^The file meets the EN 16931 rules 1\.3\.16 \(CII, profile extended\)/);
    expect(invoice.events.map((e) => e.type).indexOf('rules-checked')).toBeLessThan(
      invoice.events.map((e) => e.type).indexOf('deposit-sent'),
    );
  });
});

describe('a relay without the rules', () => {
  let bare: PipelineHarness;
  let bareWorker: RunningWorker;
  const emptyDir = mkdtempSync(join(tmpdir(), 'cr-no-rules-'));
  beforeAll(async () => {
    bare = await createPipelineHarness({ env: { RULES_DIR: emptyDir } });
    bareWorker = startWorker(bare.h.ctx);
  });
  afterAll(async () => {
    await bareWorker.stop();
    await bare.close();
    rmSync(emptyDir, { recursive: true, force: true });
  });

  it('says so in /readyz and at start-up, deposits unchecked, and says that on the timeline', async () => {
    const ready = (await (await fetch(`${bare.h.baseUrl}/readyz`)).json()) as { details: { en16931: string } };
    expect(ready.details.en16931).toMatch(/^off: no EN 16931 rules in /);
    expect(bare.h.logs.text).toContain('EN 16931 check off: no EN 16931 rules in');

    const res = await bare.h.api('/v1/invoices', jsonInit(await breakingBrCo15()));
    expect(res.status).toBe(202);
    const invoice = await settled(bare.h, ((await res.json()) as { id: string }).id, ['integrated']);
    const line = invoice.events.find((e) => e.type === 'rules-checked');
    expect(line?.message).toMatch(/EN 16931 rules are not installed on this relay/);

    const answer = (await (
      await bare.h.api('/v1/invoices/validate', jsonInit(await invoiceBody()))
    ).json()) as CheckAnswer;
    expect(answer.en16931?.outcome).toBe('unavailable');
  });
});
