/**
 * The only module that reads `process.env`. Everything else receives a parsed, frozen `Config`.
 * A missing or invalid variable stops the process with a message naming it, before any connection is opened.
 */
import { z } from 'zod';
import { DEFAULT_BATCH_LIMITS, type BatchLimits } from './batches/archive.js';
import { DEFAULT_FILE_LIMITS, type FileLimits } from './invoices/einvoice/limits.js';
import { CHORUS_ENVIRONMENTS, CHORUS_URLS, type ChorusEnvironment } from './chorus/environments.js';
import { DAY_MS } from './shared/time.js';
import { RELEASE_ARCHIVE_URL } from './invoices/einvoice/en16931/release.js';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/chorus_relay';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** "true"/"false" as environment variables spell them; z.coerce.boolean would read "false" as true. */
const booleanFlag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** A 32-byte key given as 64 hex characters or as base64 (44 characters with padding). */
const secretKey = z.string().transform((value, ctx) => {
  const trimmed = value.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (bytes.length !== 32) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be 32 bytes, as 64 hex characters or base64 (e.g. `openssl rand -hex 32`)',
    });
    return z.NEVER;
  }
  return bytes;
});

const commaList = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  )
  .refine((keys) => keys.length > 0, 'must list at least one key')
  .refine((keys) => keys.every((k) => k.length >= 16), 'each key must be at least 16 characters long');

/** docker-compose passes `${VAR:-}` as an empty string: read it as not set. */
const unsetIfEmpty = (v: unknown) => (v === '' ? undefined : v);

/**
 * Which proxies in front of the web process may say who the client is (X-Forwarded-For): none (`false`, the
 * default), a hop count (`1` behind Heroku's router or one load balancer), or addresses and subnets as Express takes
 * them (`loopback`, `10.0.0.0/8`, comma-separated).
 */
const trustProxy = z
  .string()
  .trim()
  .transform((value, ctx): false | number | string[] => {
    if (value === 'false' || value === '0') return false;
    if (/^\d{1,2}$/.test(value)) return Number(value);
    const entries = value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (entries.length > 0 && entries.every((e) => /^[0-9A-Za-z.:/_-]+$/.test(e)) && value !== 'true') return entries;
    ctx.addIssue({
      code: 'custom',
      message:
        "must be false, a hop count (1 behind one proxy such as Heroku's router), or proxy addresses/subnets, comma-separated",
    });
    return z.NEVER;
  });

const postgresUrl = z
  .string()
  .url()
  .refine((u) => /^postgres(ql)?:\/\//.test(u), 'must be a postgres:// URL');
const redisUrl = z
  .string()
  .url()
  .refine((u) => /^rediss?:\/\//.test(u), 'must be a redis:// or rediss:// URL');
/** `host:port,host:port,...` (IPv6 addresses in brackets), as Sentinel and Cluster seeds are given. */
const hostPortList = z.string().transform((value, ctx): HostPort[] => {
  const entries = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const parsed = entries.map((entry) => /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(entry));
  if (entries.length === 0 || parsed.some((m) => m === null || Number(m[2]) > 65535 || Number(m[2]) === 0)) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be host:port pairs, comma-separated (e.g. 10.0.0.5:26379,10.0.0.6:26379)',
    });
    return z.NEVER;
  }
  return parsed.map((m) => ({ host: m![1]!.replace(/^\[|\]$/g, ''), port: Number(m![2]) }));
});

/**
 * One variable of the configuration: its schema (type, default, checks) and what it is for, in one line. The
 * configuration page (docs/configuration.md) is generated from these (`npm run docs`); `shownDefault` says the
 * default where the schema cannot (one that depends on the environment, or is computed).
 */
function variable<T extends z.ZodType>(schema: T, doc: string, shownDefault?: string): T {
  return schema.meta({ doc, ...(shownDefault === undefined ? {} : { shownDefault }) });
}

/** The simulator's scenario and state files, for `npm start` (when it plays Chorus Pro) and `npm run simulator`. */
const simulatorFilesShape = {
  SIMULATOR_SCENARIO: variable(
    z.string().default('scenarios/demo.json'),
    "A scenario file for the simulator of `npm start` and `npm run simulator` (structures, recipients' decisions, faults; see [Scenarios](simulator.md#scenarios))",
  ),
  SIMULATOR_STATE_FILE: variable(
    z.string().default('.simulator-state.json'),
    'Where the simulator keeps its state across restarts; empty: nothing kept (remove the file to start afresh)',
  ),
};

