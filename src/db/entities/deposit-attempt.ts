import { BigIntType, Entity, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Invoice } from './invoice.js';
import { stampNow } from '../clock.js';

/**
 * One try at depositing an invoice, written before the call so that a crash leaves a trace:
 * - prepared: written, the request has certainly not left;
 * - sending: the request may have left; if the process dies here the outcome is unknown and must be looked up
 *   at Chorus Pro before depositing again;
 * - sent: Chorus Pro answered with a numeroFluxDepot;
 * - not_sent: the request surely never arrived (connection refused...);
 * - refused: Chorus Pro answered with an error;
 * - reconciled: the outcome was unknown and a look-up at Chorus Pro found the invoice.
 */
export const DEPOSIT_ATTEMPT_PHASES = ['prepared', 'sending', 'sent', 'not_sent', 'refused', 'reconciled'] as const;
export type DepositAttemptPhase = (typeof DEPOSIT_ATTEMPT_PHASES)[number];

@Entity({ tableName: 'deposit_attempt' })
@Unique({ name: 'deposit_attempt_invoice_number_unique', properties: ['invoice', 'number'] })
export class DepositAttempt {
  [OptionalProps]?: 'startedAt' | 'finishedAt' | 'fluxNumber' | 'error' | 'version';

  @PrimaryKey({ type: new BigIntType('string'), autoincrement: true })
  id!: string;

  @ManyToOne(() => Invoice, { ref: true, deleteRule: 'restrict' })
  invoice!: Ref<Invoice>;

  /** 1 for the first try of this invoice, 2 for the next... */
  @Property({ type: 'integer' })
  number!: number;

  @Property({ type: 'string', length: 16 })
  phase!: DepositAttemptPhase;

  @Property({ type: 'datetime', onCreate: stampNow })
  startedAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  finishedAt: Date | null = null;

  @Property({ type: 'string', length: 64, nullable: true })
  fluxNumber: string | null = null;

  @Property({ type: 'text', nullable: true })
  error: string | null = null;

  /**
   * Two runs of one deposit job can overlap when Redis loses the job's lock (a failover): the run that writes second
   * fails its flush instead of turning the other's `sending` back into `not_sent` and depositing again.
   */
  @Property({ type: 'integer', version: true })
  version!: number;
}
