/**
 * The EN 16931 check, as the rest of the relay sees it: the official rules, run by SaxonJS in a pool of worker
 * threads (70 to 90 ms for a 4 KB invoice once warm: never on an event loop that serves requests). Without rules in
 * RULES_DIR the relay runs without the check and says so; rules installed while it runs are picked up at the next
 * file.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { SyntaxeFlux } from '../../../chorus/codes.js';
import type { FileLimits } from '../limits.js';
import type { RulesVerdict } from './findings.js';
import { readInstalledRules, rulesVersionStamp, type RulesLookup } from './rules-store.js';
import type { RulesTask } from './run-rules.js';

export interface RulesCheckSettings {
  /** RULES_DIR */
  dir: string;
  threads: number;
  timeoutMs: number;
  memoryMb: number;
}

export type RulesStatus = { on: true; release: string } | { on: false; reason: string };

export interface RulesChecker {
  status(): RulesStatus;
  /** The verdict on one file; throws RulesCheckError when the rules could not run on it (time, memory). */
  check(content: Buffer, syntaxeFlux: SyntaxeFlux): Promise<RulesVerdict>;
  close(): Promise<void>;
}

export class RulesCheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RulesCheckError';
  }
}

function workerFile(): string {
  const compiled = new URL('./rules-worker.js', import.meta.url);
  return existsSync(fileURLToPath(compiled)) ? compiled.href : new URL('./rules-worker-dev.mjs', import.meta.url).href;
}

/** What a file gets when no rules are installed: not checked, and why. */
export function uncheckedVerdict(reason: string): RulesVerdict {
  return {
    outcome: 'unavailable',
    release: null,
    syntax: null,
    profile: null,
    errors: [],
    warnings: [],
    note: {
      fr: `Les règles EN 16931 ne sont pas installées sur ce relais (${reason}) : la facture n’a pas été vérifiée.`,
      en: `The EN 16931 rules are not installed on this relay (${reason}): the invoice was not checked against them.`,
    },
  };
}

export function createRulesChecker(settings: RulesCheckSettings, fileLimits: FileLimits): RulesChecker {
  let lookup: RulesLookup = readInstalledRules(settings.dir);
  let stamp = rulesVersionStamp(settings.dir);
  // An installation made since (npm start installs in the background; an operator runs rules:install).
  const current = (): RulesLookup => {
    const now = rulesVersionStamp(settings.dir);
    if (now !== stamp) {
      stamp = now;
      lookup = readInstalledRules(settings.dir);
    }
    return lookup;
  };
  // The threads start with the first file: processes that never check one (the web process until a
  // POST /v1/invoices/validate) start none.
  let pool: Piscina<RulesTask, RulesVerdict> | null = null;
  const started = () =>
    (pool ??= new Piscina<RulesTask, RulesVerdict>({
      filename: workerFile(),
      minThreads: 1,
      maxThreads: settings.threads,
      idleTimeout: 5 * 60_000,
      resourceLimits: { maxOldGenerationSizeMb: settings.memoryMb },
    }));
  return {
    status() {
      const found = current();
      return 'rules' in found ? { on: true, release: found.rules.release } : { on: false, reason: found.missing };
    },
    async check(content, syntaxeFlux) {
      const found = current();
      if ('missing' in found) return uncheckedVerdict(found.missing);
      try {
        return await started().run(
          { content, syntaxeFlux, limits: fileLimits, release: found.rules.release, compiled: found.rules.compiled },
          { signal: AbortSignal.timeout(settings.timeoutMs) },
        );
      } catch (error) {
        const code = (error as { code?: string; name?: string }).code ?? (error as { name?: string }).name;
        if (code === 'ERR_WORKER_OUT_OF_MEMORY')
          throw new RulesCheckError(`the EN 16931 check needs more than ${settings.memoryMb} MB (EN16931_MEMORY_MB)`);
        if (code === 'AbortError' || code === 'TimeoutError')
          throw new RulesCheckError(`the EN 16931 check took more than ${settings.timeoutMs} ms (EN16931_TIMEOUT_MS)`);
        throw new RulesCheckError(
          `the EN 16931 rules could not read the file: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    },
    close: async () => {
      await pool?.destroy();
      pool = null;
    },
  };
}
