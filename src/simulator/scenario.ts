/**
 * A scenario file (`SIMULATOR_SCENARIO=path`): the world a demo, a test or a user wants Chorus Pro to be.
 * Structures, accounts and applications are added to the base seed (replacing those with the same SIRET,
 * login or client id); each recipient's decisions say which status it applies and how long after
 * MISE_A_DISPOSITION (MISE_A_DISPOSITION_MOE for a works document), for which frames; faults, variants and timing are
 * the simulator's own settings. See scenarios/.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { DecisionBook, EngineTiming } from './engine.js';
import { faultSettingsSchema, type FaultSettings } from './faults.js';
import { accountSchema, applicationSchema, loadSeed, structureSchema, type Seed } from './model.js';
import { variantsSchema, type Variants } from './variants.js';

const decisionSchema = z.strictObject({
  /** Any status code; the recipient's usual ones are SUSPENDUE, REJETEE, A_RECYCLER, MANDATEE, MISE_EN_PAIEMENT. */
  status: z.string().regex(/^[A-Z0-9_]+$/),
  afterSeconds: z.number().nonnegative(),
  /** The recipient's comment (motif), shown to the supplier. */
  reason: z.string().optional(),
  /** Only invoices whose number matches this regular expression. */
  numberPattern: z.string().optional(),
  /** Only documents of these billing frames (A1 when the file names none), e.g. ["A4"] for monthly drafts. */
  frames: z.array(z.string().regex(/^A\d{1,2}$/)).optional(),
});
export type Decision = z.infer<typeof decisionSchema>;

export const scenarioSchema = z.strictObject({
  $comment: z.string().optional(),
  description: z.string().default(''),
  applications: z.array(applicationSchema).default([]),
  accounts: z.array(accountSchema).default([]),
  structures: z.array(structureSchema).default([]),
  /** By recipient SIRET: its decisions for every invoice, or by service code ('*' for the others). */
  recipients: z
    .record(z.string(), z.union([z.array(decisionSchema), z.record(z.string(), z.array(decisionSchema))]))
    .default({}),
  faults: faultSettingsSchema.partial().optional(),
  variants: variantsSchema.partial().optional(),
  timing: z
    .strictObject({
      fluxStepMs: z.number().int().positive(),
      invoiceStepMs: z.number().int().positive(),
      validationDelayMs: z.number().int().positive(),
    })
    .partial()
    .optional(),
});
export type ScenarioFile = z.input<typeof scenarioSchema>;

export interface Scenario {
  description: string;
  seed: Seed;
  decisions: DecisionBook;
  faults: Partial<FaultSettings>;
  variants: Partial<Variants>;
  timing: Partial<EngineTiming>;
}

/** Leaves out the keys a partial schema parsed as undefined (exactOptionalPropertyTypes). */
function defined<T extends object>(value: T | undefined): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

function merge<T>(base: T[], added: T[], key: (item: T) => string): T[] {
  const keys = new Set(added.map(key));
  return [...base.filter((item) => !keys.has(key(item))), ...added];
}

/** A scenario from its JSON content, over a base seed (the simulator's fixtures by default). */
function scenarioFrom(content: unknown, base: Seed = loadSeed()): Scenario {
  const s = scenarioSchema.parse(content);
  const decisions: DecisionBook = Object.fromEntries(
    Object.entries(s.recipients).map(([siret, d]) => [siret, Array.isArray(d) ? { '*': d } : d]),
  );
  return {
    description: s.description,
    seed: {
      applications: merge(base.applications, s.applications, (a) => a.clientId),
      accounts: merge(base.accounts, s.accounts, (a) => a.login),
      structures: merge(base.structures, s.structures, (x) => x.siret),
    },
    decisions,
    faults: defined(s.faults),
    variants: defined(s.variants),
    timing: defined(s.timing),
  };
}

export function loadScenario(path: string): Scenario {
  let content: unknown;
  try {
    content = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`Cannot read the simulator scenario ${path}: ${(error as Error).message}`, { cause: error });
  }
  const parsed = scenarioSchema.safeParse(content);
  if (!parsed.success)
    throw new Error(
      `The simulator scenario ${path} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return scenarioFrom(content);
}