const envSchema = z.object({
  NODE_ENV: variable(
    z.enum(['development', 'production', 'test']).default('development'),
    '`production` switches logs to JSON',
  ),
  PORT: variable(z.coerce.number().int().min(0).max(65535).default(3000), 'HTTP port of the web process'),
  WEB_CONCURRENCY: variable(
    z.coerce.number().int().positive().max(64).default(1),
    'Web processes sharing `PORT` (node:cluster), as on Heroku',
  ),
  DATABASE_URL: variable(postgresUrl.default(DEFAULT_DATABASE_URL), 'PostgreSQL; the database is created if missing'),
  DATABASE_SSL: variable(
    booleanFlag.default(false),
    '`true` for TLS to PostgreSQL (Heroku Postgres; the certificate is not verified)',
  ),
  DATABASE_POOL_MAX: variable(
    z.coerce.number().int().positive().max(200).default(10),
    'PostgreSQL connections per process',
  ),
  REDIS_URL: variable(
    z.preprocess(unsetIfEmpty, redisUrl.optional()),
    'One Redis node; `rediss://` turns TLS on (Heroku Key-Value Store). Set this, `REDIS_SENTINELS` or `REDIS_CLUSTER_NODES`: one of them',
    `\`${DEFAULT_REDIS_URL}\` when none of the three is set`,
  ),
  REDIS_SENTINELS: variable(
    z.preprocess(unsetIfEmpty, hostPortList.optional()),
    'Redis behind Sentinel: the sentinels, `host:port,host:port,...`; the relay follows the primary they promote',
  ),
  REDIS_SENTINEL_NAME: variable(
    z.preprocess(unsetIfEmpty, z.string().optional()),
    "With `REDIS_SENTINELS`: the monitored primary's name (`sentinel monitor <name> ...`)",
  ),
  REDIS_SENTINEL_PASSWORD: variable(
    z.preprocess(unsetIfEmpty, z.string().optional()),
    "With `REDIS_SENTINELS`: the sentinels' own password, when they have one",
  ),
  REDIS_CLUSTER_NODES: variable(
    z.preprocess(unsetIfEmpty, hostPortList.optional()),
    'Redis Cluster: some of its nodes, `host:port,...`, from which the relay learns the rest; it follows failovers',
  ),
  REDIS_USERNAME: variable(
    z.preprocess(unsetIfEmpty, z.string().optional()),
    'With `REDIS_SENTINELS` or `REDIS_CLUSTER_NODES`: the ACL user of the Redis nodes (with `REDIS_URL`, in the URL)',
  ),
  REDIS_PASSWORD: variable(
    z.preprocess(unsetIfEmpty, z.string().optional()),
    'With `REDIS_SENTINELS` or `REDIS_CLUSTER_NODES`: the password of the Redis nodes (with `REDIS_URL`, in the URL)',
  ),
  REDIS_TLS: variable(
    booleanFlag.default(false),
    'With `REDIS_SENTINELS` or `REDIS_CLUSTER_NODES`: TLS to the nodes (and to the sentinels); with `REDIS_URL`, `rediss://` says it',
  ),
  REDIS_TLS_VERIFY: variable(
    booleanFlag.default(false),
    "Verify the Redis TLS certificate (Heroku's is self-signed, so off by default)",
  ),
  QUEUE_PREFIX: variable(
    z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "-" and "_" only')
      .default('chorus-relay'),
    'Prefix of every Redis key, used as a hash tag: keys are `{chorus-relay}:...`, all in one Redis Cluster slot',
  ),
  API_KEYS: variable(
    commaList,
    'Comma-separated bootstrap API keys, at least 16 characters each: admins of every supplier. Create scoped keys with `POST /v1/api-keys` (see Security)',
  ),
  BOARD_USER: variable(z.string().min(1), 'Bull Board login'),
  BOARD_PASSWORD: variable(
    z.string().min(12, 'must be at least 12 characters long'),
    'Bull Board password, at least 12 characters',
  ),
  METRICS_TOKEN: variable(
    z.preprocess(unsetIfEmpty, z.string().min(16, 'must be at least 16 characters long').optional()),
    'Bearer token of `GET /metrics` (at least 16 characters); unset: no `/metrics` route',
  ),
  BOARD_READ_ONLY: variable(
    booleanFlag.default(false),
    'Bull Board hides and refuses every action; a failed job links to a retry page',
  ),
  TRUST_PROXY: variable(
    z.preprocess(unsetIfEmpty, trustProxy.optional()),
    'The proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed: a hop count (`1` on Heroku, behind its router) or addresses/subnets (`loopback,10.0.0.0/8`)',
    '`false`',
  ),
  MAX_CONNECTIONS: variable(
    z.coerce.number().int().min(16).max(1_000_000).optional(),
    'Open connections one web process holds: its open-files limit less 128 (at most 10 000); past it, the oldest connection that has not sent a whole request (else the oldest idle one) is closed for the newcomer',
    '_(from the descriptor limit)_',
  ),
  HEADERS_TIMEOUT_SECONDS: variable(
    z.coerce.number().positive().max(600).default(20),
    "A client must have sent its request's headers within this time, or its connection is closed",
  ),
  REQUEST_TIMEOUT_SECONDS: variable(
    z.coerce.number().positive().max(3600).default(120),
    'A client must have sent its whole request within this time (a stalled upload is cut off then)',
  ),
  UPLOAD_BUFFER_MB: variable(
    z.coerce.number().int().min(16).max(16_384).default(400),
    'Request bodies one web process holds in memory at once; past it, a new upload is refused at once (503 `UPLOADS_BUSY`, `Retry-After`)',
  ),
  SECRET_KEY: variable(
    secretKey.optional(),
    '32-byte key, 64 hex characters or base64 (`openssl rand -hex 32`); encrypts Chorus passwords and webhook secrets at rest (AES-256-GCM). To rotate, use `SECRET_KEYS` instead',
    '_(required, or `SECRET_KEYS`)_',
  ),
  SECRET_KEYS: variable(
    z
      .string()
      .transform((value, ctx) => {
        const keys = value.split(',').map((k) => secretKey.safeParse(k));
        if (keys.some((k) => !k.success) || keys.length === 0) {
          ctx.addIssue({
            code: 'custom',
            message: 'must be keys of 32 bytes, as 64 hex characters or base64, comma-separated, newest first',
          });
          return z.NEVER;
        }
        return keys.map((k) => k.data!);
      })
      .optional(),
    'Instead of `SECRET_KEY`: comma-separated keys, newest first; the first seals, all open. Rotate by adding a key in front, running `npm run secrets:reseal`, then removing the old one',
  ),
  LOG_LEVEL: variable(
    z.enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']).default('info'),
    '`error`, `warn`, `info`, `http` (one line per request), `verbose`, `debug`',
  ),
  LOG_FORMAT: variable(z.enum(['json', 'pretty']).optional(), 'Log line format', '`json` in production, else `pretty`'),
  SWEEP_INTERVAL_SECONDS: variable(
    z.coerce.number().int().positive().default(60),
    'How often a worker re-enqueues invoices whose deposit job Redis lost',
  ),
  SWEEP_GRACE_SECONDS: variable(
    z.coerce.number().int().nonnegative().default(30),
    'Invoices younger than this are left to the intake',
  ),
  SHUTDOWN_TIMEOUT_SECONDS: variable(
    z.coerce.number().int().positive().max(30).default(25),
    'Longest graceful shutdown before the process exits anyway (at most 30)',
  ),
  FILE_MAX_PDF_OBJECTS: variable(
    z.coerce.number().int().positive().default(DEFAULT_FILE_LIMITS.maxPdfObjects),
    'PDF objects the intake looks at before refusing a file as too complex (`file_too_complex`)',
  ),
  FILE_MAX_PDF_STREAMS: variable(
    z.coerce.number().int().positive().default(DEFAULT_FILE_LIMITS.maxPdfStreams),
    'PDF streams it inflates (object streams and the invoice)',
  ),
  FILE_MAX_XML_BYTES: variable(
    z.coerce.number().int().positive().default(DEFAULT_FILE_LIMITS.maxXmlBytes),
    'The invoice XML once inflated (20 MiB); also caps each inflation',
  ),
  FILE_MAX_XML_ELEMENTS: variable(
    z.coerce.number().int().positive().default(DEFAULT_FILE_LIMITS.maxXmlElements),
    'XML elements',
  ),
  FILE_MAX_XML_DEPTH: variable(
    z.coerce.number().int().positive().default(DEFAULT_FILE_LIMITS.maxXmlDepth),
    'XML nesting depth',
  ),
  FILE_CHECK_TIMEOUT_MS: variable(
    z.coerce.number().int().positive().default(DEFAULT_FILE_LIMITS.timeoutMs),
    'Time to read one file in its worker thread',
  ),
  FILE_CHECK_MEMORY_MB: variable(
    z.coerce.number().int().min(16).default(DEFAULT_FILE_LIMITS.memoryMb),
    'Heap of each file-reading worker thread',
  ),
  RULES_DIR: variable(
    z.string().min(1).default('.rules'),
    'Where the EN 16931 rules are installed (`npm run rules:install`); without them invoices are not checked against EN 16931',
  ),
  RULES_SOURCE: variable(
    z.string().min(1).default(RELEASE_ARCHIVE_URL),
    'Where `npm start` and `npm run rules:install` take the EN 16931 rules from when none are installed: a release folder or a ZIP URL',
    'the release archive on GitHub',
  ),
  EN16931_THREADS: variable(
    z.coerce.number().int().positive().max(16).default(2),
    'Worker threads running the EN 16931 rules (started with the first file checked)',
  ),
  EN16931_TIMEOUT_MS: variable(
    z.coerce.number().int().positive().default(30_000),
    'Time to check one file against the EN 16931 rules',
  ),
  EN16931_MEMORY_MB: variable(
    z.coerce.number().int().min(64).default(512),
    'Heap of each EN 16931 worker thread (the compiled rules take about 100 MB)',
  ),
  FILE_CHECK_THREADS: variable(
    z.coerce.number().int().positive().max(16).default(DEFAULT_FILE_LIMITS.threads),
    'File-reading worker threads (started with the first file)',
  ),
  FILE_INLINE_MAX_BYTES: variable(
    z.coerce
      .number()
      .int()
      .min(0)
      .max(1024 * 1024)
      .default(DEFAULT_FILE_LIMITS.inlineMaxBytes),
    'A plain XML file up to this size is read on the event loop, not in a worker thread (0: every file goes to the threads)',
  ),
  BATCH_MAX_ENTRIES: variable(
    z.coerce.number().int().positive().default(DEFAULT_BATCH_LIMITS.maxEntries),
    "Files a batch's ZIP may hold (manifest included), or invoices in a JSON batch",
  ),
  BATCH_MAX_TOTAL_MB: variable(
    z.coerce
      .number()
      .int()
      .positive()
      .default(DEFAULT_BATCH_LIMITS.maxTotalBytes / 1024 / 1024),
    "A batch's files together, uncompressed (also the most a ZIP body may weigh)",
  ),
  BATCH_MAX_RATIO: variable(
    z.coerce.number().positive().default(DEFAULT_BATCH_LIMITS.maxRatio),
    'Uncompressed over compressed size of a ZIP entry beyond which it is refused as a compression bomb',
  ),
  PISTE_CLIENT_ID: variable(
    z.string().min(1).optional(),
    'PISTE **production** application id: serves supplier accounts registered with `environment: "production"`. With neither this nor `PISTE_SANDBOX_CLIENT_ID`, `npm start` runs the Chorus Pro simulator for both environments, and says so',
  ),
  PISTE_CLIENT_SECRET: variable(z.string().min(1).optional(), 'Its secret; required with `PISTE_CLIENT_ID`'),
  CHORUS_API_URL: variable(
    z.string().url().default(CHORUS_URLS.production.apiUrl),
    'PISTE gateway for production accounts',
  ),
  CHORUS_OAUTH_URL: variable(
    z.string().url().default(CHORUS_URLS.production.oauthUrl),
    'PISTE token endpoint for production accounts',
  ),
  PISTE_SANDBOX_CLIENT_ID: variable(
    z.string().min(1).optional(),
    'PISTE **sandbox** application id (Chorus Pro qualification; another application than production\'s): serves accounts registered with `environment: "sandbox"`',
  ),
  PISTE_SANDBOX_CLIENT_SECRET: variable(
    z.string().min(1).optional(),
    'Its secret; required with `PISTE_SANDBOX_CLIENT_ID`',
  ),
  CHORUS_SANDBOX_API_URL: variable(
    z.string().url().default(CHORUS_URLS.sandbox.apiUrl),
    'PISTE gateway for sandbox accounts',
  ),
  CHORUS_SANDBOX_OAUTH_URL: variable(
    z.string().url().default(CHORUS_URLS.sandbox.oauthUrl),
    'PISTE token endpoint for sandbox accounts',
  ),
  CHORUS_TIMEOUT_SECONDS: variable(z.coerce.number().int().positive().default(30), 'Timeout of a Chorus Pro call'),
  CHORUS_DEPOSIT_TIMEOUT_SECONDS: variable(
    z.coerce.number().int().positive().default(120),
    'Timeout of a deposit (up to 10 MB of base64)',
  ),
  SIMULATOR_PORT: variable(
    z.coerce.number().int().min(0).max(65535).default(3100),
    'Port of the simulator started by `npm start` or `npm run simulator`',
  ),
  ...simulatorFilesShape,
  CHORUS_MAX_RPS: variable(
    z.coerce.number().int().positive().default(10),
    'Most calls per second to Chorus Pro, all worker processes together',
  ),
  DEPOSIT_CONCURRENCY: variable(
    z.coerce.number().int().positive().default(4),
    'Deposit and report jobs a worker process runs at once',
  ),
  DEPOSIT_BACKOFF_SECONDS: variable(
    z.coerce.number().positive().default(30),
    'First retry delay of a failed deposit, doubled each time (8 attempts)',
  ),
  STRUCTURE_CACHE_SECONDS: variable(
    z.coerce.number().int().positive().default(3600),
    "How long a recipient's structure, flags and services are cached for the pre-check",
  ),
  REPORT_POLL_FIRST_SECONDS: variable(
    z.coerce.number().positive().default(10),
    'First delay between two reads of a deposit report; it grows with each read',
  ),
  REPORT_POLL_MAX_SECONDS: variable(
    z.coerce.number().positive().default(600),
    'Longest delay between two reads of a deposit report',
  ),
  RECONCILE_WINDOW_SECONDS: variable(
    z.coerce
      .number()
      .positive()
      .default(6 * 3600),
    'How long a deposit whose outcome is unknown is looked up at Chorus Pro before it needs an operator',
  ),
  FLUX_STUCK_AFTER_SECONDS: variable(
    z.coerce
      .number()
      .positive()
      .default(48 * 3600),
    'A deposited flux still not final this long after its deposit (any state, documented or not) needs an operator (`FLUX_STUCK`)',
  ),
  SUPPLIER_PAUSE_RECHECK_SECONDS: variable(
    z.coerce.number().positive().default(300),
    'How often the jobs of a paused supplier account look again',
  ),
  WORKER_LOCK_SECONDS: variable(
    z.coerce.number().positive().default(60),
    "Job lock; a killed worker's jobs are taken over after about this long",
  ),
  STATUS_SYNC_INTERVAL_SECONDS: variable(
    z.coerce.number().positive().optional(),
    'Status sync cadence per supplier account',
    '`900` (10 with the simulator of `npm start`)',
  ),
  INTEGRATION_SEARCH_SECONDS: variable(
    z.coerce.number().positive().optional(),
    "While an account's invoices are on their way (deposited and not found yet, or `DEPOSEE`, `EN_COURS_ACHEMINEMENT`), one search of its changed invoices this often finds all of them at once; it slows down to 8 times this while nothing changes",
    '`20` (1 with the simulator of `npm start`)',
  ),
  REPORT_AFTER_SECONDS: variable(
    z.coerce.number().positive().optional(),
    'A deposited flux the searches have not found this long after its deposit has its report read (`consulterCRDetaille`), to learn a rejection and its reasons',
    '`300` (10 with the simulator of `npm start`)',
  ),
  STATUS_SYNC_OVERLAP_SECONDS: variable(
    z.coerce.number().nonnegative().default(300),
    'Each sync asks again for this much time before the previous one',
  ),
  SMTP_URL: variable(
    z.preprocess(
      unsetIfEmpty,
      z
        .string()
        .url()
        .refine((u) => /^smtps?:\/\//.test(u), 'must be an smtp:// or smtps:// URL')
        .optional(),
    ),
    'SMTP server for e-mail alerts, e.g. `smtps://user:password@smtp.example.fr:465`. Unset: e-mail deliveries fail with "No SMTP server is configured" in the delivery log. Never logged',
  ),
  SMTP_ALLOW_PLAINTEXT: variable(
    booleanFlag.default(false),
    'Without it, an `smtp://` server other than loopback must offer STARTTLS (required), or use `smtps://`: credentials never go in clear',
  ),
  ALERT_EMAIL_FROM: variable(
    z.string().min(3).default('chorus-relay <no-reply@chorus-relay.invalid>'),
    'Sender of alert e-mails',
  ),
  PUBLIC_URL: variable(
    z.preprocess(unsetIfEmpty, z.string().url().optional()),
    'Base URL of this API; e-mails then link to `/v1/invoices/{id}`',
  ),
  WEBHOOK_TIMEOUT_SECONDS: variable(
    z.coerce.number().positive().default(10),
    'A webhook receiver that does not answer in time counts as a failed attempt',
  ),
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: variable(
    booleanFlag.default(false),
    'Let webhooks reach loopback, private and link-local addresses, and use `http://` in production. For development and tests only',
    '`false` (`true` in `.env.example`)',
  ),
  DELIVERY_BACKOFF_SECONDS: variable(
    z.coerce.number().positive().default(30),
    'First retry delay of a failed e-mail or webhook, doubled each time (12 attempts, about 17 hours)',
  ),
  CHECKS_INTERVAL_SECONDS: variable(
    z.coerce.number().positive().default(3600),
    'Cadence of the `checks` job (overdue payments, password expiry, end of following)',
  ),
  PAYMENT_DELAY_DAYS: variable(
    z.coerce.number().int().positive().max(365).default(30),
    'Statutory payment delay from `MISE_A_DISPOSITION` (State, local authorities: 30 days)',
  ),
  PAYMENT_DELAY_BY_RECIPIENT: variable(
    z
      .string()
      .transform((text, ctx) => {
        const entries = text
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
          .map((pair) => pair.split('='));
        const bad = entries.find(([siret, days]) => !/^\d{14}$/.test(siret ?? '') || !/^\d{1,3}$/.test(days ?? ''));
        if (bad) {
          ctx.addIssue({ code: 'custom', message: 'must read SIRET=days,SIRET=days (e.g. 26750045200011=50)' });
          return z.NEVER;
        }
        return new Map(entries.map(([siret, days]) => [siret!, Number(days)]));
      })
      .default(new Map()),
    'Per recipient SIRET where it differs: `26750045200011=50,...` (public hospitals: 50 days; public undertakings: 60)',
    '_(empty)_',
  ),
  LATE_PAYMENT_REFERENCE_RATE_PERCENT: variable(
    z.coerce.number().nonnegative().max(50).optional(),
    'The ECB rate of the half-year (percent); overdue alerts then estimate the interest at this rate + 8 points',
  ),
  PAYMENT_FOLLOW_MAX_DAYS: variable(
    z.coerce.number().positive().default(120),
    'For recipients that never report payment (`statutMiseEnPaiementNestPasRemonte`), stop following an invoice this long after `MISE_A_DISPOSITION`',
  ),
  PASSWORD_EXPIRY_WARNING_DAYS: variable(
    z.coerce.number().int().nonnegative().default(30),
    "Alert when a technical account's password (`dateExpirationMotPasseCompteTech`) expires within this many days",
  ),
  SYNC_FAILING_ALERT_SECONDS: variable(
    z.coerce.number().positive().default(1800),
    "Alert (`supplier.sync_failing`) when a supplier account's status syncs have failed this long",
  ),
  FAILPOINTS: variable(
    z.string().default(''),
    'Tests only: `deposit:before-call`, `deposit:after-response` make a worker SIGKILL itself there',
  ),
});

export type Env = z.input<typeof envSchema>;

export interface RulesConfig {
  readonly dir: string;
  readonly source: string;
  readonly threads: number;
  readonly timeoutMs: number;
  readonly memoryMb: number;
}

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** How the nodes of a Sentinel or Cluster deployment are reached. */
export interface RedisNodeAccess {
  readonly username?: string;
  readonly password?: string;
  readonly tls: boolean;
  readonly tlsVerify: boolean;
}

/** Where Redis is: one node (REDIS_URL), a primary that Sentinel watches, or a Redis Cluster. */
export type RedisConfig =
  | { readonly topology: 'single'; readonly url: string; readonly tlsVerify: boolean }
  | (RedisNodeAccess & {
      readonly topology: 'sentinel';
      readonly sentinels: readonly HostPort[];
      readonly name: string;
      readonly sentinelPassword?: string;
    })
  | (RedisNodeAccess & { readonly topology: 'cluster'; readonly nodes: readonly HostPort[] });

export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly port: number;
  /** Web processes sharing PORT (node:cluster), as Heroku's WEB_CONCURRENCY. (Default: 1) */
  readonly webConcurrency: number;
  readonly database: { readonly url: string; readonly ssl: boolean; readonly poolMax?: number };
  readonly redis: RedisConfig;
  /** The EN 16931 rules: where they are installed and come from, and the threads that run them. */
  readonly rules: RulesConfig;
  /**
   * Prefix of every Redis key, BullMQ's and ours: QUEUE_PREFIX as a hash tag, `{chorus-relay}` by default; tests use a
   * unique one per file.
   */
  readonly queuePrefix: string;
  readonly apiKeys: readonly string[];
  /** METRICS_TOKEN: the bearer token of GET /metrics; null: no /metrics route. */
  readonly metricsToken: string | null;
  /** Bull Board's basic-auth credentials; readOnly (BOARD_READ_ONLY): every action but retry refused. */
  readonly board: { readonly user: string; readonly password: string; readonly readOnly: boolean };
  /** How the web process takes connections (src/http/connections.ts). */
  readonly http: HttpConfig;
  /** SECRET_KEYS (or the one SECRET_KEY), newest first: the first seals, all open. */
  readonly secretKeys: readonly Buffer[];
  readonly log: { readonly level: string; readonly format: 'json' | 'pretty' };
  /** How often a worker looks for stored invoices whose job Redis lost. (Default: 60 s) */
  readonly sweepIntervalMs: number;
  /** An invoice younger than this is left alone by the sweeper: its job may be on its way. (Default: 30 s) */
  readonly sweepGraceMs: number;
  readonly shutdownTimeoutMs: number;
  /** How far the intake reads an invoice file before refusing it as too complex. */
  readonly fileLimits: FileLimits;
  /** What a batch's ZIP may hold, checked before anything is unpacked or written. */
  readonly batchLimits: BatchLimits;
  /**
   * Chorus Pro through PISTE, per environment (a supplier account says which it uses); an environment without
   * credentials is null, and `chorus` is null when neither has any (npm start then uses the simulator for both).
   */
  readonly chorus: ChorusEnvironments | null;
  /** Where `npm start` and `npm run simulator` run the simulator. (Default: 3100) */
  readonly simulatorPort: number;
  /** The scenario the simulator plays. (Default: scenarios/demo.json) */
  readonly simulatorScenario: string | null;
  /** The file the simulator keeps its state in across restarts. (Default: .simulator-state.json) */
  readonly simulatorStateFile: string | null;
  readonly pipeline: PipelineConfig;
  readonly alerts: AlertsConfig;
  readonly failpoints: readonly string[];
}

