/**
 * The CII counterpart of the official UBL unit tests, made from our own sample invoices: each change below breaks
 * one EN 16931 rule (its id from the rule's own text), and the check must name it, with the request field where the
 * rule's first business term has one. And every sample the generator makes, in each format, breaks no rule.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { demoSample, generateSampleInvoice, type SampleFormat } from '../../scripts/lib/sample-invoices.js';
import { SYNTAXE_FLUX_OF } from '../../scripts/lib/sample-invoices.js';
import { DEFAULT_FILE_LIMITS } from '../../src/invoices/einvoice/limits.js';
import { createRulesChecker } from '../../src/invoices/einvoice/en16931/rules-checker.js';
import { TEST_RULES_DIR } from '../helpers/rules.js';

const checker = createRulesChecker(
  { dir: TEST_RULES_DIR, threads: 2, timeoutMs: 60_000, memoryMb: 512 },
  DEFAULT_FILE_LIMITS,
);
afterAll(() => checker.close());

const sample = demoSample('F2026-CII-1');
const cii = async () => (await generateSampleInvoice(sample, 'CII')).toString('utf8');
const check = (xml: string) => checker.check(Buffer.from(xml), 'IN_DP_E1_CII_16B');

/** [rule, field or null, what the change does, the change]. */
const BROKEN: Array<[string, string | null, string, (xml: string) => string]> = [
  [
    'BR-CO-15',
    'amountWithVat',
    'a total with VAT 50.00 too high',
    (x) => x.replace('<ram:GrandTotalAmount>1200.00', '<ram:GrandTotalAmount>1250.00'),
  ],
  [
    'BR-CO-16',
    null,
    'an amount due that is not the total with VAT',
    (x) => x.replace('<ram:DuePayableAmount>1200.00', '<ram:DuePayableAmount>1100.00'),
  ],
  [
    'BR-CO-14',
    'vatAmount',
    'a VAT total that is not the sum of the VAT breakdown',
    (x) => x.replace('currencyID="EUR">200.00', 'currencyID="EUR">210.00'),
  ],
  [
    'BR-CO-13',
    'amountWithoutVat',
    'a total without VAT that is not the sum of the lines',
    (x) => x.replace('<ram:TaxBasisTotalAmount>1000.00', '<ram:TaxBasisTotalAmount>900.00'),
  ],
  [
    'BR-CO-10',
    'lines',
    'a sum of lines that is not the lines',
    (x) =>
      x.replace(
        /<ram:LineTotalAmount>1000\.00<\/ram:LineTotalAmount>(\s*<ram:TaxBasisTotalAmount>)/,
        '<ram:LineTotalAmount>999.00</ram:LineTotalAmount>$1',
      ),
  ],
  [
    'BR-CO-17',
    'vatBreakdown',
    'a VAT amount that is not its base times its rate',
    (x) => x.replace('<ram:CalculatedAmount>200.00', '<ram:CalculatedAmount>190.00'),
  ],
  [
    'BR-S-08',
    'vatBreakdown',
    'a standard-rate base that is not the sum of its lines',
    (x) => x.replace('<ram:BasisAmount>1000.00', '<ram:BasisAmount>900.00'),
  ],
  [
    'BR-02',
    'number',
    'no invoice number',
    (x) => x.replace(/(<rsm:ExchangedDocument>\s*)<ram:ID>[^<]*<\/ram:ID>/, '$1'),
  ],
  ['BR-03', 'issueDate', 'no issue date', (x) => x.replace(/<ram:IssueDateTime>[\s\S]*?<\/ram:IssueDateTime>/, '')],
  [
    'BR-05',
    'currency',
    'no invoice currency',
    (x) => x.replace(/<ram:InvoiceCurrencyCode>EUR<\/ram:InvoiceCurrencyCode>/, ''),
  ],
  [
    'BR-CL-04',
    null,
    'a currency outside ISO 4217',
    (x) => x.replace('<ram:InvoiceCurrencyCode>EUR', '<ram:InvoiceCurrencyCode>EUX'),
  ],
  ['BR-06', null, "no seller's name", (x) => x.replace('<ram:Name>Entreprise du BTP</ram:Name>', '')],
  ['BR-07', null, "no buyer's name", (x) => x.replace('<ram:Name>Entité publique</ram:Name>', '')],
  [
    'BR-16',
    null,
    'no line',
    (x) => x.replace(/<ram:IncludedSupplyChainTradeLineItem>[\s\S]*?<\/ram:IncludedSupplyChainTradeLineItem>/, ''),
  ],
];

