/**
 * `chorus-relay validate FILE...`: each invoice file against the official EN 16931 rules, on this machine (the rules
 * in RULES_DIR, as the relay's pre-check runs them), without calling the relay. The syntax is read from the file: a
 * PDF is taken as Factur-X, an XML as UBL or CII by its root element.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { SyntaxeFlux } from '../../src/chorus/codes.js';
import { loadRulesConfig } from '../../src/config.js';
import type { RuleFinding, RulesVerdict } from '../../src/invoices/einvoice/en16931/findings.js';
import { createRulesChecker, RulesCheckError } from '../../src/invoices/einvoice/en16931/rules-checker.js';
import { isPdf } from '../../src/invoices/einvoice/inspect.js';
import { DEFAULT_FILE_LIMITS } from '../../src/invoices/einvoice/limits.js';

export interface FileVerdict {
  file: string;
  /** `valid`, `invalid` (a fatal rule broken), or `unchecked` (the rules could not run on it, or do not apply). */
  result: 'valid' | 'invalid' | 'unchecked';
  verdict: RulesVerdict | null;
  problem: string | null;
}

/** The flow a file would be deposited in, from its first bytes; null when it is neither a PDF nor UBL nor CII. */
export function syntaxeFluxOf(content: Buffer): SyntaxeFlux | null {
  if (isPdf(content)) return 'IN_DP_E2_CII_FACTURX';
  const head = content
    .subarray(0, 4096)
    .toString('utf8')
    .replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->/g, '');
  const root = /<(?:[\w.-]+:)?(Invoice|CreditNote|CrossIndustryInvoice)[\s>/]/.exec(head)?.[1];
  if (!root) return null;
  return root === 'CrossIndustryInvoice' ? 'IN_DP_E1_CII_16B' : 'IN_DP_E1_UBL_INVOICE';
}

export async function validateFiles(files: string[], env: NodeJS.ProcessEnv): Promise<FileVerdict[]> {
  const rules = loadRulesConfig(env);
  const checker = createRulesChecker(
    { dir: rules.dir, threads: 2, timeoutMs: 60_000, memoryMb: 512 },
    DEFAULT_FILE_LIMITS,
  );
  try {
    const status = checker.status();
    if (!status.on) throw new Error(`${status.reason}: install them with npm run rules:install`);
    return await Promise.all(
      files.map(async (file): Promise<FileVerdict> => {
        let content: Buffer;
        try {
          content = readFileSync(file);
        } catch (error) {
          return { file, result: 'unchecked', verdict: null, problem: (error as Error).message };
        }
        const syntaxeFlux = syntaxeFluxOf(content);
        if (!syntaxeFlux)
          return {
            file,
            result: 'unchecked',
            verdict: null,
            problem: 'neither a Factur-X PDF nor a UBL or CII invoice',
          };
        try {
          const verdict = await checker.check(content, syntaxeFlux);
          const result = verdict.outcome !== 'checked' ? 'unchecked' : verdict.errors.length > 0 ? 'invalid' : 'valid';
          return { file, result, verdict, problem: verdict.note?.en ?? null };
        } catch (error) {
          if (!(error instanceof RulesCheckError)) throw error;
          return { file, result: 'unchecked', verdict: null, problem: error.message };
        }
      }),
    );
  } finally {
    await checker.close();
  }
}

const line = (f: RuleFinding) =>
  `  ${f.severity === 'fatal' ? 'error  ' : 'warning'} ${f.rule}${f.field ? ` (${f.field})` : ''}: ${f.message}\n           at ${f.location}`;

export function verdictText(verdicts: FileVerdict[]): string {
  return verdicts
    .map(({ file, result, verdict, problem }) => {
      const name = basename(file);
      if (result === 'unchecked') return `${name}: not checked: ${problem}`;
      const v = verdict!;
      const head = `${name}: ${result === 'valid' ? 'valid' : `invalid, ${v.errors.length} rule${v.errors.length === 1 ? '' : 's'} broken`} (EN 16931 rules ${v.release}, ${v.syntax}${v.profile ? `, profile ${v.profile}` : ''})${v.warnings.length > 0 ? `, ${v.warnings.length} warning${v.warnings.length === 1 ? '' : 's'}` : ''}`;
      const fixes = v.errors.length > 0 ? [`  what to do: ${v.errors[0]!.fix.en}`] : [];
      return [head, ...[...v.errors, ...v.warnings].map(line), ...fixes].join('\n');
    })
    .join('\n');
}

/** 0 every file valid, 1 one is invalid, 2 one could not be checked. */
export function exitCodeOf(verdicts: FileVerdict[]): number {
  if (verdicts.some((v) => v.result === 'unchecked')) return 2;
  return verdicts.some((v) => v.result === 'invalid') ? 1 : 0;
}