export interface PipelineConfig {
  /** All calls to Chorus Pro from all processes together stay at or under this. (Default: 10) */
  readonly chorusMaxRps: number;
  readonly depositConcurrency: number;
  /** First retry delay of a failed deposit attempt, doubled at each attempt. (Default: 30 s) */
  readonly depositBackoffMs: number;
  readonly structureCacheSeconds: number;
  /** First and longest delay between two reads of a deposit report. (Default: 10 s, 10 min) */
  readonly reportPollFirstMs: number;
  readonly reportPollMaxMs: number;
  /** How long an unknown deposit outcome is looked up at Chorus Pro before an operator must decide. (Default: 6 h) */
  readonly reconcileWindowMs: number;
  /** A flux not final this long after its deposit needs a person (FLUX_STUCK_AFTER_SECONDS, default 48 h). */
  readonly fluxStuckAfterMs: number;
  readonly supplierPauseRecheckMs: number;
  /** Job lock; a killed worker's jobs are taken over after about this long. (Default: 60 s) */
  readonly workerLockMs: number;
  /** How often each supplier account's statuses are synced. (Default: 15 min; 10 s with the simulator of npm start) */
  readonly statusSyncIntervalMs: number;
  /**
   * Each sync asks again for this much time before the previous one, so that no late change is missed. (Default: 5 min)
   */
  readonly statusSyncOverlapMs: number;
  /** First retry delay of a failed e-mail or webhook delivery, doubled at each attempt. (Default: 30 s) */
  readonly deliveryBackoffMs: number;
  /** Whether STATUS_SYNC_INTERVAL_SECONDS was set (npm start with the simulator shortens the default only). */
  readonly statusSyncIntervalExplicit: boolean;
  /** The integration search's cadence while invoices are on their way. (Default: 20 s; 1 s with the simulator) */
  readonly integrationSearchMs: number;
  /** A flux not found by the searches this long after its deposit has its report read. (Default: 5 min) */
  readonly reportAfterMs: number;
  /** Whether INTEGRATION_SEARCH_SECONDS and REPORT_AFTER_SECONDS were set (the simulator shortens defaults only). */
  readonly integrationTimingExplicit: { search: boolean; report: boolean };
}

