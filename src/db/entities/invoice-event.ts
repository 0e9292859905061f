import { BigIntType, Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import type { InvoiceEventSource, InvoiceEventType } from '../../invoices/events.js';
import { Invoice } from './invoice.js';
import { stampNow } from '../clock.js';

/**
 * One line of an invoice's timeline. Append-only: a database trigger refuses updates and deletes,
 * because this is the record users rely on when they argue with a late payer.
 */
@Entity({ tableName: 'invoice_event' })
@Index({ name: 'invoice_event_invoice_at_index', properties: ['invoice', 'at'] })
export class InvoiceEvent {
  [OptionalProps]?: 'at' | 'details';

  @PrimaryKey({ type: new BigIntType('string'), autoincrement: true })
  id!: string;

  @ManyToOne(() => Invoice, { ref: true, deleteRule: 'restrict' })
  invoice!: Ref<Invoice>;

  @Property({ type: 'datetime', onCreate: stampNow })
  at!: Date;

  @Property({ type: 'string', length: 48 })
  type!: InvoiceEventType;

  @Property({ type: 'string', length: 16 })
  source!: InvoiceEventSource;

  /** A sentence a person can read in the timeline. */
  @Property({ type: 'text' })
  message!: string;

  @Property({ type: 'json', nullable: true })
  details: Record<string, unknown> | null = null;
}
