/**
 * An HTTP server that plays PISTE and Chorus Pro, faithful to the official contract: the gateway
 * (gateway.ts), one module per API family (api/), the lifecycle engine that moves fluxes and invoices on its
 * clock (engine.ts), and its admin API (admin.ts). It shares nothing with the client but the contract.
 */
import { once } from 'node:events';
import type { Server, Socket } from 'node:net';
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { InvoiceActions } from './actions.js';
import { adminRoutes } from './admin.js';
import type { ApiContext } from './api/answers.js';
import { engagementsApi } from './api/engagements.js';
import { facturesApi } from './api/factures.js';
import { soumettreApi } from './api/soumettre.js';
import { validatorsApi } from './api/validators.js';
import { structuresApi } from './api/structures.js';
import { transversesApi } from './api/transverses.js';
import { RequestCounter } from './counters.js';
import { LifecycleEngine, VALIDATION_DELAY_MS, type DecisionBook, type EngineTiming } from './engine.js';
import { Faults, type FaultSettings } from './faults.js';
import { gateway } from './gateway.js';
import { loadSeed, type Seed } from './model.js';
import type { Scenario } from './scenario.js';
import { keepState, restoreState } from './state-file.js';
import { variantsSchema, type Variants } from './variants.js';
import { ChorusWorld } from './world.js';

export { variantsSchema, type Variants };

export interface SimulatorOptions {
  port?: number;
  host?: string;
  /** A scenario (scenario.ts): its seed, decisions, faults, variants and timing, under the options below. */
  scenario?: Scenario;
  seed?: Seed;
  timing?: Partial<EngineTiming>;
  faults?: Partial<FaultSettings>;
  variants?: Partial<Variants>;
  decisions?: DecisionBook;
  /** Keep the state in this JSON file and start from it when it exists. */
  stateFile?: string;
}

export interface Simulator {
  url: string;
  world: ChorusWorld;
  engine: LifecycleEngine;
  actions: InvoiceActions;
  faults: Faults;
  counter: RequestCounter;
  variants: Variants;
  /** Invoices found in the state file at start. */
  restoredInvoices: number;
  /** Forget every issued token (the next call of each client gets a 401). */
  expireTokens(): void;
  close(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const scenario = options.scenario;
  const world = new ChorusWorld(options.seed ?? scenario?.seed ?? loadSeed());
  const engine = new LifecycleEngine(
    world,
    {
      fluxStepMs: 1000,
      invoiceStepMs: 1000,
      validationDelayMs: VALIDATION_DELAY_MS,
      ...scenario?.timing,
      ...options.timing,
    },
    options.decisions ?? scenario?.decisions ?? {},
  );
  const actions = new InvoiceActions(engine);
  const faults = new Faults({ ...scenario?.faults, ...options.faults });
  const counter = new RequestCounter();
  const variants: Variants = variantsSchema.parse({ ...scenario?.variants, ...options.variants });
  const tokens = new Map<string, { clientId: string; expiresAt: number }>();
  const restoredInvoices = options.stateFile ? restoreState(world, options.stateFile) : 0;
  const kept = options.stateFile
    ? keepState(world, options.stateFile, (error) =>
        process.emitWarning(
          `The simulator could not save its state to ${options.stateFile} (${error instanceof Error ? error.message : String(error)}); it will try again`,
        ),
      )
    : null;
  if (kept) world.onChange = () => kept.schedule();

  const ctx: ApiContext = { world, engine, actions, faults, variants };
  const handlers = {
    ...facturesApi(ctx),
    ...soumettreApi(ctx),
    ...validatorsApi(ctx),
    ...structuresApi(ctx),
    ...transversesApi(ctx),
    ...engagementsApi(ctx),
  };

  const app = express();
  app.disable('x-powered-by');
  app.use(gateway({ engine, faults, variants, counter, handlers, tokens }));
  app.use('/simulator', adminRoutes({ engine, actions, faults, variants, counter, tokens }));
  app.use((_req, res) => res.status(404).end());
  app.use((error: unknown, _req: Request, res: Response, _next: unknown) => {
    res
      .status(error instanceof z.ZodError ? 400 : 500)
      .json({ error: error instanceof Error ? error.message : String(error) });
  });

  const server = app.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  // Clients close idle keep-alive connections, not the server: otherwise a request sent as the server closes one
  // fails ("other side closed"; seen once in CI under load with Node's 5 s default).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await once(server, 'listening');
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const address = (server as Server).address() as { port: number; address: string };
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    ...{ world, engine, actions, faults, counter, variants, restoredInvoices },
    expireTokens: () => tokens.clear(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        kept?.flush();
        server.close((error) => (error ? reject(error) : resolve()));
        for (const socket of sockets) socket.destroy();
      }),
  };
}
