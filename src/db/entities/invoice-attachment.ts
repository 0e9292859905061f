import { BigIntType, Entity, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Invoice } from './invoice.js';

/**
 * A supporting document sent with an invoice deposited without a flux (pdf, data): `ajouter/fichier`, then named by
 * soumettre.
 */
@Entity({ tableName: 'invoice_attachment' })
@Unique({ name: 'invoice_attachment_position_unique', properties: ['invoice', 'position'] })
export class InvoiceAttachment {
  [OptionalProps]?: 'chorusAttachmentId';

  @PrimaryKey({ type: new BigIntType('string'), autoincrement: true })
  id!: string;

  @ManyToOne(() => Invoice, { ref: true, deleteRule: 'cascade' })
  invoice!: Ref<Invoice>;

  @Property({ type: 'integer' })
  position!: number;

  @Property({ type: 'string', length: 200 })
  name!: string;

  @Property({ type: 'string', length: 100 })
  mimeType!: string;

  @Property({ type: 'blob', lazy: true })
  content!: Buffer;

  /** The `pieceJointeId` Chorus Pro gave it, once uploaded: it is never uploaded twice for the same deposit. */
  @Property({ type: 'string', length: 32, nullable: true })
  chorusAttachmentId: string | null = null;
}
