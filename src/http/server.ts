/** The web process (Procfile `web`): the intake API, Bull Board and health checks. */
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AppContext } from '../context.js';
import { createApp } from './app.js';
import { connectionBudget, guardConnections, TIMEOUT_CHECK_MS } from './connections.js';

export async function startHttpServer(
  ctx: AppContext,
  port: number,
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const { http } = ctx.config;
  // Node requires the headers' timeout within the request's.
  const headersTimeout = Math.min(http.headersTimeoutMs, http.requestTimeoutMs);
  const server = createServer(
    { connectionsCheckingInterval: TIMEOUT_CHECK_MS, headersTimeout, requestTimeout: http.requestTimeoutMs },
    createApp(ctx),
  );
  const budget = connectionBudget(http);
  guardConnections(
    server,
    { headersTimeoutMs: headersTimeout, requestTimeoutMs: http.requestTimeoutMs },
    budget.maxConnections,
  );
  if (budget.warning) ctx.logger.warn(budget.warning);
  server.listen(port);
  await once(server, 'listening');
  const address = server.address();
  const actualPort = typeof address === 'object' && address !== null ? address.port : port;
  ctx.logger.info(
    `Intake API listening on port ${actualPort} (Bull Board at /admin/queues); holds up to ${budget.maxConnections} connections (file descriptor limit ${budget.descriptorLimit ?? 'unknown'})`,
    { maxConnections: budget.maxConnections, descriptorLimit: budget.descriptorLimit },
  );
  return {
    server,
    port: actualPort,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
