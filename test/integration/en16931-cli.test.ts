/**
 * `chorus-relay validate FILE...` in a child process, as a person runs it: the rules of RULES_DIR, no relay, no API
 * key; exit 0 when every file is valid, 1 when one breaks a fatal rule, 2 when one cannot be checked.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSample, generateSampleInvoice } from '../../scripts/lib/sample-invoices.js';
import { ROOT } from '../helpers/processes.js';
import { TEST_RULES_DIR } from '../helpers/rules.js';

let dir: string;
const sample = demoSample('F2026-CLI-1');
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'chorus-relay-validate-'));
  writeFileSync(join(dir, 'valid.xml'), await generateSampleInvoice(sample, 'UBL'));
  writeFileSync(join(dir, 'facturx.pdf'), await generateSampleInvoice(sample, 'Factur-X'));
  const cii = (await generateSampleInvoice(sample, 'CII')).toString('utf8');
  writeFileSync(join(dir, 'broken.xml'), cii.replace('<ram:GrandTotalAmount>1200.00', '<ram:GrandTotalAmount>1250.00'));
  writeFileSync(join(dir, 'notes.txt'), 'not an invoice');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function validate(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), resolve(ROOT, 'scripts/chorus-relay.ts'), 'validate', ...args],
      {
        cwd: dir,
        timeout: 120_000,
        env: {
          PATH: process.env.PATH ?? '',
          TSX_TSCONFIG_PATH: resolve(ROOT, 'tsconfig.json'),
          RULES_DIR: TEST_RULES_DIR,
        },
      },
      (error, stdout, stderr) =>
        done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

describe('chorus-relay validate', () => {
  it('exits 0 for valid UBL and Factur-X files, without a relay or an API key', async () => {
    const { code, stdout, stderr } = await validate('valid.xml', 'facturx.pdf');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^valid\.xml: valid \(EN 16931 rules 1\.3\.16, UBL\)/m);
    expect(stdout).toMatch(/^facturx\.pdf: valid \(EN 16931 rules 1\.3\.16, CII, profile extended\)/m);
  });

  it('exits 1 for a file that breaks BR-CO-15, naming the rule, the field, where and what to do', async () => {
    const { code, stdout } = await validate('valid.xml', 'broken.xml');
    expect(code).toBe(1);
    expect(stdout).toMatch(/^broken\.xml: invalid, 2 rules broken/m);
    expect(stdout).toMatch(/error {3}BR-CO-15 \(amountWithVat\): Invoice total amount with VAT \(BT-112\)/);
    expect(stdout).toMatch(/at \/CrossIndustryInvoice/);
    expect(stdout).toMatch(/what to do: Correct the file so that BR-CO-/);
  });

  it('exits 2 for a file it cannot check, and answers JSON with --json', async () => {
    const { code, stdout } = await validate('--json', 'notes.txt', 'valid.xml');
    expect(code).toBe(2);
    const verdicts = JSON.parse(stdout) as Array<{ file: string; result: string; problem: string | null }>;
    expect(verdicts.map((v) => [v.file, v.result])).toEqual([
      ['notes.txt', 'unchecked'],
      ['valid.xml', 'valid'],
    ]);
    expect(verdicts[0]!.problem).toBe('neither a Factur-X PDF nor a UBL or CII invoice');
  });

  it('exits 2 when no rules are installed, saying how to install them', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'chorus-relay-no-rules-'));
    try {
      const result = await new Promise<{ code: number; stderr: string }>((done) => {
        execFile(
          process.execPath,
          ['--import', import.meta.resolve('tsx'), resolve(ROOT, 'scripts/chorus-relay.ts'), 'validate', 'valid.xml'],
          {
            cwd: dir,
            env: { PATH: process.env.PATH ?? '', TSX_TSCONFIG_PATH: resolve(ROOT, 'tsconfig.json'), RULES_DIR: empty },
          },
          (error, _stdout, stderr) =>
            done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stderr }),
        );
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/no EN 16931 rules in .*: install them with npm run rules:install/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
