/** Subscriptions per supplier account, the delivery log, and replays. */
import type { EntityManager } from '@mikro-orm/postgresql';
import { SEALED_AT } from '../shared/secret-box.js';
import type { Scope } from '../access/roles.js';
import type { SecretBox } from '../shared/secret-box.js';
import { Delivery } from '../db/entities/delivery.js';
import { Subscription } from '../db/entities/subscription.js';
import type { SupplierAccount } from '../db/entities/supplier-account.js';
import { registeredSupplier } from '../suppliers/accounts.js';
import { DomainError } from '../shared/domain-error.js';
import { ALERT_EVENTS, type NotificationEvent } from './events.js';
import { newWebhookSecret } from './webhook-signature.js';

export type SubscriptionInput =
  | { supplierSiret: string; channel: 'email'; emails: string[]; events?: NotificationEvent[] | undefined }
  | {
      supplierSiret: string;
      channel: 'webhook';
      url: string;
      secret?: string | undefined;
      events?: NotificationEvent[] | undefined;
    };

/** Returns the new subscription and, for a webhook, its signing secret in clear: the only time it is shown. */
export async function createSubscription(
  em: EntityManager,
  box: SecretBox,
  input: SubscriptionInput,
): Promise<{ subscription: Subscription; supplier: SupplierAccount; secret?: string }> {
  const supplier = await registeredSupplier(em, input.supplierSiret);
  const events = [...new Set(input.events ?? ALERT_EVENTS)];
  if (input.channel === 'email') {
    const subscription = em.create(Subscription, {
      supplier,
      channel: 'email',
      emails: [...new Set(input.emails.map((e) => e.toLowerCase()))],
      events,
    });
    await em.flush();
    return { subscription, supplier };
  }
  const secret = input.secret ?? newWebhookSecret();
  const subscription = em.create(Subscription, { supplier, channel: 'webhook', url: input.url, events });
  subscription.secretSealed = box.seal(secret, SEALED_AT.webhookSecret(subscription.id));
  await em.flush();
  return { subscription, supplier, secret };
}

export async function listSubscriptions(
  em: EntityManager,
  supplierSiret?: string,
  scope: Scope = null,
): Promise<Subscription[]> {
  // Within the caller's scope only: a SIRET outside it lists nothing, as one without subscriptions.
  const siret =
    scope === null ? supplierSiret : { $in: supplierSiret ? scope.filter((s) => s === supplierSiret) : [...scope] };
  return em.find(Subscription, siret === undefined ? {} : { supplier: { siret } }, {
    populate: ['supplier'],
    orderBy: { createdAt: 'asc' },
  });
}

async function subscriptionById(em: EntityManager, id: string): Promise<Subscription> {
  const subscription = await em.findOne(Subscription, id, { populate: ['supplier'] });
  if (!subscription) throw new DomainError('not-found', 'SUBSCRIPTION_NOT_FOUND', `No subscription has the id ${id}.`);
  return subscription;
}

/** Stops deliveries to it; the delivery log stays. */
export async function deactivateSubscription(em: EntityManager, id: string): Promise<Subscription> {
  const subscription = await subscriptionById(em, id);
  subscription.active = false;
  await em.flush();
  return subscription;
}

/** The delivery log of a subscription, newest first. */
export async function deliveriesOf(em: EntityManager, subscriptionId: string, limit: number): Promise<Delivery[]> {
  const subscription = await subscriptionById(em, subscriptionId);
  return em.find(
    Delivery,
    { subscription },
    { populate: ['notification'], orderBy: { createdAt: 'desc', sequence: 'desc' }, limit },
  );
}

/** A new delivery of the same notification to the same subscription (same event id, so receivers can dedupe). */
export async function replayDelivery(em: EntityManager, deliveryId: string): Promise<Delivery> {
  return em.transactional(async (tx) => {
    const original = await tx.findOne(Delivery, deliveryId, { populate: ['notification', 'subscription'] });
    if (!original) throw new DomainError('not-found', 'DELIVERY_NOT_FOUND', `No delivery has the id ${deliveryId}.`);
    if (!original.subscription.getEntity().active)
      throw new DomainError(
        'conflict',
        'SUBSCRIPTION_INACTIVE',
        'The subscription of this delivery was deactivated; nothing is sent to it any more.',
      );
    const last = await tx.findOne(
      Delivery,
      { notification: original.notification, subscription: original.subscription },
      { orderBy: { sequence: 'desc' } },
    );
    return tx.create(Delivery, {
      notification: original.notification,
      subscription: original.subscription,
      channel: original.channel,
      sequence: (last?.sequence ?? 0) + 1,
    });
  });
}
