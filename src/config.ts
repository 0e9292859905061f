/**
 * The only module that reads `process.env`. Everything else receives a parsed, frozen `Config`.
 * A missing or invalid variable stops the process with a message naming it, before any connection is opened.
 */
import { z } from 'zod';
import { DEFAULT_BATCH_LIMITS, type BatchLimits } from './batches/archive.js';
import { DEFAULT_FILE_LIMITS, type FileLimits } from './invoices/einvoice/limits.js';
import { CHORUS_ENVIRONMENTS, CHORUS_URLS, type ChorusEnvironment } from './chorus/environments.js';
import { DAY_MS } from './shared/time.js';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/chorus_relay';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** "true"/"false" as environment variables spell them; z.coerce.boolean would read "false" as true. */
const booleanFlag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** A 32-byte key given as 64 hex characters or as base64 (44 characters with padding). */
const secretKey = z.string().transform((value, ctx) => {
  const trimmed = value.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (bytes.length !== 32) {
    ctx.addIssue({ code: 'custom', message: 'must be 32 bytes, as 64 hex characters or base64 (e.g. `openssl rand -hex 32`)' });
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

const postgresUrl = z
  .string()
  .url()
  .refine((u) => /^postgres(ql)?:\/\//.test(u), 'must be a postgres:// URL');
const redisUrl = z
  .string()
  .url()
  .refine((u) => /^rediss?:\/\//.test(u), 'must be a redis:// or rediss:// URL');

/** The simulator's scenario and state files, for `npm start` (when it plays Chorus Pro) and `npm run simulator`. */
const simulatorFilesShape = {
  /** A scenario file (structures, recipients' decisions, faults); see scenarios/. */
  SIMULATOR_SCENARIO: z.string().default('scenarios/demo.json'),
  /** Where the simulator keeps its state across restarts; empty: nothing kept. */
  SIMULATOR_STATE_FILE: z.string().default('.simulator-state.json'),
};

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  WEB_CONCURRENCY: z.coerce.number().int().positive().max(64).default(1),
  DATABASE_URL: postgresUrl.default(DEFAULT_DATABASE_URL),
  DATABASE_SSL: booleanFlag.default(false),
  DATABASE_POOL_MAX: z.coerce.number().int().positive().max(200).default(10),
  REDIS_URL: redisUrl.default(DEFAULT_REDIS_URL),
  REDIS_TLS_VERIFY: booleanFlag.default(false),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "-" and "_" only')
    .default('chorus-relay'),
  API_KEYS: commaList,
  BOARD_USER: z.string().min(1),
  BOARD_PASSWORD: z.string().min(12, 'must be at least 12 characters long'),
  /** Bearer token of GET /metrics; unset: no /metrics route. */
  METRICS_TOKEN: z.preprocess(unsetIfEmpty, z.string().min(16, 'must be at least 16 characters long').optional()),
  /** Bull Board refuses every action but retry. */
  BOARD_READ_ONLY: booleanFlag.default(false),
  /** One key; or SECRET_KEYS, comma-separated, newest first, to rotate (the first seals, all open). */
  SECRET_KEY: secretKey.optional(),
  SECRET_KEYS: z
    .string()
    .transform((value, ctx) => {
      const keys = value.split(',').map((k) => secretKey.safeParse(k));
      if (keys.some((k) => !k.success) || keys.length === 0) {
        ctx.addIssue({ code: 'custom', message: 'must be keys of 32 bytes, as 64 hex characters or base64, comma-separated, newest first' });
        return z.NEVER;
      }
      return keys.map((k) => k.data!);
    })
    .optional(),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  SWEEP_INTERVAL_SECONDS: z.coerce.number().int().positive().default(60),
  SWEEP_GRACE_SECONDS: z.coerce.number().int().nonnegative().default(30),
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().int().positive().max(30).default(25),
  // How far the intake reads a file (src/invoices/einvoice/limits.ts): a hostile file costs at most this.
  FILE_MAX_PDF_OBJECTS: z.coerce.number().int().positive().default(DEFAULT_FILE_LIMITS.maxPdfObjects),
  FILE_MAX_PDF_STREAMS: z.coerce.number().int().positive().default(DEFAULT_FILE_LIMITS.maxPdfStreams),
  FILE_MAX_XML_BYTES: z.coerce.number().int().positive().default(DEFAULT_FILE_LIMITS.maxXmlBytes),
  FILE_MAX_XML_ELEMENTS: z.coerce.number().int().positive().default(DEFAULT_FILE_LIMITS.maxXmlElements),
  FILE_MAX_XML_DEPTH: z.coerce.number().int().positive().default(DEFAULT_FILE_LIMITS.maxXmlDepth),
  FILE_CHECK_TIMEOUT_MS: z.coerce.number().int().positive().default(DEFAULT_FILE_LIMITS.timeoutMs),
  FILE_CHECK_MEMORY_MB: z.coerce.number().int().min(16).default(DEFAULT_FILE_LIMITS.memoryMb),
  FILE_CHECK_THREADS: z.coerce.number().int().positive().max(16).default(DEFAULT_FILE_LIMITS.threads),
  FILE_INLINE_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(1024 * 1024)
    .default(DEFAULT_FILE_LIMITS.inlineMaxBytes),
  BATCH_MAX_ENTRIES: z.coerce.number().int().positive().default(DEFAULT_BATCH_LIMITS.maxEntries),
  BATCH_MAX_TOTAL_MB: z.coerce
    .number()
    .int()
    .positive()
    .default(DEFAULT_BATCH_LIMITS.maxTotalBytes / 1024 / 1024),
  BATCH_MAX_RATIO: z.coerce.number().positive().default(DEFAULT_BATCH_LIMITS.maxRatio),
  // Production accounts: PISTE's production application and URLs.
  PISTE_CLIENT_ID: z.string().min(1).optional(),
  PISTE_CLIENT_SECRET: z.string().min(1).optional(),
  CHORUS_API_URL: z.string().url().default(CHORUS_URLS.production.apiUrl),
  CHORUS_OAUTH_URL: z.string().url().default(CHORUS_URLS.production.oauthUrl),
  // Sandbox accounts (Chorus Pro qualification): another PISTE application, other URLs.
  PISTE_SANDBOX_CLIENT_ID: z.string().min(1).optional(),
  PISTE_SANDBOX_CLIENT_SECRET: z.string().min(1).optional(),
  CHORUS_SANDBOX_API_URL: z.string().url().default(CHORUS_URLS.sandbox.apiUrl),
  CHORUS_SANDBOX_OAUTH_URL: z.string().url().default(CHORUS_URLS.sandbox.oauthUrl),
  CHORUS_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(30),
  CHORUS_DEPOSIT_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(120),
  SIMULATOR_PORT: z.coerce.number().int().min(0).max(65535).default(3100),
  ...simulatorFilesShape,
  CHORUS_MAX_RPS: z.coerce.number().int().positive().default(10),
  DEPOSIT_CONCURRENCY: z.coerce.number().int().positive().default(4),
  DEPOSIT_BACKOFF_SECONDS: z.coerce.number().positive().default(30),
  STRUCTURE_CACHE_SECONDS: z.coerce.number().int().positive().default(3600),
  REPORT_POLL_FIRST_SECONDS: z.coerce.number().positive().default(10),
  REPORT_POLL_MAX_SECONDS: z.coerce.number().positive().default(600),
  RECONCILE_WINDOW_SECONDS: z.coerce
    .number()
    .positive()
    .default(6 * 3600),
  FLUX_STUCK_AFTER_SECONDS: z.coerce
    .number()
    .positive()
    .default(48 * 3600),
  SUPPLIER_PAUSE_RECHECK_SECONDS: z.coerce.number().positive().default(300),
  WORKER_LOCK_SECONDS: z.coerce.number().positive().default(60),
  STATUS_SYNC_INTERVAL_SECONDS: z.coerce.number().positive().optional(),
  STATUS_SYNC_OVERLAP_SECONDS: z.coerce.number().nonnegative().default(300),
  SMTP_URL: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .url()
      .refine((u) => /^smtps?:\/\//.test(u), 'must be an smtp:// or smtps:// URL')
      .optional(),
  ),
  /** Let SMTP credentials and mail go in clear to a server other than loopback that offers no STARTTLS. */
  SMTP_ALLOW_PLAINTEXT: booleanFlag.default(false),
  ALERT_EMAIL_FROM: z.string().min(3).default('chorus-relay <no-reply@chorus-relay.invalid>'),
  PUBLIC_URL: z.preprocess(unsetIfEmpty, z.string().url().optional()),
  WEBHOOK_TIMEOUT_SECONDS: z.coerce.number().positive().default(10),
  /** Let webhooks reach loopback and private addresses (development, tests); also allows http:// in production. */
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: booleanFlag.default(false),
  DELIVERY_BACKOFF_SECONDS: z.coerce.number().positive().default(30),
  CHECKS_INTERVAL_SECONDS: z.coerce.number().positive().default(3600),
  PAYMENT_DELAY_DAYS: z.coerce.number().int().positive().max(365).default(30),
  PAYMENT_DELAY_BY_RECIPIENT: z
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
  LATE_PAYMENT_REFERENCE_RATE_PERCENT: z.coerce.number().nonnegative().max(50).optional(),
  PAYMENT_FOLLOW_MAX_DAYS: z.coerce.number().positive().default(120),
  PASSWORD_EXPIRY_WARNING_DAYS: z.coerce.number().int().nonnegative().default(30),
  /** For tests only: comma-separated points where a worker kills itself (see src/shared/failpoints.ts). */
  FAILPOINTS: z.string().default(''),
});

export type Env = z.input<typeof envSchema>;

export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly port: number;
  /** Web processes sharing PORT (node:cluster), as Heroku's WEB_CONCURRENCY. (Default: 1) */
  readonly webConcurrency: number;
  readonly database: { readonly url: string; readonly ssl: boolean; readonly poolMax?: number };
  readonly redis: { readonly url: string; readonly tlsVerify: boolean };
  /** Prefix of every Redis key, BullMQ's and ours: QUEUE_PREFIX as a hash tag, `{chorus-relay}` by default; tests use a unique one per file. */
  readonly queuePrefix: string;
  readonly apiKeys: readonly string[];
  /** METRICS_TOKEN: the bearer token of GET /metrics; null: no /metrics route. */
  readonly metricsToken: string | null;
  /** Bull Board's basic-auth credentials; readOnly (BOARD_READ_ONLY): every action but retry refused. */
  readonly board: { readonly user: string; readonly password: string; readonly readOnly: boolean };
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
  /** Each sync asks again for this much time before the previous one, so that no late change is missed. (Default: 5 min) */
  readonly statusSyncOverlapMs: number;
  /** First retry delay of a failed e-mail or webhook delivery, doubled at each attempt. (Default: 30 s) */
  readonly deliveryBackoffMs: number;
  /** Whether STATUS_SYNC_INTERVAL_SECONDS was set (npm start with the simulator shortens the default only). */
  readonly statusSyncIntervalExplicit: boolean;
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
  /** WEBHOOK_ALLOW_PRIVATE_NETWORKS: webhooks may reach loopback and private addresses, and use http:// in production. */
  readonly webhookAllowPrivateNetworks: boolean;
  /** NODE_ENV=production: webhook URLs must be https://. */
  readonly production: boolean;
  /** Statutory payment delay: 30 days for the State and most public bodies; per recipient where it differs (50 for hospitals). */
  readonly paymentDelayDays: number;
  readonly paymentDelayByRecipient: ReadonlyMap<string, number>;
  /** The ECB reference rate (percent) for the late-payment interest estimate; no estimate when unset. */
  readonly latePaymentReferenceRatePercent: number | null;
  /** For recipients that never report payment (statutMiseEnPaiementNestPasRemonte): stop following this long after MISE_A_DISPOSITION. */
  readonly paymentFollowMaxMs: number;
  readonly passwordExpiryWarningDays: number;
  readonly checksIntervalMs: number;
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
        'Set them in the environment (Heroku: heroku config:set NAME=value) or in .env (see .env.example; README, Configuration).',
    );
    this.name = 'ConfigError';
  }
}

