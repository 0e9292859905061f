/**
 * `alerts` jobs: fan one notification out into one delivery per active subscription of its supplier that wants
 * this event, in one transaction, then add a `deliveries` job for each. Running it twice adds nothing: the
 * notification is marked fanned out with its deliveries, and a second run only re-adds missing jobs.
 */
import type { Job } from 'bullmq';
import type { AppContext } from '../../src/context.js';
import { Delivery } from '../../src/db/entities/delivery.js';
import { Notification } from '../../src/db/entities/notification.js';
import { Subscription } from '../../src/db/entities/subscription.js';
import { enqueueDelivery } from '../../src/queues/enqueue.js';
import type { JobPayloads } from '../../src/queues/jobs.js';

export function makeAlertsProcessor(deps: AppContext) {
  return async (job: Job<JobPayloads['alerts']>): Promise<{ deliveries: number }> => {
    const em = deps.orm.em.fork();
    const notification = await em.findOne(Notification, job.data.notificationId);
    if (!notification) return { deliveries: 0 };
    let deliveries: Delivery[];
    if (notification.fannedOutAt) {
      deliveries = await em.find(Delivery, { notification, status: 'pending' });
    } else {
      const subscriptions = await em.find(Subscription, { supplier: notification.supplier, active: true });
      deliveries = subscriptions
        .filter((s) => s.events.includes(notification.event))
        .map((subscription) => em.create(Delivery, { notification, subscription, channel: subscription.channel }));
      notification.fannedOutAt = deps.clock.now();
      await em.flush();
    }
    for (const d of deliveries)
      await enqueueDelivery(deps.queues, { id: d.id, channel: d.channel, label: job.name }, job.data.correlationId);
    await job.log(`${deliveries.length} delivery(ies) for ${notification.event}`);
    return { deliveries: deliveries.length };
  };
}
