import { randomUUID } from 'node:crypto';
import {
  BigIntType,
  Entity,
  Index,
  ManyToOne,
  OptionalProps,
  PrimaryKey,
  Property,
  Unique,
  type Ref,
} from '@mikro-orm/core';
import { SupplierAccount } from './supplier-account.js';
import { stampNow } from '../clock.js';

/**
 * Where a subcontractor's or co-contractor's invoice stands for its validator:
 * - pending: waiting for the validator's decision (A_VALIDER_1/2);
 * - approved / refused: the validator decided (VALIDEE_n / REFUSEE_n);
 * - tacitly_approved: the deadline passed in silence (ABSENCE_VALIDATION_n_HORS_DELAI);
 * - wrong_validator: the supplier named the wrong validator (ERREUR_*_SUR_VALIDEUR): the supplier must correct it.
 */
export const VALIDATION_STAGES = ['pending', 'approved', 'refused', 'tacitly_approved', 'wrong_validator'] as const;
export type ValidationStage = (typeof VALIDATION_STAGES)[number];

/** The decision asked through the API, sent once like a deposit: queued, sending (may have left), done, failed. */
export const DECISION_STATES = ['queued', 'sending', 'done', 'failed'] as const;
export type DecisionState = (typeof DECISION_STATES)[number];

export interface ValidationDecision {
  /** Its job's id. */
  id: string;
  action: 'approve' | 'refuse';
  /** The refusal's reason (`motifRefus`), or the approval's optional comment. */
  text: string | null;
  requestedAt: string;
}

export interface ValidationEvent {
  at: string;
  type: string;
  message: string;
}

/** An invoice in a validator's inbox: one row per validator account and Chorus Pro invoice. */
@Entity({ tableName: 'validation' })
@Unique({ name: 'validation_validator_invoice_unique', properties: ['validator', 'chorusInvoiceId'] })
@Index({ name: 'validation_stage_deadline_index', properties: ['stage', 'deadline'] })
export class Validation {
  [OptionalProps]?:
    | 'supplierName'
    | 'recipientName'
    | 'serviceCode'
    | 'marketNumber'
    | 'engagementNumber'
    | 'frame'
    | 'amountWithVat'
    | 'amountToPay'
    | 'issueDate'
    | 'depositedAt'
    | 'stage'
    | 'decision'
    | 'decisionState'
    | 'decisionError'
    | 'remindersSent'
    | 'timeline'
    | 'createdAt'
    | 'updatedAt'
    | 'version';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** The account whose inbox holds it: the main contractor (or the co-contractor) that validates. */
  @ManyToOne(() => SupplierAccount, { ref: true, deleteRule: 'restrict' })
  validator!: Ref<SupplierAccount>;

  @Property({ type: new BigIntType('string') })
  chorusInvoiceId!: string;

  @Property({ type: 'string', length: 64 })
  invoiceNumber!: string;

  @Property({ type: 'string', length: 14, nullable: true })
  supplierSiret: string | null = null;

  @Property({ type: 'text', nullable: true })
  supplierName: string | null = null;

  @Property({ type: 'string', length: 14, nullable: true })
  recipientSiret: string | null = null;

  @Property({ type: 'text', nullable: true })
  recipientName: string | null = null;

  @Property({ type: 'string', length: 100, nullable: true })
  serviceCode: string | null = null;

  @Property({ type: 'string', length: 50, nullable: true })
  marketNumber: string | null = null;

  @Property({ type: 'string', length: 50, nullable: true })
  engagementNumber: string | null = null;

  /** Chorus's frame code, e.g. A9_FACTURE_SOUSTRAITANT */
  @Property({ type: 'string', length: 64, nullable: true })
  frame: string | null = null;

  @Property({ type: 'decimal', precision: 15, scale: 2, nullable: true })
  amountWithVat: string | null = null;

  @Property({ type: 'decimal', precision: 15, scale: 2, nullable: true })
  amountToPay: string | null = null;

  @Property({ type: 'string', length: 10, nullable: true })
  issueDate: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  depositedAt: Date | null = null;

  /** The raw Chorus status as last seen (A_VALIDER_1, VALIDEE_1...). */
  @Property({ type: 'string', length: 64 })
  chorusStatus!: string;

  @Property({ type: 'string', length: 20 })
  stage: ValidationStage = 'pending';

  /** When silence counts as validation: the deposit plus the validation delay (15 days). */
  @Property({ type: 'datetime' })
  deadline!: Date;

  @Property({ type: 'json', nullable: true })
  decision: ValidationDecision | null = null;

  @Property({ type: 'string', length: 16, nullable: true })
  decisionState: DecisionState | null = null;

  @Property({ type: 'json', nullable: true })
  decisionError: { code: string; message: string } | null = null;

  /** The reminders already sent (`5d`, `1d`), so each goes once. */
  @Property({ type: 'json' })
  remindersSent: string[] = [];

  @Property({ type: 'json' })
  timeline: ValidationEvent[] = [];

  @Property({ type: 'datetime', onCreate: stampNow })
  createdAt!: Date;

  @Property({ type: 'datetime', onCreate: stampNow, onUpdate: stampNow })
  updatedAt!: Date;

  /**
   * The inbox sync, the reminders and the decision job each read, change and write the row (its timeline is one
   * JSON value): a write over a newer version fails instead of losing the other's lines, and its job runs again.
   */
  @Property({ type: 'integer', version: true })
  version!: number;
}
