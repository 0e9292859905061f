/**
 * winston, JSON in production and readable in development. Every entry goes through `redact`, so a secret
 * passed by mistake as metadata (a password, a token, an API key, a file's bytes) is masked before any transport.
 */
import { Writable } from 'node:stream';
import winston from 'winston';
import type Transport from 'winston-transport';

export type Logger = winston.Logger;

/** Keys whose values are never written, wherever they appear in a log entry. Compared lower-cased. */
const SECRET_KEYS = new Set([
  'password',
  'choruspassword',
  'passwordencrypted',
  'secret',
  'client_secret',
  'clientsecret',
  'token',
  'access_token',
  'accesstoken',
  'authorization',
  'apikey',
  'api_key',
  'apikeys',
  'cpro-account',
  'cookie',
  'contentbase64',
  'content',
  'filecontent',
  'fichierflux',
  'bytes',
  'secretkey',
]);
const MASK = '[redacted]';

/**
 * A database error's message carries the statement and its parameters (a whole INSERT, file bytes included):
 * it is logged by SQLSTATE code, constraint and table only.
 */
function driverError(
  error: Error,
): { name: string; code: string | null; constraint: string | null; table: string | null } | null {
  const e = error as Error & { code?: unknown; sqlState?: unknown; constraint?: unknown; table?: unknown };
  const code =
    typeof e.sqlState === 'string'
      ? e.sqlState
      : typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)
        ? e.code
        : null;
  if (code === null && !/Exception$/.test(e.name)) return null;
  if (code === null && !STATEMENT.test(e.message)) return null;
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return { name: e.name, code, constraint: text(e.constraint), table: text(e.table) };
}
/** MikroORM writes `<statement> - <driver message>`. */
const STATEMENT = /^\s*(insert into|update|select|delete from|with|alter|create)\s[\s\S]* - /i;

export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string')
    return STATEMENT.test(value) ? value.replace(STATEMENT, '[SQL statement not logged] ') : value;
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return `[${value.length} bytes]`;
  if (value instanceof Error)
    return driverError(value) ?? { name: value.name, message: redact(value.message), stack: redact(value.stack) };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SECRET_KEYS.has(key.toLowerCase()) ? MASK : redact(v, depth + 1);
  }
  return out;
}

/**
 * An error as a job keeps it (its failed reason and stack, which Redis stores and Bull Board shows): a database
 * error is told by its SQLSTATE code, constraint and table, never by its statement or parameter values; any other
 * message goes through the same masking as the logs. Changed in place, so its class (UnrecoverableError...) stays.
 */
export function redactError(error: unknown): void {
  if (!(error instanceof Error)) return;
  const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  const driver = driverError(error);
  const message = driver
    ? `Database error ${driver.code ?? driver.name}${driver.constraint ? ` on ${driver.constraint}` : ''}${driver.table ? ` (table ${driver.table})` : ''}`
    : (redact(error.message) as string);
  error.message = message;
  error.stack = [`${error.name}: ${message}`, ...frames].join('\n');
}

const redactFormat = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (key === 'level' || key === 'message') continue;
    info[key] = SECRET_KEYS.has(key.toLowerCase()) ? MASK : redact(info[key]);
  }
  return info;
});

export interface LoggerOptions {
  level: string;
  format: 'json' | 'pretty';
  /** Where lines go; tests pass a stream transport to read them back. (Default: the console) */
  transports?: Transport[];
}

/** How long a log line may wait for others before it is written, and how much may wait. */
const BATCH_MS = 10;
const BATCH_BYTES = 64 * 1024;

/**
 * Standard output, written in batches. On Linux a write to a pipe is a synchronous system call, and under load
 * the intake's few lines per request cost more than its database write (seen in a CPU profile of `npm run bench`).
 * Lines wait at most BATCH_MS; what waits is written when the process exits, so only a SIGKILL can cut it short.
 */
function batchedStdout(): Writable {
  let pending: string[] = [];
  let bytes = 0;
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    bytes = 0;
    process.stdout.write(text);
  };
  process.on('exit', flush);
  return new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      const line = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      pending.push(line);
      bytes += line.length;
      if (bytes >= BATCH_BYTES) flush();
      else timer ??= setTimeout(flush, BATCH_MS).unref();
      callback();
    },
  });
}

let sharedStdout: Writable | null = null;

export function createLogger(options: LoggerOptions): Logger {
  const output =
    options.format === 'json'
      ? winston.format.json()
      : winston.format.combine(
          winston.format.colorize(),
          winston.format.printf(({ level, message, timestamp, ...meta }) => {
            const rest = Object.keys(meta).length > 0 ? ` ${JSON.stringify(meta)}` : '';
            return `${String(timestamp)} ${level} ${String(message)}${rest}`;
          }),
        );
  return winston.createLogger({
    level: options.level,
    format: winston.format.combine(redactFormat(), winston.format.timestamp(), output),
    transports: options.transports ?? [new winston.transports.Stream({ stream: (sharedStdout ??= batchedStdout()) })],
  });
}
