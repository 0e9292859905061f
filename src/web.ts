/**
 * Entry point of the web process (Procfile `web`). With WEB_CONCURRENCY > 1 it forks that many processes that
 * share PORT (node:cluster): the intake is CPU-bound in one Node process, so this is how it uses every core.
 */
import cluster from 'node:cluster';
import { loadConfig } from './config.js';
import { createContext } from './context.js';
import { assertSchemaIsCurrent } from './db/migrate.js';
import { startHttpServer } from './http/server.js';
import { createLogger } from './logger.js';
import { exitOnStartupError, onShutdownSignal } from './shared/shutdown.js';

async function serve(): Promise<void> {
  const config = loadConfig();
  const ctx = await createContext(config, { processName: 'chorus-relay-web' });
  await assertSchemaIsCurrent(ctx.orm);
  const http = await startHttpServer(ctx, config.port);
  onShutdownSignal(ctx.logger, config.shutdownTimeoutMs, async () => {
    await http.close();
    await ctx.close();
  });
}

function supervise(count: number): void {
  const logger = createLogger(loadConfig().log);
  logger.info(`Starting ${count} web processes on one port`);
  for (let i = 0; i < count; i++) cluster.fork();
  let stopping = false;
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    logger.error('A web process died; starting another', { pid: worker.process.pid, code, signal });
    cluster.fork();
  });
  const stop = () => {
    stopping = true;
    // Each web process shuts down gracefully on its own SIGTERM; the supervisor exits when they are all gone.
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

try {
  const { webConcurrency } = loadConfig();
  if (cluster.isPrimary && webConcurrency > 1) supervise(webConcurrency);
  else await serve();
} catch (error) {
  exitOnStartupError(error);
}