export interface HttpConfig {
  /** TRUST_PROXY: the proxies whose X-Forwarded-For is believed; false: the socket's address is the client. */
  readonly trustProxy: false | number | readonly string[];
  /** MAX_CONNECTIONS; null: sized from the process's file-descriptor limit at start. */
  readonly maxConnections: number | null;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** UPLOAD_BUFFER_MB, in bytes. */
  readonly uploadBufferBytes: number;
}

export interface AlertsConfig {
  /** Where e-mails go out; null: e-mail deliveries fail with a clear reason. Holds a password: never logged. */
  readonly smtpUrl: string | null;
  /** SMTP_ALLOW_PLAINTEXT: no TLS required to a server other than loopback. */
  readonly smtpAllowPlaintext: boolean;
  readonly emailFrom: string;
  /** Base URL of this API, for links in e-mails. */
  readonly publicUrl: string | null;
  readonly webhookTimeoutMs: number;
  /**
   * WEBHOOK_ALLOW_PRIVATE_NETWORKS: webhooks may reach loopback and private addresses, and use http:// in production.
   */
  readonly webhookAllowPrivateNetworks: boolean;
  /** NODE_ENV=production: webhook URLs must be https://. */
  readonly production: boolean;
  /**
   * Statutory payment delay: 30 days for the State and most public bodies; per recipient where it differs (50 for
   * hospitals).
   */
  readonly paymentDelayDays: number;
  readonly paymentDelayByRecipient: ReadonlyMap<string, number>;
  /** The ECB reference rate (percent) for the late-payment interest estimate; no estimate when unset. */
  readonly latePaymentReferenceRatePercent: number | null;
  /**
   * For recipients that never report payment (statutMiseEnPaiementNestPasRemonte): stop following this long after
   * MISE_A_DISPOSITION.
   */
  readonly paymentFollowMaxMs: number;
  readonly passwordExpiryWarningDays: number;
  readonly checksIntervalMs: number;
  /** SYNC_FAILING_ALERT_SECONDS: how long a supplier account's status syncs fail before the alert. */
  readonly syncFailingAlertMs: number;
}

