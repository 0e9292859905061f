/**
 * The Express application. It never listens by itself: server.ts does, and tests listen on port 0.
 * Express 5 forwards rejected promises from async handlers to the error handler.
 */
import { randomUUID } from 'node:crypto';
import express, { type RequestHandler } from 'express';
import multer from 'multer';
import type { AppContext } from '../context.js';
import { MAX_FILE_BYTES } from '../invoices/submission.js';
import { BOARD_PATH, createBoardRouter } from './admin.js';
import { ApiKeyRegistry } from '../access/keys.js';
import type { Permission } from '../access/roles.js';
import { audit, authenticate, permit, setCorrelationId } from './auth.js';
import { boardGuard } from './board-guard.js';
import { auditHandler, createApiKeyHandler, listApiKeysHandler, revokeApiKeyHandler } from './handlers/access.js';
import { refuseHiddenCharacters } from './text-guard.js';
import { visible } from './visibility.js';
import { createMetrics, type Metrics } from '../metrics/registry.js';
import { errorHandler, HttpError, notFound } from './errors.js';
import { healthz, readyz } from './handlers/health.js';
import { metricsRoute } from './handlers/metrics.js';
import { createInvoice, getInvoice, retryInvoice } from './handlers/invoices.js';
import { createBatch, getBatch } from './handlers/batches.js';
import { listContracts, upsertContract } from './handlers/contracts.js';
import { listSuppliers, upsertSupplier } from './handlers/suppliers.js';
import { completeInvoice, correctValidatorHandler, recycleInvoice } from './handlers/follow-ups.js';
import { decideHandler, getValidationHandler, listValidationsHandler } from './handlers/validations.js';
import { createSubscriptionHandler, deactivateSubscriptionHandler, listDeliveriesHandler, listSubscriptionsHandler, replayDeliveryHandler } from './handlers/subscriptions.js';
import { listInvoicesHandler, statsHandler } from './handlers/views.js';
import { buildOpenApiDocument } from './openapi.js';

/** Base64 inflates a 10 MB file to about 13.4 MB; leave room for the other fields. */
const JSON_BODY_LIMIT = '15mb';

/** A caller's X-Request-Id when it is a sane token, else a new one: it names the request and the jobs it causes. */
const REQUEST_ID = /^[\w.:-]{1,64}$/;

function requestLog(ctx: AppContext, metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const given = req.get('x-request-id');
    const correlationId = given && REQUEST_ID.test(given) ? given : randomUUID();
    setCorrelationId(res, correlationId);
    res.setHeader('X-Request-Id', correlationId);
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      // Method, path and status only: headers and bodies carry keys and files.
      ctx.logger.http('request', { method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms * 10) / 10, correlationId });
      // The route's pattern, never the path: ids would make the labels unbounded.
      const route = (res.locals as { auditRoute?: string }).auditRoute ?? (req.route ? `${req.baseUrl}${(req.route as { path: string }).path}` : 'unmatched');
      metrics.httpDuration.observe({ method: req.method, route, status_class: `${Math.floor(res.statusCode / 100)}xx` }, ms / 1000);
    });
    next();
  };
}

/** Parses JSON or multipart; anything else is refused with 415 before a handler sees it. */
function invoiceBody(): RequestHandler[] {
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: MAX_FILE_BYTES, files: 1, fields: 30, fieldSize: 1024, parts: 40, headerPairs: 100 },
    // File names as UTF-8 (busboy's default is latin1, which turns "Facture été.pdf" into mojibake).
    defParamCharset: 'utf8',
  }).single('file');
  const accept: RequestHandler = (req, _res, next) => {
    if (!req.is('application/json') && !req.is('multipart/form-data')) {
      throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the invoice as application/json (file in base64) or multipart/form-data.');
    }
    next();
  };
  // A body busboy cannot read is the caller's mistake: 400, not a 500.
  const readMultipart: RequestHandler = (req, res, next) => {
    if (!req.is('multipart/form-data')) return next();
    upload(req, res, (error: unknown) => {
      if (error === undefined || error === null || error instanceof multer.MulterError) return next(error);
      next(new HttpError(400, 'MALFORMED_MULTIPART', `The multipart body is malformed: ${error instanceof Error ? error.message : 'unreadable'}.`));
    });
  };
  return [accept, readMultipart, refuseHiddenCharacters];
}

export interface ApiRoute {
  method: 'get' | 'post' | 'delete';
  /** Under /v1. */
  path: string;
  /** What the caller's role must allow; a route cannot be added without one. */
  permission: Permission;
  handlers: RequestHandler[];
}