describe('our CII sample', () => {
  it('breaks no rule as it is', async () => {
    const verdict = await check(await cii());
    expect(verdict).toMatchObject({ outcome: 'checked', syntax: 'CII', release: '1.3.16', errors: [] });
  });

  it.each(BROKEN)('breaks %s, naming field %s, with %s', async (rule, field, _what, change) => {
    const original = await cii();
    const changed = change(original);
    expect(changed).not.toBe(original);
    const verdict = await check(changed);
    const finding = verdict.errors.find((f) => f.rule === rule);
    expect(finding, `errors: ${verdict.errors.map((f) => f.rule).join(', ')}`).toBeDefined();
    expect(finding!.field).toBe(field);
    expect(finding!.severity).toBe('fatal');
    expect(finding!.message).not.toMatch(/^\[/);
    expect(finding!.location).toMatch(/^\/CrossIndustryInvoice/);
    expect(finding!.fix.fr).toMatch(/Corrigez le fichier/);
    expect(finding!.fix.en).toContain(rule);
  });

  it('tells a Factur-X MINIMUM that the rules do not apply to it, and what Chorus Pro does with it', async () => {
    const minimum = (await cii()).replace(
      '<ram:ID>urn:cen.eu:en16931:2017</ram:ID>',
      '<ram:ID>urn:factur-x.eu:1p0:minimum</ram:ID>',
    );
    const verdict = await check(minimum.replace('<ram:GrandTotalAmount>1200.00', '<ram:GrandTotalAmount>1250.00'));
    expect(verdict.outcome).toBe('not-applicable');
    expect(verdict.profile).toBe('minimum');
    expect(verdict.errors).toEqual([]);
    expect(verdict.note?.en).toMatch(/Factur-X MINIMUM is not a full EN 16931 invoice.*IN_DP_E2_CII_FACTURX/);
    expect(verdict.note?.fr).toMatch(/Factur-X MINIMUM/);
  });
});

describe('a Factur-X BASIC', () => {
  it('is checked against the rules, and told what Chorus Pro does with it', async () => {
    const basic = (await cii()).replace(
      '<ram:ID>urn:cen.eu:en16931:2017</ram:ID>',
      '<ram:ID>urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic</ram:ID>',
    );
    const verdict = await check(basic.replace('<ram:GrandTotalAmount>1200.00', '<ram:GrandTotalAmount>1250.00'));
    expect(verdict).toMatchObject({ outcome: 'checked', profile: 'basic' });
    expect(verdict.errors.map((f) => f.rule)).toContain('BR-CO-15');
    expect(verdict.note?.en).toMatch(/^Factur-X BASIC is an EN 16931 invoice.*IN_DP_E2_CII_FACTURX/);
  });
});

describe("the sample generator's invoices", () => {
  it.each(['UBL', 'CII', 'Factur-X'] as SampleFormat[])('in %s break no EN 16931 rule', async (format) => {
    const file = await generateSampleInvoice({ ...sample, number: `F2026-${format}` }, format);
    const verdict = await checker.check(file, SYNTAXE_FLUX_OF[format]);
    expect(verdict.outcome).toBe('checked');
    expect(verdict.errors).toEqual([]);
  });
});
