/**
 * The simulator's world: seed data (applications, technical accounts, structures and services), deposited
 * fluxes and the invoices they produced, on a clock tests can move forward.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { InvoiceStatus } from '../chorus/statuses.js';
import type { EInvoiceData } from '../invoices/einvoice/read-invoice.js';

const seedSchema = z.object({
  applications: z.array(z.object({ clientId: z.string(), clientSecret: z.string(), apis: z.array(z.enum(['factures', 'structures', 'transverses'])) })),
  accounts: z.array(
    z.object({
      login: z.string(),
      password: z.string(),
      role: z.enum(['supplier', 'recipient']),
      structureSirets: z.array(z.string()),
      /** A technical account whose password expired is refused like a wrong password. */
      passwordExpiresAt: z.string(),
    }),
  ),
  structures: z.array(
    z.object({
      idStructureCPP: z.number().int(),
      siret: z.string(),
      designation: z.string(),
      type: z.enum(['PUBLIQUE', 'PRIVEE']),
      active: z.boolean(),
      flags: z.object({
        codeServiceDoitEtreRenseigne: z.boolean().default(false),
        numeroEJDoitEtreRenseigne: z.boolean().default(false),
        gestionNumeroEJOuCodeService: z.boolean().default(false),
        statutMiseEnPaiementNestPasRemonte: z.boolean().default(false),
      }),
      services: z.array(
        z.object({
          idService: z.number().int(),
          codeService: z.string(),
          libelle: z.string(),
          active: z.boolean(),
          numeroEngagement: z.boolean().default(false),
        }),
      ),
    }),
  ),
});
export type Seed = z.infer<typeof seedSchema>;
export type SimApplication = Seed['applications'][number];
export type SimAccount = Seed['accounts'][number];
export type SimStructure = Seed['structures'][number];
export type SimService = SimStructure['services'][number];

export const DEFAULT_SEED_PATH = new URL('./fixtures/structures.json', import.meta.url);

export function loadSeed(path: string | URL = DEFAULT_SEED_PATH): Seed {
  return seedSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

/** Wall clock plus an offset that tests move forward: no sleeping in tests. */
export class SimClock {
  #offsetMs = 0;
  now(): number {
    return Date.now() + this.#offsetMs;
  }
  advance(ms: number): void {
    this.#offsetMs += ms;
  }
}

export interface HistoryEntry {
  id: number;
  code: InvoiceStatus;
  at: number;
  comment: string | null;
}

export interface SimInvoice {
  id: number;
  number: string;
  fluxNumber: string;
  supplier: SimStructure;
  recipient: SimStructure;
  service: SimService | null;
  data: EInvoiceData;
  depositedAt: number;
  status: InvoiceStatus;
  statusAt: number;
  comment: string | null;
  history: HistoryEntry[];
  /** The automatic routing steps still to come (DEPOSEE → EN_COURS_ACHEMINEMENT → MISE_A_DISPOSITION). */
  upcoming: Array<{ code: InvoiceStatus; at: number }>;
  /** The attachment ids of its last `completer`. */
  completedWith?: number[];
}

export interface ErreurDP {
  identifiantFournisseur: string;
  identifiantDestinataire: string;
  numeroDP: string;
  libelleErreurDP: string;
}
export interface ErreurTechnique {
  codeErreur: string;
  libelleErreur: string;
  natureErreur: string;
}

export type TerminalFluxState = 'IN_INTEGRE' | 'IN_INTEGRE_PARTIEL' | 'IN_REJETE' | 'IN_INCIDENTE';

export interface SimFlux {
  number: string;
  login: string;
  fileName: string;
  syntaxeFlux: string;
  content: Buffer;
  depositedAt: number;
  /** Decided when the flux reaches its terminal state, in deposit order (duplicates depend on it). */
  outcome: { state: TerminalFluxState; erreursDP: ErreurDP[]; erreursTechniques: ErreurTechnique[]; invoiceIds: number[] } | null;
  /** Forced by fault injection. */
  forcedState: TerminalFluxState | null;
  /** Forced by fault injection: the flux never leaves this state. */
  stuckIn?: string;
}
