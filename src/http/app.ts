/**
 * The Express application. It never listens by itself: server.ts does, and tests listen on port 0.
 * Express 5 forwards rejected promises from async handlers to the error handler.
 */
import { randomUUID } from 'node:crypto';
import { pagesRouter } from './pages/router.js';
import express, { type RequestHandler } from 'express';
import type { AppContext } from '../context.js';
import { BOARD_PATH, createBoardRouter } from './admin.js';
import { BoardLogin } from '../access/board-login.js';
import { BoardSessions } from '../access/board-sessions.js';
import { ApiKeyRegistry } from '../access/keys.js';
import { audit, authenticate, permit, setCorrelationId } from './auth.js';
import { boardGuard } from './board-guard.js';
import { refuseHiddenCharacters } from './text-guard.js';
import { uploadBudget } from './upload-budget.js';
import { createMetrics, type Metrics } from '../metrics/registry.js';
import { errorHandler, notFound } from './errors.js';
import { healthz, readyz } from './handlers/health.js';
import { metricsRoute } from './handlers/metrics.js';
import { buildOpenApiDocument } from './openapi.js';
import { ROUTES } from './routes.js';

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
      ctx.logger.http('request', {
        method: req.method,
        path: req.path,
        status: res.statusCode,
        ms: Math.round(ms * 10) / 10,
        correlationId,
      });
      // The route's pattern, never the path: ids would make the labels unbounded.
      const route =
        (res.locals as { auditRoute?: string }).auditRoute ??
        (req.route ? `${req.baseUrl}${(req.route as { path: string }).path}` : 'unmatched');
      metrics.httpDuration.observe(
        { method: req.method, route, status_class: `${Math.floor(res.statusCode / 100)}xx` },
        ms / 1000,
      );
    });
    next();
  };
}

/** The route table (routes.ts) as Express wires it: each route with the permission it needs, then its handlers. */
export function apiRoutes(ctx: AppContext, keys: ApiKeyRegistry) {
  return ROUTES.map((route) => ({
    method: route.method,
    path: route.path,
    permission: route.permission,
    handlers: route.handlers(ctx, keys),
  }));
}

export function createApp(ctx: AppContext, options: { version?: string } = {}): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Only proxies the operator named may say who the client is: else X-Forwarded-For is anyone's to forge.
  app.set('trust proxy', ctx.config.http.trustProxy);
  const metrics = createMetrics(ctx, ctx.metrics);
  app.use(requestLog(ctx, metrics));
  app.get('/metrics', metricsRoute(ctx, metrics));

  const openApi = buildOpenApiDocument(options.version ?? '0.1.0');
  app.get('/healthz', healthz);
  app.get('/readyz', readyz(ctx));
  app.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });

  const now = () => ctx.clock.now().getTime();
  const boardLogin = new BoardLogin({ ...ctx.config.board, logger: ctx.logger, now });
  const boardSessions = new BoardSessions(ctx.secretBox, ctx.config.board, now);
  app.use(
    BOARD_PATH,
    ...boardGuard({ login: boardLogin, readOnly: ctx.config.board.readOnly }),
    createBoardRouter(ctx),
  );

  app.use('/app', pagesRouter(ctx, { boardLogin, boardSessions }));

  const v1 = express.Router();
  const keys = new ApiKeyRegistry(ctx.config.apiKeys, boardSessions);
  v1.use(authenticate(ctx, keys));
  v1.use(audit(ctx));
  // After the key is checked: a stranger's body is never read, so it reserves nothing.
  v1.use(uploadBudget(ctx.config.http.uploadBufferBytes, ctx.config.batchLimits.maxTotalBytes));
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
