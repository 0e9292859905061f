import { randomUUID } from 'node:crypto';
import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Notification } from './notification.js';
import { Subscription, type SubscriptionChannel } from './subscription.js';
import { stampNow } from '../clock.js';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One notification sent to one subscription: the delivery log. `sequence` is 0 for the first delivery and
 * grows with each replay an operator asks for.
 */
@Entity({ tableName: 'delivery' })
@Unique({
  name: 'delivery_notification_subscription_sequence_unique',
  properties: ['notification', 'subscription', 'sequence'],
})
@Index({ name: 'delivery_subscription_created_index', properties: ['subscription', 'createdAt'] })
@Index({ name: 'delivery_status_index', properties: ['status', 'updatedAt'] })
export class Delivery {
  [OptionalProps]?:
    | 'sequence'
    | 'status'
    | 'attempts'
    | 'lastAttemptAt'
    | 'deliveredAt'
    | 'responseStatus'
    | 'lastError'
    | 'createdAt'
    | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Notification, { ref: true, deleteRule: 'cascade' })
  notification!: Ref<Notification>;

  @ManyToOne(() => Subscription, { ref: true, deleteRule: 'cascade' })
  subscription!: Ref<Subscription>;

  @Property({ type: 'string', length: 16 })
  channel!: SubscriptionChannel;

  @Property({ type: 'integer' })
  sequence: number = 0;

  @Property({ type: 'string', length: 16 })
  status: DeliveryStatus = 'pending';

  @Property({ type: 'integer' })
  attempts: number = 0;

  @Property({ type: 'datetime', nullable: true })
  lastAttemptAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  deliveredAt: Date | null = null;

  /** Webhooks: the HTTP status of the last answer. */
  @Property({ type: 'integer', nullable: true })
  responseStatus: number | null = null;

  @Property({ type: 'text', nullable: true })
  lastError: string | null = null;

  @Property({ type: 'datetime', onCreate: stampNow })
  createdAt!: Date;

  @Property({ type: 'datetime', onCreate: stampNow, onUpdate: stampNow })
  updatedAt!: Date;
}
