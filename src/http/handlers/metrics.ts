/** GET /metrics: the Prometheus text of the registry (src/metrics), behind its own token. */
import type { RequestHandler } from 'express';
import type { AppContext } from '../../context.js';
import type { Metrics } from '../../metrics/registry.js';
import { sameSecret } from '../../shared/same-secret.js';
import { bearerToken } from '../auth.js';
import { sendError } from '../errors.js';

/** GET /metrics, for Prometheus: behind its own bearer token (METRICS_TOKEN); without one, there is no such route. */
export function metricsRoute(ctx: AppContext, metrics: Metrics): RequestHandler {
  return async (req, res) => {
    const token = ctx.config.metricsToken;
    if (token === null)
      return sendError(res, 404, 'NOT_FOUND', 'No route for GET /metrics (set METRICS_TOKEN to serve it).');
    if (!sameSecret(bearerToken(req), token)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="chorus-relay metrics"');
      return sendError(res, 401, 'UNAUTHORIZED', 'Send METRICS_TOKEN as "Authorization: Bearer <token>".');
    }
    res.type(metrics.contentType).send(await metrics.render());
  };
}