export type ChorusEnvironments = Readonly<Record<ChorusEnvironment, ChorusConfig | null>>;

/** The environments that have PISTE credentials. */
export function configuredEnvironments(chorus: ChorusEnvironments | null): ChorusEnvironment[] {
  return chorus ? CHORUS_ENVIRONMENTS.filter((environment) => chorus[environment] !== null) : [];
}

export interface ChorusConfig {
  readonly apiUrl: string;
  readonly oauthUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly timeoutMs: number;
  readonly depositTimeoutMs: number;
}

/** What each required variable is and how to make one, for the message that says it is missing. */
const REQUIRED_HINTS: Record<string, string> = {
  API_KEYS: "the intake's API keys, comma-separated, at least 16 characters each (openssl rand -hex 16)",
  BOARD_USER: "the user name of Bull Board's login",
  BOARD_PASSWORD: "the password of Bull Board's login",
  SECRET_KEY: 'the key that seals Chorus passwords and webhook secrets, 32 bytes as hex (openssl rand -hex 32)',
  DATABASE_URL: 'postgres://user:password@host:5432/database',
};

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\n` +
        'Set them in the environment (Heroku: heroku config:set NAME=value) or in .env (see .env.example; docs/configuration.md).',
    );
    this.name = 'ConfigError';
  }
}

/** Only what migrations need, so the release phase and the one-shot migrate service need no API keys. */
export function loadDatabaseConfig(
  env: Record<string, string | undefined> = process.env,
): Pick<Config, 'database' | 'log'> {
  const parsed = envSchema
    .pick({ NODE_ENV: true, DATABASE_URL: true, DATABASE_SSL: true, LOG_LEVEL: true, LOG_FORMAT: true })
    .safeParse(env);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`));
  const e = parsed.data;
  return {
    database: { url: e.DATABASE_URL, ssl: e.DATABASE_SSL },
    log: { level: e.LOG_LEVEL, format: logFormat(e.LOG_FORMAT, e.NODE_ENV) },
  };
}

