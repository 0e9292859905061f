/**
 * `npm start`: the whole system in one process for a developer or a demo: migrations, the intake API with
 * Bull Board, and a worker. Production runs the same pieces as separate processes (see Procfile).
 */
import { loadConfig } from '../src/config.js';
import { createContext } from '../src/context.js';
import { migrate } from '../src/db/migrate.js';
import { startHttpServer } from '../src/http/server.js';
import { exitOnStartupError, onShutdownSignal } from '../src/shared/shutdown.js';
import { startWorker } from '../workers/worker.js';

try {
  const config = loadConfig();
  const ctx = await createContext(config, { processName: 'chorus-relay-dev' });
  await migrate(ctx.orm, ctx.logger);
  const http = await startHttpServer(ctx, config.port);
  const worker = startWorker(ctx);
  ctx.logger.info(`Ready: POST invoices to http://localhost:${http.port}/v1/invoices, watch queues at http://localhost:${http.port}/admin/queues`);
  onShutdownSignal(ctx.logger, config.shutdownTimeoutMs, async () => {
    await http.close();
    await worker.stop();
    await ctx.close();
  });
} catch (error) {
  exitOnStartupError(error);
}
