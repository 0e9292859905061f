import { randomUUID } from 'node:crypto';
import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import type { NotificationEvent } from '../../alerts/events.js';
import { Invoice } from './invoice.js';
import { SupplierAccount } from './supplier-account.js';
import { stampNow } from '../clock.js';

/**
 * Something subscribers must hear about (an alert, a status change), written in the same transaction as the
 * change it tells of: an outbox. The `alerts` job fans it out to one delivery per matching subscription.
 * `dedupKey` names the transition, so a replayed job or a second sync never tells the same thing twice.
 */
@Entity({ tableName: 'notification' })
@Index({ name: 'notification_pending_index', properties: ['fannedOutAt', 'createdAt'] })
@Index({ name: 'notification_invoice_index', properties: ['invoice'] })
export class Notification {
  [OptionalProps]?: 'invoice' | 'createdAt' | 'fannedOutAt' | 'sequence';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => SupplierAccount, { ref: true, deleteRule: 'cascade' })
  supplier!: Ref<SupplierAccount>;

  @ManyToOne(() => Invoice, { ref: true, nullable: true, deleteRule: 'cascade' })
  invoice: Ref<Invoice> | null = null;

  @Property({ type: 'string', length: 48 })
  event!: NotificationEvent;

  @Property({ type: 'string', length: 200, unique: true })
  dedupKey!: string;

  /** 1, 2, 3... in the order the invoice's events happened (null for a supplier's own events): receivers sort by it. */
  @Property({ type: 'integer', nullable: true })
  sequence: number | null = null;

  /** The webhook body's `data` and what the e-mail says, fixed when the event happened (replays send the same). */
  @Property({ type: 'json' })
  payload!: Record<string, unknown>;

  @Property({ type: 'datetime', onCreate: stampNow })
  createdAt!: Date;

  /** Set once its deliveries exist. */
  @Property({ type: 'datetime', nullable: true })
  fannedOutAt: Date | null = null;
}