/** Only where the EN 16931 rules go and come from, for `npm run rules:install`, which needs nothing else. */
export function loadRulesConfig(
  env: Record<string, string | undefined> = process.env,
): Pick<RulesConfig, 'dir' | 'source'> {
  const parsed = envSchema.pick({ RULES_DIR: true, RULES_SOURCE: true }).safeParse(env);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`));
  return { dir: parsed.data.RULES_DIR, source: parsed.data.RULES_SOURCE };
}

function logFormat(format: 'json' | 'pretty' | undefined, nodeEnv: Config['env']): 'json' | 'pretty' {
  return format ?? (nodeEnv === 'production' ? 'json' : 'pretty');
}

interface EnvironmentSettings {
  clientId: string | undefined;
  clientSecret: string | undefined;
  apiUrl: string;
  oauthUrl: string;
}

function chorusEnvironments(
  settings: Record<ChorusEnvironment, EnvironmentSettings> & { timeoutMs: number; depositTimeoutMs: number },
): ChorusEnvironments | null {
  const one = (s: EnvironmentSettings): ChorusConfig | null =>
    s.clientId !== undefined && s.clientSecret !== undefined
      ? Object.freeze({
          apiUrl: s.apiUrl,
          oauthUrl: s.oauthUrl,
          clientId: s.clientId,
          clientSecret: s.clientSecret,
          timeoutMs: settings.timeoutMs,
          depositTimeoutMs: settings.depositTimeoutMs,
        })
      : null;
  const environments = { production: one(settings.production), sandbox: one(settings.sandbox) };
  return environments.production || environments.sandbox ? Object.freeze(environments) : null;
}

function redisConfig(e: z.output<typeof envSchema>): RedisConfig {
  const access: RedisNodeAccess = {
    ...(e.REDIS_USERNAME === undefined ? {} : { username: e.REDIS_USERNAME }),
    ...(e.REDIS_PASSWORD === undefined ? {} : { password: e.REDIS_PASSWORD }),
    tls: e.REDIS_TLS,
    tlsVerify: e.REDIS_TLS_VERIFY,
  };
  if (e.REDIS_SENTINELS)
    return Object.freeze({
      topology: 'sentinel',
      ...access,
      sentinels: Object.freeze(e.REDIS_SENTINELS),
      // Checked by loadConfig: REDIS_SENTINELS comes with its name.
      name: e.REDIS_SENTINEL_NAME ?? '',
      ...(e.REDIS_SENTINEL_PASSWORD === undefined ? {} : { sentinelPassword: e.REDIS_SENTINEL_PASSWORD }),
    });
  if (e.REDIS_CLUSTER_NODES)
    return Object.freeze({ topology: 'cluster', ...access, nodes: Object.freeze(e.REDIS_CLUSTER_NODES) });
  return Object.freeze({ topology: 'single', url: e.REDIS_URL ?? DEFAULT_REDIS_URL, tlsVerify: e.REDIS_TLS_VERIFY });
}

/** Parses the environment once. Never echoes a value: some of them are secrets. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema
    .superRefine((e, ctx) => {
      const pairs = [
        ['PISTE_CLIENT_ID', 'PISTE_CLIENT_SECRET'],
        ['PISTE_SANDBOX_CLIENT_ID', 'PISTE_SANDBOX_CLIENT_SECRET'],
      ] as const;
      for (const [id, secret] of pairs) {
        if ((e[id] === undefined) !== (e[secret] === undefined)) {
          ctx.addIssue({
            code: 'custom',
            path: [e[id] === undefined ? id : secret],
            message: `must be set together with ${e[id] === undefined ? secret : id}`,
          });
        }
      }
      if (e.SECRET_KEY === undefined && e.SECRET_KEYS === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['SECRET_KEY'],
          message: `is required but not set (or SECRET_KEYS): ${REQUIRED_HINTS.SECRET_KEY}`,
        });
      const topologies = (['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'] as const).filter(
        (name) => e[name] !== undefined,
      );
      if (topologies.length > 1)
        ctx.addIssue({
          code: 'custom',
          path: [topologies[1]!],
          message: `and ${topologies[0]} are both set: set one of REDIS_URL (one node), REDIS_SENTINELS (Sentinel) or REDIS_CLUSTER_NODES (Cluster)`,
        });
      if (e.REDIS_SENTINELS !== undefined && e.REDIS_SENTINEL_NAME === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['REDIS_SENTINEL_NAME'],
          message: "is required with REDIS_SENTINELS: the monitored primary's name",
        });
      if (e.SECRET_KEY !== undefined && e.SECRET_KEYS !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['SECRET_KEYS'],
          message: 'replaces SECRET_KEY: set one of them, not both',
        });
    })
    .safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = issue.path.join('.');
      if (issue.code === 'invalid_type' && env[name] === undefined)
        return `${name} is required but not set${REQUIRED_HINTS[name] ? `: ${REQUIRED_HINTS[name]}` : ''}`;
      return `${name} ${issue.message.replace(/^Invalid input: /, '')}`;
    });
    // The cross-field checks run only once every field parses; say this one anyway.
    const noKey = `SECRET_KEY is required but not set (or SECRET_KEYS): ${REQUIRED_HINTS.SECRET_KEY}`;
    if (env.SECRET_KEY === undefined && env.SECRET_KEYS === undefined && !problems.includes(noKey))
      problems.push(noKey);
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  return Object.freeze({
    env: e.NODE_ENV,
    port: e.PORT,
    webConcurrency: e.WEB_CONCURRENCY,
    database: Object.freeze({ url: e.DATABASE_URL, ssl: e.DATABASE_SSL, poolMax: e.DATABASE_POOL_MAX }),
    redis: redisConfig(e),
    rules: Object.freeze({
      dir: e.RULES_DIR,
      source: e.RULES_SOURCE,
      threads: e.EN16931_THREADS,
      timeoutMs: e.EN16931_TIMEOUT_MS,
      memoryMb: e.EN16931_MEMORY_MB,
    }),
    // A hash tag: every key of ours and of BullMQ lands in one Redis Cluster slot, as their multi-key scripts need.
    queuePrefix: `{${e.QUEUE_PREFIX}}`,
    apiKeys: Object.freeze([...e.API_KEYS]),
    metricsToken: e.METRICS_TOKEN ?? null,
    board: Object.freeze({ user: e.BOARD_USER, password: e.BOARD_PASSWORD, readOnly: e.BOARD_READ_ONLY }),
    http: Object.freeze({
      trustProxy: e.TRUST_PROXY ?? false,
      maxConnections: e.MAX_CONNECTIONS ?? null,
      headersTimeoutMs: e.HEADERS_TIMEOUT_SECONDS * 1000,
      requestTimeoutMs: e.REQUEST_TIMEOUT_SECONDS * 1000,
      uploadBufferBytes: e.UPLOAD_BUFFER_MB * 1024 * 1024,
    }),
    secretKeys: Object.freeze(e.SECRET_KEYS ?? (e.SECRET_KEY ? [e.SECRET_KEY] : [])),
    log: Object.freeze({ level: e.LOG_LEVEL, format: logFormat(e.LOG_FORMAT, e.NODE_ENV) }),
    sweepIntervalMs: e.SWEEP_INTERVAL_SECONDS * 1000,
    sweepGraceMs: e.SWEEP_GRACE_SECONDS * 1000,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_SECONDS * 1000,
    fileLimits: Object.freeze({
      maxPdfObjects: e.FILE_MAX_PDF_OBJECTS,
      maxPdfStreams: e.FILE_MAX_PDF_STREAMS,
      maxXmlBytes: e.FILE_MAX_XML_BYTES,
      maxXmlElements: e.FILE_MAX_XML_ELEMENTS,
      maxXmlDepth: e.FILE_MAX_XML_DEPTH,
      timeoutMs: e.FILE_CHECK_TIMEOUT_MS,
      memoryMb: e.FILE_CHECK_MEMORY_MB,
      threads: e.FILE_CHECK_THREADS,
      inlineMaxBytes: e.FILE_INLINE_MAX_BYTES,
    }),
    batchLimits: Object.freeze({
      maxEntries: e.BATCH_MAX_ENTRIES,
      maxTotalBytes: e.BATCH_MAX_TOTAL_MB * 1024 * 1024,
      maxRatio: e.BATCH_MAX_RATIO,
    }),
    chorus: chorusEnvironments({
      production: {
        clientId: e.PISTE_CLIENT_ID,
        clientSecret: e.PISTE_CLIENT_SECRET,
        apiUrl: e.CHORUS_API_URL,
        oauthUrl: e.CHORUS_OAUTH_URL,
      },
      sandbox: {
        clientId: e.PISTE_SANDBOX_CLIENT_ID,
        clientSecret: e.PISTE_SANDBOX_CLIENT_SECRET,
        apiUrl: e.CHORUS_SANDBOX_API_URL,
        oauthUrl: e.CHORUS_SANDBOX_OAUTH_URL,
      },
      timeoutMs: e.CHORUS_TIMEOUT_SECONDS * 1000,
      depositTimeoutMs: e.CHORUS_DEPOSIT_TIMEOUT_SECONDS * 1000,
    }),
    simulatorPort: e.SIMULATOR_PORT,
    simulatorScenario: e.SIMULATOR_SCENARIO || null,
    simulatorStateFile: e.SIMULATOR_STATE_FILE || null,
    pipeline: Object.freeze({
      chorusMaxRps: e.CHORUS_MAX_RPS,
      depositConcurrency: e.DEPOSIT_CONCURRENCY,
      depositBackoffMs: e.DEPOSIT_BACKOFF_SECONDS * 1000,
      structureCacheSeconds: e.STRUCTURE_CACHE_SECONDS,
      reportPollFirstMs: e.REPORT_POLL_FIRST_SECONDS * 1000,
      reportPollMaxMs: e.REPORT_POLL_MAX_SECONDS * 1000,
      reconcileWindowMs: e.RECONCILE_WINDOW_SECONDS * 1000,
      fluxStuckAfterMs: e.FLUX_STUCK_AFTER_SECONDS * 1000,
      supplierPauseRecheckMs: e.SUPPLIER_PAUSE_RECHECK_SECONDS * 1000,
      workerLockMs: e.WORKER_LOCK_SECONDS * 1000,
      statusSyncIntervalMs: (e.STATUS_SYNC_INTERVAL_SECONDS ?? 15 * 60) * 1000,
      statusSyncIntervalExplicit: e.STATUS_SYNC_INTERVAL_SECONDS !== undefined,
      statusSyncOverlapMs: e.STATUS_SYNC_OVERLAP_SECONDS * 1000,
      integrationSearchMs: (e.INTEGRATION_SEARCH_SECONDS ?? 20) * 1000,
      reportAfterMs: (e.REPORT_AFTER_SECONDS ?? 300) * 1000,
      integrationTimingExplicit: {
        search: e.INTEGRATION_SEARCH_SECONDS !== undefined,
        report: e.REPORT_AFTER_SECONDS !== undefined,
      },
      deliveryBackoffMs: e.DELIVERY_BACKOFF_SECONDS * 1000,
    }),
    alerts: Object.freeze({
      smtpUrl: e.SMTP_URL ?? null,
      smtpAllowPlaintext: e.SMTP_ALLOW_PLAINTEXT,
      emailFrom: e.ALERT_EMAIL_FROM,
      publicUrl: e.PUBLIC_URL ?? null,
      webhookTimeoutMs: e.WEBHOOK_TIMEOUT_SECONDS * 1000,
      webhookAllowPrivateNetworks: e.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
      production: e.NODE_ENV === 'production',
      paymentDelayDays: e.PAYMENT_DELAY_DAYS,
      paymentDelayByRecipient: e.PAYMENT_DELAY_BY_RECIPIENT,
      latePaymentReferenceRatePercent: e.LATE_PAYMENT_REFERENCE_RATE_PERCENT ?? null,
      paymentFollowMaxMs: e.PAYMENT_FOLLOW_MAX_DAYS * DAY_MS,
      passwordExpiryWarningDays: e.PASSWORD_EXPIRY_WARNING_DAYS,
      checksIntervalMs: e.CHECKS_INTERVAL_SECONDS * 1000,
      syncFailingAlertMs: e.SYNC_FAILING_ALERT_SECONDS * 1000,
    }),
    failpoints: Object.freeze(
      e.FAILPOINTS.split(',')
        .map((f) => f.trim())
        .filter(Boolean),
    ),
  });
}

/** The same configuration, with Chorus Pro played by the simulator at `url`, for both environments. */
export function withSimulator(
  config: Config,
  url: string,
  application: { clientId: string; clientSecret: string },
): Config {
  const simulator: ChorusConfig = Object.freeze({
    apiUrl: url,
    oauthUrl: `${url}/api/oauth/token`,
    clientId: application.clientId,
    clientSecret: application.clientSecret,
    timeoutMs: 30_000,
    depositTimeoutMs: 120_000,
  });
  return Object.freeze({
    ...config,
    // The simulator moves an invoice along in seconds: sync often enough for a demo to see it.
    pipeline: Object.freeze({
      ...config.pipeline,
      statusSyncIntervalMs: config.pipeline.statusSyncIntervalExplicit ? config.pipeline.statusSyncIntervalMs : 10_000,
      integrationSearchMs: config.pipeline.integrationTimingExplicit.search
        ? config.pipeline.integrationSearchMs
        : 1_000,
      reportAfterMs: config.pipeline.integrationTimingExplicit.report ? config.pipeline.reportAfterMs : 10_000,
    }),
    chorus: Object.freeze({ production: simulator, sandbox: simulator }),
  });
}

const simulatorEnvSchema = z.object({
  SIMULATOR_PORT: z.coerce.number().int().min(0).max(65535).default(3100),
  SIMULATOR_HOST: variable(
    z.string().default('127.0.0.1'),
    'Where `npm run simulator` listens: loopback unless told otherwise, its admin API has no auth (docker-compose sets `0.0.0.0`)',
  ),
  ...simulatorFilesShape,
  SIMULATOR_FLUX_STEP_MS: variable(
    z.coerce.number().int().positive().optional(),
    "Time between two flux states, over the scenario's (1 000 ms by default)",
  ),
  SIMULATOR_INVOICE_STEP_MS: variable(
    z.coerce.number().int().positive().optional(),
    "Time between `DEPOSEE`, `EN_COURS_ACHEMINEMENT` and `MISE_A_DISPOSITION`, over the scenario's (1 000 ms by default)",
  ),
  SIMULATOR_FAULTS: variable(
    z
      .string()
      .transform((text, ctx) => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be JSON' });
          return z.NEVER;
        }
      })
      .optional(),
    "Faults at start-up, as JSON: the body of `PUT /simulator/faults`, over the scenario's faults",
  ),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
});

export function loadSimulatorConfig(env: Record<string, string | undefined> = process.env) {
  const parsed = simulatorEnvSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`));
  const e = parsed.data;
  return {
    port: e.SIMULATOR_PORT,
    host: e.SIMULATOR_HOST,
    scenario: e.SIMULATOR_SCENARIO || null,
    stateFile: e.SIMULATOR_STATE_FILE || null,
    timing: {
      ...(e.SIMULATOR_FLUX_STEP_MS === undefined ? {} : { fluxStepMs: e.SIMULATOR_FLUX_STEP_MS }),
      ...(e.SIMULATOR_INVOICE_STEP_MS === undefined ? {} : { invoiceStepMs: e.SIMULATOR_INVOICE_STEP_MS }),
    },
    faults: e.SIMULATOR_FAULTS,
    log: { level: e.LOG_LEVEL, format: logFormat(e.LOG_FORMAT, e.NODE_ENV) },
  };
}

