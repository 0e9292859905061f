/**
 * `npm start`: the whole system in one process for a developer or a demo: migrations, the intake API with
 * Bull Board, and a worker. Without PISTE credentials it also starts the Chorus Pro simulator and talks to it.
 * Without the EN 16931 rules it installs them in the background (RULES_SOURCE), and runs unchecked until then.
 * Production runs the same pieces as separate processes (see Procfile).
 */
import { loadConfig, withSimulator } from '../src/config.js';
import { createContext } from '../src/context.js';
import { migrate } from '../src/db/migrate.js';
import { startHttpServer } from '../src/http/server.js';
import { createLogger } from '../src/logger.js';
import { loadScenario } from '../src/simulator/scenario.js';
import { startSimulator, type Simulator } from '../src/simulator/server.js';
import { exitOnStartupError, onShutdownSignal } from '../src/shared/shutdown.js';
import { startWorker } from '../workers/worker.js';
import { ensureDevelopmentEnv } from './lib/dev-env.js';
import { installRules } from '../src/invoices/einvoice/en16931/rules-store.js';

try {
  const created = ensureDevelopmentEnv(process.env);
  if (created) {
    // Printed, not logged: the key is a fresh development one, and the newcomer needs it to make the first call.
    const base = `http://localhost:${process.env.PORT ?? '3000'}`;
    process.stdout.write(
      `No .env: wrote ${created.path} with fresh development values. API key: ${created.apiKey} ` +
        `(curl -H "Authorization: Bearer ${created.apiKey}" ${base}/v1/invoices). Bull Board: ${base}/admin/queues (${created.boardUser} / ${created.boardPassword}).\n`,
    );
  }
  let config = loadConfig();
  let simulator: Simulator | undefined;
  if (config.chorus === null) {
    const scenario = config.simulatorScenario ? loadScenario(config.simulatorScenario) : undefined;
    simulator = await startSimulator({
      port: config.simulatorPort,
      ...(scenario ? { scenario } : {}),
      ...(config.simulatorStateFile ? { stateFile: config.simulatorStateFile } : {}),
    }).catch((error: unknown) => {
      throw portTaken(error, config.simulatorPort, 'SIMULATOR_PORT', 'the Chorus Pro simulator');
    });
    const application = simulator.world.seed.applications[0];
    if (!application) throw new Error('The simulator scenario has no PISTE application');
    config = withSimulator(config, simulator.url, application);
    createLogger(config.log).warn(
      `No PISTE credentials (PISTE_CLIENT_ID, PISTE_SANDBOX_CLIENT_ID): NOT talking to Chorus Pro. The Chorus Pro SIMULATOR plays it, for sandbox and production accounts, at ${simulator.url} ` +
        `(demo technical account TECH_1_DEMO@cpro.fr / Demo-Password-2026). Set PISTE_CLIENT_ID and PISTE_CLIENT_SECRET to use the real service.`,
      {
        scenario: config.simulatorScenario ?? 'none (the base seed)',
        scenarioDescription: scenario?.description,
        stateFile: config.simulatorStateFile,
        restoredInvoices: simulator.restoredInvoices,
      },
    );
  }
  const ctx = await createContext(config, { processName: 'chorus-relay-dev' });
  await migrate(ctx.orm, ctx.logger);
  const http = await startHttpServer(ctx, config.port).catch((error: unknown) => {
    throw portTaken(error, config.port, 'PORT', 'the API and Bull Board');
  });
  const worker = startWorker(ctx);
  if (config.alerts.webhookAllowPrivateNetworks)
    ctx.logger.warn(
      'WEBHOOK_ALLOW_PRIVATE_NETWORKS is on (the development .env sets it): webhooks may call loopback and private addresses. Turn it off where the relay faces other people’s URLs.',
    );
  ctx.logger.info(
    `Ready: POST invoices to http://localhost:${http.port}/v1/invoices, watch queues at http://localhost:${http.port}/admin/queues`,
  );
  if (!ctx.rulesChecker.status().on) {
    // In the background: the relay already works, unchecked, and picks the rules up once they are there.
    const { dir, source } = config.rules;
    ctx.logger.info(`Installing the EN 16931 rules from ${source} into ${dir}, in the background`);
    installRules(source, dir, (line) => ctx.logger.info(`EN 16931 rules: ${line}`)).then(
      (rules) => ctx.logger.info(`EN 16931 rules ${rules.release} installed: invoices are checked before deposit`),
      (error: unknown) =>
        ctx.logger.warn(
          `Could not install the EN 16931 rules (${error instanceof Error ? error.message : String(error)}): invoices are deposited without that check. Install them with npm run rules:install -- <release folder or ZIP URL>`,
        ),
    );
  }
  onShutdownSignal(ctx.logger, config.shutdownTimeoutMs, async () => {
    await http.close();
    await worker.stop();
    await ctx.close();
    await simulator?.close();
  });
} catch (error) {
  exitOnStartupError(error);
}

/** A port already in use, told with the variable that moves it; any other error as it came. */
function portTaken(error: unknown, port: number, variable: string, what: string): unknown {
  if (!(error instanceof Error) || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') return error;
  const told = new Error(
    `Port ${port} (${variable}), where ${what} listens, is already in use: another npm start or another program holds it. Stop it, or choose another port: ${variable}=${port + 1} npm start`,
  );
  // Printed alone, without a stack: it is the whole story.
  told.name = 'ConfigError';
  return told;
}
