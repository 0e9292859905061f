/**
 * A newcomer's first `npm start`: outside production, with no `.env`, one is written with fresh development values
 * (a random API key, board password and secret key) so that `npm ci && npm start` is enough on a machine where
 * PostgreSQL and Redis listen on their default ports. In production nothing is written: a missing variable stops
 * the process, naming it (config.ts).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';

export interface CreatedDevelopmentEnv {
  path: string;
  apiKey: string;
  boardUser: string;
  boardPassword: string;
}

/** Defaults for what the machine already has: PostgreSQL and Redis on their standard ports. */
const MACHINE_DEFAULTS: Record<string, string> = {
  PORT: '3000',
  SIMULATOR_PORT: '3100',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/chorus_relay',
  REDIS_URL: 'redis://127.0.0.1:6379',
  LOG_LEVEL: 'info',
  // The demo's webhook receiver listens on 127.0.0.1; never in production.
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
};

/**
 * Writes `.env` (mode 0600) when there is none, this is not production and the environment lacks a required
 * secret, and puts its values into `env` where the environment does not set them (as node's --env-file would
 * have). Null when nothing was written.
 */
export function ensureDevelopmentEnv(env: NodeJS.ProcessEnv, path = '.env'): CreatedDevelopmentEnv | null {
  const complete = env.API_KEYS && env.BOARD_USER && env.BOARD_PASSWORD && (env.SECRET_KEY || env.SECRET_KEYS);
  if (env.NODE_ENV === 'production' || complete || existsSync(path)) return null;
  const apiKey = `dev-${randomBytes(16).toString('hex')}`;
  const boardUser = 'admin';
  const boardPassword = randomBytes(12).toString('base64url');
  const values: Record<string, string> = {
    ...MACHINE_DEFAULTS,
    API_KEYS: apiKey,
    BOARD_USER: boardUser,
    BOARD_PASSWORD: boardPassword,
    SECRET_KEY: randomBytes(32).toString('hex'),
  };
  const lines = [
    `# Written by the first \`npm start\` on ${new Date().toISOString()}, with fresh development values.`,
    '# Never commit it; every variable is described in docs/configuration.md, .env.example has more.',
    ...Object.entries(values).map(([name, value]) => `${name}=${value}`),
    '',
  ];
  // 'wx': if another start wrote one meanwhile, keep it.
  writeFileSync(path, lines.join('\n'), { mode: 0o600, flag: 'wx' });
  for (const [name, value] of Object.entries(values)) env[name] ??= value;
  return { path, apiKey, boardUser, boardPassword };
}