type Row = { name: string; shown: string; doc: string };

/** The default of a variable as the configuration page shows it. */
function shownDefault(schema: z.ZodType): string {
  const meta = z.globalRegistry.get(schema) as { shownDefault?: string } | undefined;
  if (meta?.shownDefault !== undefined) return meta.shownDefault;
  const def = schema._zod.def;
  if (def.type === 'default') {
    const value: unknown = (def as z.core.$ZodDefaultDef).defaultValue;
    return value === '' ? '_(empty)_' : `\`${String(value)}\``;
  }
  return schema.safeParse(undefined).success ? '_(none)_' : '_(required)_';
}

function rowsOf(shape: Record<string, z.ZodType>, skip: ReadonlySet<string> = new Set()): Row[] {
  return Object.entries(shape)
    .filter(([name]) => !skip.has(name))
    .map(([name, schema]) => {
      const meta = z.globalRegistry.get(schema) as { doc?: string } | undefined;
      if (!meta?.doc) throw new Error(`${name} has no description: declare it with variable()`);
      return { name, shown: shownDefault(schema), doc: meta.doc };
    });
}

function markdownTable(rows: Row[]): string {
  const cells = [['Variable', 'Default', 'Meaning'], ...rows.map((r) => [`\`${r.name}\``, r.shown, r.doc])];
  const widths = [0, 1, 2].map((i) => Math.max(3, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(cells[0]!), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...cells.slice(1).map(line)].join(
    '\n',
  );
}

/**
 * The configuration page's tables, from the schemas above: the relay's variables, and those `npm run simulator`
 * reads alone. docs/configuration.md holds them; a test keeps it equal.
 */
export function configurationTables(): { relay: string; simulator: string } {
  const relayNames = new Set(Object.keys(envSchema.shape));
  return {
    relay: markdownTable(rowsOf(envSchema.shape)),
    simulator: markdownTable(rowsOf(simulatorEnvSchema.shape, relayNames)),
  };
}