/** Only what migrations need, so the release phase and the one-shot migrate service need no API keys. */
export function loadDatabaseConfig(env: Record<string, string | undefined> = process.env): Pick<Config, 'database' | 'log'> {
  const parsed = envSchema.pick({ NODE_ENV: true, DATABASE_URL: true, DATABASE_SSL: true, LOG_LEVEL: true, LOG_FORMAT: true }).safeParse(env);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`));
  const e = parsed.data;
  return {
    database: { url: e.DATABASE_URL, ssl: e.DATABASE_SSL },
    log: { level: e.LOG_LEVEL, format: logFormat(e.LOG_FORMAT, e.NODE_ENV) },
  };
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

function chorusEnvironments(settings: Record<ChorusEnvironment, EnvironmentSettings> & { timeoutMs: number; depositTimeoutMs: number }): ChorusEnvironments | null {
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
          ctx.addIssue({ code: 'custom', path: [e[id] === undefined ? id : secret], message: `must be set together with ${e[id] === undefined ? secret : id}` });
        }
      }
      if (e.SECRET_KEY === undefined && e.SECRET_KEYS === undefined)
        ctx.addIssue({ code: 'custom', path: ['SECRET_KEY'], message: `is required but not set (or SECRET_KEYS): ${REQUIRED_HINTS.SECRET_KEY}` });
      if (e.SECRET_KEY !== undefined && e.SECRET_KEYS !== undefined)
        ctx.addIssue({ code: 'custom', path: ['SECRET_KEYS'], message: 'replaces SECRET_KEY: set one of them, not both' });
    })
    .safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = issue.path.join('.');
      if (issue.code === 'invalid_type' && env[name] === undefined) return `${name} is required but not set${REQUIRED_HINTS[name] ? `: ${REQUIRED_HINTS[name]}` : ''}`;
      return `${name} ${issue.message.replace(/^Invalid input: /, '')}`;
    });
    // The cross-field checks run only once every field parses; say this one anyway.
    const noKey = `SECRET_KEY is required but not set (or SECRET_KEYS): ${REQUIRED_HINTS.SECRET_KEY}`;
    if (env.SECRET_KEY === undefined && env.SECRET_KEYS === undefined && !problems.includes(noKey)) problems.push(noKey);
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  return Object.freeze({
    env: e.NODE_ENV,
    port: e.PORT,
    webConcurrency: e.WEB_CONCURRENCY,
    database: Object.freeze({ url: e.DATABASE_URL, ssl: e.DATABASE_SSL, poolMax: e.DATABASE_POOL_MAX }),
    redis: Object.freeze({ url: e.REDIS_URL, tlsVerify: e.REDIS_TLS_VERIFY }),
    // A hash tag: every key of ours and of BullMQ lands in one Redis Cluster slot, as their multi-key scripts need.
    queuePrefix: `{${e.QUEUE_PREFIX}}`,
    apiKeys: Object.freeze([...e.API_KEYS]),
    metricsToken: e.METRICS_TOKEN ?? null,
    board: Object.freeze({ user: e.BOARD_USER, password: e.BOARD_PASSWORD, readOnly: e.BOARD_READ_ONLY }),
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
    batchLimits: Object.freeze({ maxEntries: e.BATCH_MAX_ENTRIES, maxTotalBytes: e.BATCH_MAX_TOTAL_MB * 1024 * 1024, maxRatio: e.BATCH_MAX_RATIO }),
    chorus: chorusEnvironments({
      production: { clientId: e.PISTE_CLIENT_ID, clientSecret: e.PISTE_CLIENT_SECRET, apiUrl: e.CHORUS_API_URL, oauthUrl: e.CHORUS_OAUTH_URL },
      sandbox: { clientId: e.PISTE_SANDBOX_CLIENT_ID, clientSecret: e.PISTE_SANDBOX_CLIENT_SECRET, apiUrl: e.CHORUS_SANDBOX_API_URL, oauthUrl: e.CHORUS_SANDBOX_OAUTH_URL },
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
    }),
    failpoints: Object.freeze(
      e.FAILPOINTS.split(',')
        .map((f) => f.trim())
        .filter(Boolean),
    ),
  });
}

/** The same configuration, with Chorus Pro played by the simulator at `url`, for both environments. */
export function withSimulator(config: Config, url: string, application: { clientId: string; clientSecret: string }): Config {
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
    pipeline: Object.freeze({ ...config.pipeline, statusSyncIntervalMs: config.pipeline.statusSyncIntervalExplicit ? config.pipeline.statusSyncIntervalMs : 10_000 }),
    chorus: Object.freeze({ production: simulator, sandbox: simulator }),
  });
}

const simulatorEnvSchema = z.object({
  SIMULATOR_PORT: z.coerce.number().int().min(0).max(65535).default(3100),
  /** The admin API has no auth: listen on loopback unless told otherwise (docker-compose sets 0.0.0.0). */
  SIMULATOR_HOST: z.string().default('127.0.0.1'),
  ...simulatorFilesShape,
  /** Override the scenario's timing (its default: 1 s a step). */
  SIMULATOR_FLUX_STEP_MS: z.coerce.number().int().positive().optional(),
  SIMULATOR_INVOICE_STEP_MS: z.coerce.number().int().positive().optional(),
  /** Fault settings at start-up, as JSON (the body of PUT /simulator/faults). */
  SIMULATOR_FAULTS: z
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
