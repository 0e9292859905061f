/** Entry point of the worker process (Procfile `worker`). */
import { loadConfig } from '../src/config.js';
import { createContext } from '../src/context.js';
import { assertSchemaIsCurrent } from '../src/db/migrate.js';
import { exitOnStartupError, onShutdownSignal } from '../src/shared/shutdown.js';
import { startWorker } from './worker.js';

try {
  const config = loadConfig();
  const ctx = await createContext(config, { processName: 'chorus-relay-worker' });
  await assertSchemaIsCurrent(ctx.orm);
  const worker = startWorker(ctx);
  onShutdownSignal(ctx.logger, config.shutdownTimeoutMs, async () => {
    await worker.stop();
    await ctx.close();
  });
} catch (error) {
  exitOnStartupError(error);
}
