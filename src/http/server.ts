/** The web process (Procfile `web`): the intake API, Bull Board and health checks. */
import type { Server } from 'node:http';
import { once } from 'node:events';
import type { AppContext } from '../context.js';
import { createApp } from './app.js';

export async function startHttpServer(ctx: AppContext, port: number): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createApp(ctx).listen(port);
  await once(server, 'listening');
  const address = server.address();
  const actualPort = typeof address === 'object' && address !== null ? address.port : port;
  ctx.logger.info(`Intake API listening on port ${actualPort} (Bull Board at /admin/queues)`);
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
