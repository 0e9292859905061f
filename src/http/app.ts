/**
 * The Express application. It never listens by itself: server.ts does, and tests listen on port 0.
 * Express 5 forwards rejected promises from async handlers to the error handler.
 */
import express, { type RequestHandler } from 'express';
import multer from 'multer';
import type { AppContext } from '../context.js';
import { MAX_FILE_BYTES } from '../invoices/submission.js';
import { BOARD_PATH, createBoardRouter } from './admin.js';
import { requireApiKey, requireBasicAuth } from './auth.js';
import { errorHandler, HttpError, notFound } from './errors.js';
import { healthz, readyz } from './handlers/health.js';
import { createInvoice, getInvoice, retryInvoice } from './handlers/invoices.js';
import { listSuppliers, upsertSupplier } from './handlers/suppliers.js';
import { completeInvoice, recycleInvoice } from './handlers/follow-ups.js';
import { createSubscriptionHandler, deactivateSubscriptionHandler, listDeliveriesHandler, listSubscriptionsHandler, replayDeliveryHandler } from './handlers/subscriptions.js';
import { listInvoicesHandler, statsHandler } from './handlers/views.js';
import { buildOpenApiDocument } from './openapi.js';

/** Base64 inflates a 10 MB file to about 13.4 MB; leave room for the other fields. */
const JSON_BODY_LIMIT = '15mb';

function requestLog(ctx: AppContext): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      // Method, path and status only: headers and bodies carry keys and files.
      ctx.logger.http('request', { method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms * 10) / 10 });
    });
    next();
  };
}

/** Parses JSON or multipart; anything else is refused with 415 before a handler sees it. */
function invoiceBody(): RequestHandler[] {
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: MAX_FILE_BYTES, files: 1, fields: 30, fieldSize: 1024 },
  }).single('file');
  const accept: RequestHandler = (req, _res, next) => {
    if (!req.is('application/json') && !req.is('multipart/form-data')) {
      throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the invoice as application/json (file in base64) or multipart/form-data.');
    }
    next();
  };
  return [accept, (req, res, next) => (req.is('multipart/form-data') ? upload(req, res, next) : next())];
}

export function createApp(ctx: AppContext, options: { version?: string } = {}): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 1);
  app.use(requestLog(ctx));

  const openApi = buildOpenApiDocument(options.version ?? '0.1.0');
  app.get('/healthz', healthz);
  app.get('/readyz', readyz(ctx));
  app.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });

  app.use(BOARD_PATH, requireBasicAuth(ctx.config.board.user, ctx.config.board.password), createBoardRouter(ctx));

  const v1 = express.Router();
  v1.use(requireApiKey(ctx.config.apiKeys));
  v1.use(express.json({ limit: JSON_BODY_LIMIT, type: ['application/json', 'application/*+json'] }));
  // The route table: the whole API on one screen.
  v1.post('/suppliers', upsertSupplier(ctx));
  v1.get('/suppliers', listSuppliers(ctx));
  v1.post('/invoices', ...invoiceBody(), createInvoice(ctx));
  v1.get('/invoices', listInvoicesHandler(ctx));
  v1.get('/invoices/:id', getInvoice(ctx));
  v1.post('/invoices/:id/retry', retryInvoice(ctx));
  v1.post('/invoices/:id/recycle', recycleInvoice(ctx));
  v1.post('/invoices/:id/complete', completeInvoice(ctx));
  v1.get('/stats', statsHandler(ctx));
  v1.post('/subscriptions', createSubscriptionHandler(ctx));
  v1.get('/subscriptions', listSubscriptionsHandler(ctx));
  v1.delete('/subscriptions/:id', deactivateSubscriptionHandler(ctx));
  v1.get('/subscriptions/:id/deliveries', listDeliveriesHandler(ctx));
  v1.post('/deliveries/:id/replay', replayDeliveryHandler(ctx));
  app.use('/v1', v1);

  app.use(notFound);
  app.use(errorHandler(ctx.logger));
  return app;
}
