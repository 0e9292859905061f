/**
 * `deliveries` jobs: send one notification to one subscription, by e-mail or webhook, and log the outcome on the
 * delivery row. Failures are retried by BullMQ with backoff; after the last attempt the delivery is `failed` and
 * an operator can retry its job in Bull Board, or replay it (POST /v1/deliveries/{id}/replay, a new delivery).
 * A delivery already `delivered` is never sent again by its job.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Job } from 'bullmq';
import { SEALED_AT } from '../../src/shared/secret-box.js';
import { DeliveryError, displayUrl, sendWebhook, type EmailChannel } from '../../src/alerts/channels.js';
import { emailFor } from '../../src/alerts/messages.js';
import type { AppContext } from '../../src/context.js';
import { Delivery } from '../../src/db/entities/delivery.js';
import type { Notification } from '../../src/db/entities/notification.js';
import { record } from '../../src/invoices/lifecycle.js';
import { isLastAttempt, postpone } from '../../src/queues/failure-policy.js';
import type { JobPayloads } from '../../src/queues/jobs.js';
import { systemClock } from '../../src/shared/clock.js';

/**
 * How soon a delivery that waits for an earlier event of the same invoice looks again: at once at first, then less
 * often (the earlier one may be retrying a receiver that is down for hours).
 */
const inOrderWaitMs = (looks: number) => Math.min(60_000, 250 * 2 ** Math.min(looks, 8));

/**
 * Whether an earlier event of the same invoice is still on its way to the same subscription: the events of one invoice
 * leave in their order (a receiver that was down gets them in that order too, once it answers).
 */
async function earlierStillPending(
  em: EntityManager,
  delivery: Delivery,
  notification: Notification,
): Promise<boolean> {
  if (notification.invoice === null || notification.sequence === null) return false;
  const earlier = await em.count(Delivery, {
    subscription: delivery.subscription,
    status: 'pending',
    id: { $ne: delivery.id },
    notification: { invoice: notification.invoice, sequence: { $lt: notification.sequence } },
  });
  return earlier > 0;
}

export function makeDeliveriesProcessor(deps: AppContext & { email: EmailChannel }) {
  return async (
    job: Job<JobPayloads['deliveries']>,
    token?: string,
  ): Promise<{ status: string; responseStatus?: number }> => {
    const em = deps.orm.em.fork();
    const delivery = await em.findOne(Delivery, job.data.deliveryId, {
      populate: ['notification', 'notification.invoice', 'subscription'],
    });
    if (!delivery || delivery.status === 'delivered') return { status: delivery?.status ?? 'gone' };
    // A `failed` delivery runs again only when an operator retried its failed job (Bull Board): send it again.
    if (delivery.status === 'failed') delivery.status = 'pending';
    const notification = delivery.notification.getEntity();
    const subscription = delivery.subscription.getEntity();
    if (await earlierStillPending(em, delivery, notification)) {
      await job.log(`waiting for event ${notification.sequence! - 1} of this invoice to leave first`).catch(() => 0);
      return postpone(job, token, inOrderWaitMs(job.attemptsStarted));
    }
    delivery.attempts += 1;
    delivery.lastAttemptAt = deps.clock.now();
    let sentTo: string;
    try {
      if (delivery.channel === 'email') {
        const message = emailFor(notification, deps.config.alerts.publicUrl);
        await deps.email.send(subscription.emails, message, {
          'X-Chorus-Relay-Event': notification.event,
          'X-Chorus-Relay-Delivery': delivery.id,
        });
        sentTo = `e-mail to ${subscription.emails.join(', ')}`;
      } else {
        if (!subscription.url || !subscription.secretSealed)
          throw new DeliveryError('The subscription has no webhook URL or secret.');
        const body = JSON.stringify({
          id: notification.id,
          type: notification.event,
          // The event's number in its invoice's story: a receiver puts the events of one invoice back in order by it.
          sequence: notification.sequence,
          createdAt: notification.createdAt.toISOString(),
          data: notification.payload,
        });
        delivery.responseStatus = await sendWebhook({
          url: subscription.url,
          secret: deps.secretBox.open(subscription.secretSealed, SEALED_AT.webhookSecret(subscription.id)),
          event: notification.event,
          deliveryId: delivery.id,
          body,
          timeoutMs: deps.config.alerts.webhookTimeoutMs,
          // The wall clock, not the relay's: the receiver checks the signature's time against its own.
          nowSeconds: Math.floor(systemClock.now().getTime() / 1000),
          allowPrivate: deps.config.alerts.webhookAllowPrivateNetworks,
        });
        sentTo = `webhook ${displayUrl(subscription.url)} (HTTP ${delivery.responseStatus})`;
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      delivery.lastError = message;
      if (error instanceof DeliveryError) delivery.responseStatus = error.responseStatus;
      if (isLastAttempt(job)) delivery.status = 'failed';
      await em.flush();
      await job.log(`attempt ${delivery.attempts}: ${message}`);
      throw error;
    }
    delivery.status = 'delivered';
    delivery.deliveredAt = deps.clock.now();
    delivery.lastError = null;
    const invoice = notification.invoice?.getEntity();
    // The timeline shows the alerts sent; every status change is already a line of its own.
    if (invoice && notification.event !== 'invoice.status_changed') {
      record(em, invoice, 'alert-sent', 'worker', {
        message: `Alert ${notification.event} sent: ${sentTo}.`,
        details: { deliveryId: delivery.id, notificationId: notification.id, channel: delivery.channel },
      });
    }
    await em.flush();
    await job.log(`delivered: ${sentTo}`);
    return { status: 'delivered', ...(delivery.responseStatus ? { responseStatus: delivery.responseStatus } : {}) };
  };
}
