/** Subscriptions (who hears about what), their delivery log, and replays. */
import type { RequestHandler } from 'express';
import {
  createSubscription,
  deactivateSubscription,
  deliveriesOf,
  listSubscriptions,
  replayDelivery,
} from '../../alerts/subscriptions.js';
import { assertSupplierVisible, callerOf } from '../auth.js';
import { webhookUrlProblem } from '../../alerts/safe-target.js';
import type { AppContext } from '../../context.js';
import { enqueueDelivery } from '../../queues/enqueue.js';
import { issuesFromZod, validationError } from '../errors.js';
import { idParam, queryOf } from '../params.js';
import { deliveryView, subscriptionView } from '../presenters.js';
import { deliveryListQuerySchema, subscriptionInputSchema, subscriptionListQuerySchema } from '../schemas.js';

export function createSubscriptionHandler(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const parsed = subscriptionInputSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw validationError(issuesFromZod(parsed.error), 'subscription');
    assertSupplierVisible(callerOf(res), parsed.data.supplierSiret);
    if (parsed.data.channel === 'webhook') {
      const { webhookAllowPrivateNetworks: allowPrivate, production } = ctx.config.alerts;
      const problem = webhookUrlProblem(new URL(parsed.data.url), { allowPrivate, production });
      if (problem) throw validationError([{ path: 'url', ...problem }], 'subscription');
    }
    const { subscription, supplier, secret } = await createSubscription(ctx.orm.em.fork(), ctx.secretBox, parsed.data);
    ctx.logger.info('Subscription created', {
      subscriptionId: subscription.id,
      channel: subscription.channel,
      supplierSiret: supplier.siret,
    });
    res
      .status(201)
      .location(`/v1/subscriptions/${subscription.id}`)
      .json(subscriptionView(subscription, supplier.siret, secret));
  };
}

export function listSubscriptionsHandler(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const { supplierSiret } = queryOf(subscriptionListQuerySchema, req.query);
    const subscriptions = await listSubscriptions(ctx.orm.em.fork(), supplierSiret, callerOf(res).scope);
    res.json({ data: subscriptions.map((s) => subscriptionView(s, s.supplier.getEntity().siret)) });
  };
}

export function deactivateSubscriptionHandler(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const subscription = await deactivateSubscription(ctx.orm.em.fork(), idParam(req.params.id, 'subscription'));
    res.json(subscriptionView(subscription, subscription.supplier.getEntity().siret));
  };
}

export function listDeliveriesHandler(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const { limit } = queryOf(deliveryListQuerySchema, req.query);
    const deliveries = await deliveriesOf(ctx.orm.em.fork(), idParam(req.params.id, 'subscription'), limit);
    res.json({ data: deliveries.map(deliveryView) });
  };
}

export function replayDeliveryHandler(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const delivery = await replayDelivery(ctx.orm.em.fork(), idParam(req.params.id, 'delivery'));
    // If Redis is away, the sweeper adds the job of this pending delivery later.
    await enqueueDelivery(ctx.queues, {
      id: delivery.id,
      channel: delivery.channel,
      label: `replay ${delivery.sequence}`,
    }).catch((error: unknown) =>
      ctx.logger.warn('Replay job not enqueued; the sweeper will add it', {
        deliveryId: delivery.id,
        error: error instanceof Error ? error.message : String(error),
      }),
    );
    res.status(202).json(deliveryView(delivery));
  };
}
