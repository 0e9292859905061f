import { randomUUID } from 'node:crypto';
import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Invoice } from './invoice.js';
import { stampNow } from '../clock.js';

export const FOLLOW_UP_KINDS = ['recycle', 'complete', 'correct-validator'] as const;
export type FollowUpKind = (typeof FOLLOW_UP_KINDS)[number];

/**
 * - queued: stored, waiting for its job;
 * - sending: the call may have left; before calling again, the invoice's status at Chorus Pro tells whether it
 *   took effect (an A_RECYCLER or SUSPENDUE invoice that moved on was recycled or completed);
 * - done: Chorus Pro accepted it;
 * - failed: Chorus Pro refused it (the reason is in `error`), or it could not be sent.
 */
export const FOLLOW_UP_STATES = ['queued', 'sending', 'done', 'failed'] as const;
export type FollowUpState = (typeof FOLLOW_UP_STATES)[number];

export interface RecycleRequest {
  recipientSiret: string | null;
  serviceCode: string | null;
  engagementNumber: string | null;
  comment: string | null;
}

/** The validator the supplier should have named (ERREUR_FOURNISSEUR_SUR_VALIDEUR). */
export interface CorrectValidatorRequest {
  validatorSiret: string;
}

export interface CompleteRequest {
  comment: string;
  attachment: { name: string; mimeType: string; extension: string } | null;
}

/**
 * A supplier's answer to an invoice held at Chorus Pro: recycle it (A_RECYCLER), complete it (SUSPENDUE), or name its
 * right validator.
 */
@Entity({ tableName: 'follow_up' })
@Index({ name: 'follow_up_state_index', properties: ['state', 'updatedAt'] })
@Index({ name: 'follow_up_invoice_index', properties: ['invoice'] })
export class FollowUp {
  [OptionalProps]?:
    'state' | 'attachmentContent' | 'chorusAttachmentId' | 'error' | 'createdAt' | 'updatedAt' | 'version';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Invoice, { ref: true, deleteRule: 'restrict' })
  invoice!: Ref<Invoice>;

  @Property({ type: 'string', length: 32 })
  kind!: FollowUpKind;

  @Property({ type: 'json' })
  request!: RecycleRequest | CompleteRequest | CorrectValidatorRequest;

  /** The completion's attachment, sent once to Chorus Pro (`ajouter/fichier`), whose id is then kept. */
  @Property({ type: 'blob', lazy: true, nullable: true })
  attachmentContent: Buffer | null = null;

  @Property({ type: 'bigint', nullable: true })
  chorusAttachmentId: string | null = null;

  @Property({ type: 'string', length: 16 })
  state: FollowUpState = 'queued';

  @Property({ type: 'json', nullable: true })
  error: { code: string; message: string } | null = null;

  @Property({ type: 'datetime', onCreate: stampNow })
  createdAt!: Date;

  @Property({ type: 'datetime', onCreate: stampNow, onUpdate: stampNow })
  updatedAt!: Date;

  /**
   * Overlapping runs of one job (a lock lost to a Redis failover): the second writer fails instead of sending again.
   */
  @Property({ type: 'integer', version: true })
  version!: number;
}
