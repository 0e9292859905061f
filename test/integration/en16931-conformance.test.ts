/**
 * Our EN 16931 check agrees with the official artefacts' own evidence: every unit test of test/Invoice-unit-UBL
 * (each `<test>` names the rule its invoice must break, as an error or a warning, or must satisfy), and every example
 * invoice of ubl/examples and cii/examples (no fatal rule broken). Read from the artefacts' folder, not from ours.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_FILE_LIMITS } from '../../src/invoices/einvoice/limits.js';
import { createRulesChecker } from '../../src/invoices/einvoice/en16931/rules-checker.js';
import { RULES_SOURCE_FOLDER, TEST_RULES_DIR } from '../helpers/rules.js';

const checker = createRulesChecker(
  { dir: TEST_RULES_DIR, threads: 2, timeoutMs: 60_000, memoryMb: 512 },
  DEFAULT_FILE_LIMITS,
);
afterAll(() => checker.close());

interface UnitTest {
  file: string;
  index: number;
  /** `times`: how many places the rule must fail at, where the test says. */
  expectations: Array<{ kind: 'success' | 'error' | 'warning'; rule: string; times?: number }>;
  invoice: string;
}

/** The `<test>`s of one unit-test file: what each expects, and its invoice as a document of its own. */
function unitTestsOf(file: string): UnitTest[] {
  const text = readFileSync(join(RULES_SOURCE_FOLDER, 'test/Invoice-unit-UBL', file), 'utf8');
  return [...text.matchAll(/<test>([\s\S]*?)<\/test>/g)].map((match, index) => {
    const body = match[1]!;
    const assert = /<assert>([\s\S]*?)<\/assert>/.exec(body)?.[1] ?? '';
    const expectations = [
      ...assert.matchAll(/<(success|error|warning)(?:\s+number="(\d+)")?\s*>\s*([^<\s]+)\s*<\/\1>/g),
    ].map((m) => ({
      kind: m[1] as 'success' | 'error' | 'warning',
      rule: m[3]!,
      ...(m[2] ? { times: Number(m[2]) } : {}),
    }));
    const invoice = /<((?:[\w-]+:)?(?:Invoice|CreditNote))[\s>][\s\S]*<\/\1>/.exec(body)?.[0];
    if (!invoice) throw new Error(`${file} test ${index + 1} has no invoice`);
    return { file, index, expectations, invoice: `<?xml version="1.0" encoding="UTF-8"?>\n${invoice}` };
  });
}

const unitFiles = readdirSync(join(RULES_SOURCE_FOLDER, 'test/Invoice-unit-UBL')).filter((f) => f.endsWith('.xml'));

describe('the official unit tests (test/Invoice-unit-UBL)', () => {
  it('are all installed and each is met: the rule fails where expected, as an error or a warning, and holds elsewhere', async () => {
    expect(checker.status()).toEqual({ on: true, release: '1.3.16' });
    const tests = unitFiles.flatMap(unitTestsOf);
    expect(tests.length).toBeGreaterThan(700);
    const disagreements: string[] = [];
    let expectationsMet = 0;
    await Promise.all(
      tests.map(async (test) => {
        const verdict = await checker.check(Buffer.from(test.invoice), 'IN_DP_E1_UBL_INVOICE');
        expect(verdict.outcome).toBe('checked');
        const count = (findings: typeof verdict.errors, rule: string) => findings.filter((f) => f.rule === rule).length;
        const said = () =>
          `errors [${verdict.errors.map((f) => f.rule).join(', ')}] warnings [${verdict.warnings.map((f) => f.rule).join(', ')}]`;
        expect(test.expectations.length, `${test.file} test ${test.index + 1}`).toBeGreaterThan(0);
        for (const { kind, rule, times } of test.expectations) {
          const failures = kind === 'warning' ? count(verdict.warnings, rule) : count(verdict.errors, rule);
          const met =
            kind === 'success'
              ? count(verdict.errors, rule) + count(verdict.warnings, rule) === 0
              : times === undefined
                ? failures > 0
                : failures === times;
          if (met) expectationsMet++;
          else
            disagreements.push(
              `${test.file} test ${test.index + 1}: expected ${kind} ${rule}${times ? ` ${times} times` : ''}, got ${said()}`,
            );
        }
      }),
    );
    expect(disagreements).toEqual([]);
    expect(expectationsMet).toBe(tests.reduce((n, t) => n + t.expectations.length, 0));
    expect(expectationsMet).toBeGreaterThan(730);
  });
});

describe('the official example invoices', () => {
  const examples = (folder: string) =>
    readdirSync(join(RULES_SOURCE_FOLDER, folder))
      .filter((f) => /\.xml$/i.test(f))
      .map((f) => [f, join(RULES_SOURCE_FOLDER, folder, f)] as const);

  it.each([
    ['ubl/examples', 'IN_DP_E1_UBL_INVOICE'],
    ['cii/examples', 'IN_DP_E1_CII_16B'],
  ] as const)('of %s break no fatal rule', async (folder, syntaxeFlux) => {
    const files = examples(folder);
    expect(files.length).toBeGreaterThan(10);
    const broken: string[] = [];
    for (const [name, path] of files) {
      const verdict = await checker.check(readFileSync(path), syntaxeFlux);
      expect(verdict.outcome, name).toBe('checked');
      if (verdict.errors.length > 0) broken.push(`${name}: ${verdict.errors.map((e) => e.rule).join(', ')}`);
    }
    expect(broken).toEqual([]);
  });
});
