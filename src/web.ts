/** Entry point of the web process (Procfile `web`). */
import { loadConfig } from './config.js';
import { createContext } from './context.js';
import { assertSchemaIsCurrent } from './db/migrate.js';
import { startHttpServer } from './http/server.js';
import { exitOnStartupError, onShutdownSignal } from './shared/shutdown.js';

try {
  const config = loadConfig();
  const ctx = await createContext(config, { processName: 'chorus-relay-web' });
  await assertSchemaIsCurrent(ctx.orm);
  const http = await startHttpServer(ctx, config.port);
  onShutdownSignal(ctx.logger, config.shutdownTimeoutMs, async () => {
    await http.close();
    await ctx.close();
  });
} catch (error) {
  exitOnStartupError(error);
}
