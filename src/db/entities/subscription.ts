import { randomUUID } from 'node:crypto';
import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import type { NotificationEvent } from '../../alerts/events.js';
import { SupplierAccount } from './supplier-account.js';
import { stampNow } from '../clock.js';

export const SUBSCRIPTION_CHANNELS = ['email', 'webhook'] as const;
export type SubscriptionChannel = (typeof SUBSCRIPTION_CHANNELS)[number];

/** Who hears about a supplier account's invoices, how, and about which events. */
@Entity({ tableName: 'subscription' })
@Index({ name: 'subscription_supplier_index', properties: ['supplier'] })
export class Subscription {
  [OptionalProps]?: 'emails' | 'url' | 'secretSealed' | 'active' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => SupplierAccount, { ref: true, deleteRule: 'cascade' })
  supplier!: Ref<SupplierAccount>;

  @Property({ type: 'string', length: 16 })
  channel!: SubscriptionChannel;

  /** E-mail channel: the recipients of each message. */
  @Property({ type: 'json' })
  emails: string[] = [];

  /** Webhook channel: where events are POSTed. */
  @Property({ type: 'text', nullable: true })
  url: string | null = null;

  /** Webhook channel: the signing secret, sealed with SecretBox; returned once, when the subscription is created. */
  @Property({ type: 'text', nullable: true, hidden: true })
  secretSealed: string | null = null;

  @Property({ type: 'json' })
  events!: NotificationEvent[];

  @Property({ type: 'boolean' })
  active: boolean = true;

  @Property({ type: 'datetime', onCreate: stampNow })
  createdAt!: Date;

  @Property({ type: 'datetime', onCreate: stampNow, onUpdate: stampNow })
  updatedAt!: Date;
}
