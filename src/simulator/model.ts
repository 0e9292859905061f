/**
 * The simulator's world as data: the seed (PISTE applications, technical accounts, structures and services),
 * and the fluxes, invoices and attachments that deposits create. Types only, and the seed's schema.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * Chorus Pro asks for a new technical-account password every 424 days (docs/chorus-pro-notes.md, "Reaching Chorus
 * Pro").
 */
export const PASSWORD_LIFETIME_DAYS = 424;

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const applicationSchema = z.object({
  clientId: z.string(),
  clientSecret: z.string(),
  apis: z.array(z.enum(['factures', 'structures', 'transverses', 'engagementsJuridiques'])),
});

export const accountSchema = z.object({
  login: z.string().min(1),
  password: z.string().min(1),
  role: z.enum(['supplier', 'recipient']).default('supplier'),
  structureSirets: z.array(z.string()),
  /**
   * The day the password stops working; without it, 424 days after `passwordChangedAt` (or after the simulator
   * started).
   */
  passwordExpiresAt: day.optional(),
  passwordChangedAt: day.optional(),
});

export const structureSchema = z.object({
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
  /** Legal engagements (EJ) this structure issued, for `engagementsJuridiques/v1/rechercher`. */
  engagements: z
    .array(z.object({ numero: z.string(), etat: z.string().default('COMMANDE'), montant: z.number().optional() }))
    .default([]),
});

export const seedSchema = z.object({
  applications: z.array(applicationSchema),
  accounts: z.array(accountSchema),
  structures: z.array(structureSchema),
});
export type Seed = z.infer<typeof seedSchema>;
export type SimAccount = Seed['accounts'][number];
export type SimStructure = Seed['structures'][number];
export type SimService = SimStructure['services'][number];

export const DEFAULT_SEED_PATH = new URL('./fixtures/structures.json', import.meta.url);

export function loadSeed(path: string | URL = DEFAULT_SEED_PATH): Seed {
  return seedSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

/** What the simulator read in a deposited invoice file: only what its rules and answers need. */
export interface SimInvoiceData {
  /** Where the data came from: a flux's XML, or soumettre's fields (a PDF read by OCR, or data alone). */
  syntax: 'UBL' | 'CII' | 'SOUMETTRE';
  number: string | null;
  issueDate: string | null;
  typeCode: string | null;
  supplierSiret: string | null;
  recipientSiret: string | null;
  serviceCode: string | null;
  engagementNumber: string | null;
  currency: string | null;
  amountWithoutVat: string | null;
  vatAmount: string | null;
  amountWithVat: string | null;
  /** The billing frame's prefix (A1, A4, A9...): soumettre's `codeCadreFacturation`, or a file's BT-23 */
  frame?: string | null;
  /** soumettre's `codeStructureValideur`: who validates a subcontractor's or co-contractor's invoice */
  validatorSiret?: string | null;
}

/** A status code: one of the Swagger's, or any other a fault or a newer Chorus Pro brings. */
export type StatusCode = string;

export interface HistoryEntry {
  id: number;
  code: StatusCode;
  at: number;
  comment: string | null;
}

/** A file uploaded with ajouter/fichier or deposer/pdf. */
export interface SimAttachment {
  login: string;
  name: string;
  size: number;
  /** deposer/pdf: what the OCR read, until soumettre makes an invoice of it. */
  reading?: SimInvoiceData;
}

export interface SimInvoice {
  id: number;
  number: string;
  /** Null for an invoice submitted with soumettre: it came in no flux. */
  fluxNumber: string | null;
  supplier: SimStructure;
  recipient: SimStructure;
  service: SimService | null;
  data: SimInvoiceData;
  depositedAt: number;
  status: StatusCode;
  statusAt: number;
  comment: string | null;
  history: HistoryEntry[];
  /** Statuses still to come, on the clock: routing, then what the recipient's scenario decides. */
  upcoming: Array<{ code: StatusCode; at: number; comment?: string | null }>;
  /** The attachment ids of its last `completer`. */
  completedWith?: number[];
  /** The additional attachments soumettre named. */
  attachedWith?: number[];
  /**
   * A subcontractor's or co-contractor's invoice waits for its validator (the main contractor) before it goes to
   * the buyer: A_VALIDER_1 until a decision, or until `deadline`, when silence counts as validation.
   */
  validation?: { validatorSiret: string; deadline: number; decidedAt?: number };
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

/** One file of a flux, read when it was deposited. */
export interface FluxFile {
  name: string;
  data?: SimInvoiceData;
  error?: string;
}

export interface SimFlux {
  number: string;
  login: string;
  fileName: string;
  syntaxeFlux: string;
  files: FluxFile[];
  depositedAt: number;
  /** Decided when the flux reaches its terminal state, in deposit order (duplicates depend on it). */
  outcome: {
    state: TerminalFluxState;
    erreursDP: ErreurDP[];
    erreursTechniques: ErreurTechnique[];
    invoiceIds: number[];
  } | null;
  /** Forced by fault injection. */
  forcedState: TerminalFluxState | null;
  /** Forced by fault injection: the flux never leaves this state (one outside the documented list, say). */
  stuckIn?: string;
}