/** The route table: the whole API on one screen, each route with the permission it needs. */
export function apiRoutes(ctx: AppContext, keys: ApiKeyRegistry): ApiRoute[] {
  const route = (method: ApiRoute['method'], path: string, permission: Permission, ...handlers: RequestHandler[]): ApiRoute => ({ method, path, permission, handlers });
  return [
    route('post', '/suppliers', 'admin', upsertSupplier(ctx)),
    route('get', '/suppliers', 'read', listSuppliers(ctx)),
    route('post', '/invoices', 'submit', ...invoiceBody(), createInvoice(ctx)),
    route('get', '/invoices', 'read', listInvoicesHandler(ctx)),
    route('get', '/invoices/:id', 'read', visible(ctx, 'invoice'), getInvoice(ctx)),
    route('post', '/invoices/:id/retry', 'submit', visible(ctx, 'invoice'), retryInvoice(ctx)),
    route('post', '/invoices/:id/recycle', 'submit', visible(ctx, 'invoice'), recycleInvoice(ctx)),
    route('post', '/invoices/:id/complete', 'submit', visible(ctx, 'invoice'), completeInvoice(ctx)),
    route('post', '/invoices/:id/correct-validator', 'submit', visible(ctx, 'invoice'), correctValidatorHandler(ctx)),
    route('get', '/validations', 'read', listValidationsHandler(ctx)),
    route('get', '/validations/:id', 'read', visible(ctx, 'validation'), getValidationHandler(ctx)),
    route('post', '/validations/:id/approve', 'submit', visible(ctx, 'validation'), decideHandler(ctx, 'approve')),
    route('post', '/validations/:id/refuse', 'submit', visible(ctx, 'validation'), decideHandler(ctx, 'refuse')),
    route('post', '/contracts', 'submit', upsertContract(ctx)),
    route('get', '/contracts', 'read', listContracts(ctx)),
    route('post', '/batches', 'submit', ...createBatch(ctx)),
    route('get', '/batches/:id', 'read', getBatch(ctx)),
    route('get', '/stats', 'read', statsHandler(ctx)),
    route('post', '/subscriptions', 'admin', createSubscriptionHandler(ctx)),
    route('get', '/subscriptions', 'admin', listSubscriptionsHandler(ctx)),
    route('delete', '/subscriptions/:id', 'admin', visible(ctx, 'subscription'), deactivateSubscriptionHandler(ctx)),
    route('get', '/subscriptions/:id/deliveries', 'admin', visible(ctx, 'subscription'), listDeliveriesHandler(ctx)),
    route('post', '/deliveries/:id/replay', 'admin', visible(ctx, 'delivery'), replayDeliveryHandler(ctx)),
    route('post', '/api-keys', 'admin', createApiKeyHandler(ctx)),
    route('get', '/api-keys', 'admin', listApiKeysHandler(ctx)),
    route('delete', '/api-keys/:id', 'admin', revokeApiKeyHandler(ctx, keys)),
    route('get', '/audit', 'admin', auditHandler(ctx)),
  ];
}

export function createApp(ctx: AppContext, options: { version?: string } = {}): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 1);
  const metrics = createMetrics(ctx, ctx.metrics);
  app.use(requestLog(ctx, metrics));
  app.get('/metrics', metricsRoute(ctx, metrics));

  const openApi = buildOpenApiDocument(options.version ?? '0.1.0');
  app.get('/healthz', healthz);
  app.get('/readyz', readyz(ctx));
  app.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });

  app.use(BOARD_PATH, ...boardGuard({ ...ctx.config.board, logger: ctx.logger }), createBoardRouter(ctx));

  const v1 = express.Router();
  const keys = new ApiKeyRegistry(ctx.config.apiKeys);
  v1.use(authenticate(ctx, keys));
  v1.use(audit(ctx));
  v1.use(express.json({ limit: JSON_BODY_LIMIT, type: ['application/json', 'application/*+json'] }));
  v1.use(refuseHiddenCharacters);
  for (const route of apiRoutes(ctx, keys)) v1[route.method](route.path, permit(route.permission), ...route.handlers);
  app.locals.apiRoutes = v1.stack.flatMap((layer) => {
    const r = (layer as unknown as { route?: { path: string; methods: Record<string, boolean> } }).route;
    return r ? Object.keys(r.methods).map((method) => ({ method, path: r.path })) : [];
  });
  app.use('/v1', v1);

  app.use(notFound);
  app.use(errorHandler(ctx.logger));
  return app;
}
