/**
 * An isolated copy of the system for one test file: its own database (cloned from the migrated template),
 * its own BullMQ prefix, a context whose log lines are captured, and the HTTP API on a free port.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import winston from 'winston';
import { inject } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { createContext, type AppContext } from '../../src/context.js';
import type { Clock } from '../../src/shared/clock.js';
import { startHttpServer } from '../../src/http/server.js';
import { createLogger } from '../../src/logger.js';
import { cloneDatabase, databaseUrl, dropDatabase } from './postgres.js';
import { TEST_RULES_DIR } from './rules.js';

export const API_KEY = 'test-api-key-0123456789abcdef';
export const BOARD_USER = 'operator';
export const BOARD_PASSWORD = 'board-password-0123';
export const SECRET_KEY_HEX = randomBytes(32).toString('hex');
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Log lines as written by the JSON formatter, for tests that read what the logs say. */
export class CapturedLogs {
  readonly lines: string[] = [];
  readonly stream = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      this.lines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((l) => l.length > 0),
      );
      done();
    },
  });
  get text(): string {
    return this.lines.join('\n');
  }
  /** The lines logged at warn or error level, oldest first. */
  problems(): string[] {
    return this.lines.filter((line) => /"level":"(warn|error)"/.test(line));
  }
}

export interface Harness {
  name: string;
  env: Record<string, string>;
  config: Config;
  ctx: AppContext;
  logs: CapturedLogs;
  baseUrl: string;
  /** fetch against the API with the test API key. */
  api(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  clock?: Clock;
  /** Leave the HTTP server off (worker-only tests). */
  http?: boolean;
}

export function uniqueName(): string {
  return `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/** Environment variables that point Chorus Pro at a running simulator, for production and sandbox accounts alike. */
export function simulatorEnv(
  simulator: { url: string },
  environments: ReadonlyArray<'production' | 'sandbox'> = ['production', 'sandbox'],
): Record<string, string> {
  const env: Record<string, string> = {};
  if (environments.includes('production')) {
    Object.assign(env, {
      PISTE_CLIENT_ID: 'simulator-client-id',
      PISTE_CLIENT_SECRET: 'simulator-client-secret',
      CHORUS_API_URL: simulator.url,
      CHORUS_OAUTH_URL: `${simulator.url}/api/oauth/token`,
    });
  }
  if (environments.includes('sandbox')) {
    Object.assign(env, {
      PISTE_SANDBOX_CLIENT_ID: 'simulator-client-id',
      PISTE_SANDBOX_CLIENT_SECRET: 'simulator-client-secret',
      CHORUS_SANDBOX_API_URL: simulator.url,
      CHORUS_SANDBOX_OAUTH_URL: `${simulator.url}/api/oauth/token`,
    });
  }
  return env;
}

/** The environment a process of this test file would get. */
export function testEnv(name: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl(`cr_${name}`),
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: name,
    API_KEYS: API_KEY,
    BOARD_USER,
    BOARD_PASSWORD,
    SECRET_KEY: SECRET_KEY_HEX,
    LOG_LEVEL: 'debug',
    LOG_FORMAT: 'json',
    // Test receivers listen on loopback; hostile-input tests turn this off to check the guard.
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    RULES_DIR: TEST_RULES_DIR,
    ...extra,
  };
}

export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const name = uniqueName();
  await cloneDatabase(inject('templateDatabase'), `cr_${name}`);
  const env = testEnv(name, options.env);
  const config = loadConfig(env);
  const logs = new CapturedLogs();
  const logger = createLogger({
    level: 'silly',
    format: 'json',
    transports: [new winston.transports.Stream({ stream: logs.stream })],
  });
  const ctx = await createContext(config, { logger, ...(options.clock ? { clock: options.clock } : {}) });
  const http = options.http === false ? undefined : await startHttpServer(ctx, 0);
  const baseUrl = http ? `http://127.0.0.1:${http.port}` : '';
  return {
    name,
    env,
    config,
    ctx,
    logs,
    baseUrl,
    api: async (path, init = {}) => {
      const headers = new Headers(init.headers);
      if (!headers.has('authorization')) headers.set('authorization', `Bearer ${API_KEY}`);
      const res = await fetch(`${baseUrl}${path}`, { ...init, headers });
      // No test expects a 500 from the relay: when one comes, what the relay logged as errors goes with it, so that a
      // failure seen once in a full run says its cause.
      if (res.status === 500)
        console.error(`${init.method ?? 'GET'} ${path} answered 500; the relay logged:\n${logs.problems().join('\n')}`);
      return res;
    },
    async close() {
      await http?.close();
      await Promise.all(
        Object.values(ctx.queues).map((queue) => queue.obliterate({ force: true }).catch(() => undefined)),
      );
      await ctx.close();
      await dropDatabase(`cr_${name}`);
    },
  };
}
