/**
 * `npm run bench`: measures, in one run, on this machine, against real PostgreSQL and Redis and the simulator
 * (no added latency):
 *  (a) intake throughput and p50/p99 latency with concurrent clients (small UBL files);
 *  (b) end-to-end invoices per second, from POST to integrated;
 *  (c) the raw BullMQ add+process rate, as a baseline, and our ratio to it;
 *  (d) with CHORUS_MAX_RPS set, 3 worker processes and a backlog, the one-second windows the simulator (a receiver
 *      in this process, not a worker's) saw over the limit, and the share of the allowed rate actually used;
 *  (e) at the limit end to end: 2 web and 3 worker processes, a backlog of --scaled invoices deposited and
 *      reported, one worker killed with SIGKILL in the middle: the share of what the limit allows, each exactly once.
 * (a) also runs the floor (scripts/bench-floor.ts: express.json, one INSERT, one BullMQ add) with the same load,
 * and prints the intake's ratio to it.
 * Web and worker run as separate processes (compiled code, as in production); run `npm run build` first.
 * Options: --intake 3000 --clients 32 --web 2 (WEB_CONCURRENCY) --e2e 400 --limited 240 --rps 20 --raw 20000 --scaled
 * 1000 --only abcde (the stages to run) --redis single,cluster (where (e) runs: the Redis on 127.0.0.1:6379, and/or
 * a Redis Cluster of 3 primaries and 3 replicas started for it on loopback) --kill no ((e) without its SIGKILL)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { loadSeed } from '../src/simulator/model.js';
import { startSimulator, type Simulator } from '../src/simulator/server.js';
import { processTreeCpuMs } from './lib/cpu.js';
import { startRedisCluster, type RedisDeployment } from './lib/redis-deployments.js';
import { generateSampleInvoice } from './lib/sample-invoices.js';

const { values } = parseArgs({
  options: {
    intake: { type: 'string', default: '3000' },
    clients: { type: 'string', default: '32' },
    e2e: { type: 'string', default: '400' },
    limited: { type: 'string', default: '240' },
    rps: { type: 'string', default: '20' },
    raw: { type: 'string', default: '20000' },
    web: { type: 'string', default: '2' },
    pool: { type: 'string', default: '10' },
    scaled: { type: 'string', default: '1000' },
    only: { type: 'string', default: 'abcde' },
    redis: { type: 'string', default: 'single' },
    kill: { type: 'string', default: 'yes' },
  },
});
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const API_KEY = 'bench-api-key-0123456789abcdef';
const SUPPLIER = '73282932000074';

const runId = `bench${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const SECRET_KEY = randomBytes(32).toString('hex');
const children: ChildProcess[] = [];

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

function dbUrl(name: string) {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

function env(name: string, simulator: Simulator, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    DATABASE_URL: dbUrl(name),
    REDIS_URL,
    QUEUE_PREFIX: name,
    API_KEYS: API_KEY,
    BOARD_USER: 'bench',
    BOARD_PASSWORD: 'bench-board-password',
    SECRET_KEY,
    LOG_LEVEL: 'info',
    PISTE_CLIENT_ID: 'simulator-client-id',
    PISTE_CLIENT_SECRET: 'simulator-client-secret',
    CHORUS_API_URL: simulator.url,
    CHORUS_OAUTH_URL: `${simulator.url}/api/oauth/token`,
    PISTE_SANDBOX_CLIENT_ID: 'simulator-client-id',
    PISTE_SANDBOX_CLIENT_SECRET: 'simulator-client-secret',
    CHORUS_SANDBOX_API_URL: simulator.url,
    CHORUS_SANDBOX_OAUTH_URL: `${simulator.url}/api/oauth/token`,
    // The EN 16931 check runs before each deposit, as in production, when the rules are installed there.
    RULES_DIR: resolve(process.env.RULES_DIR ?? '.rules'),
    REPORT_POLL_FIRST_SECONDS: '0.05',
    REPORT_POLL_MAX_SECONDS: '0.5',
    // The simulator integrates a flux in milliseconds where Chorus Pro takes minutes: the searches are scaled down
    // with it (production: 20 s, 300 s, 900 s, 300 s).
    INTEGRATION_SEARCH_SECONDS: '2',
    REPORT_AFTER_SECONDS: '30',
    STATUS_SYNC_INTERVAL_SECONDS: '30',
    STATUS_SYNC_OVERLAP_SECONDS: '10',
    DEPOSIT_CONCURRENCY: '16',
    SWEEP_INTERVAL_SECONDS: '30',
    ...extra,
  };
}

function start(entry: string, vars: Record<string, string>, ready: RegExp | null): Promise<ChildProcess> {
  // BENCH_PROFILE=dir writes CPU profiles of the web and floor processes there (open it in Chrome DevTools).
  const profile =
    process.env.BENCH_PROFILE && /web|floor/.test(entry)
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
      : [];
  const child = spawn(process.execPath, [...profile, entry], { env: vars, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready === null || ready.test(output)) resolve(child);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${entry} exited with ${code}:\n${output}`)));
    if (ready === null) setTimeout(() => resolve(child), 1500);
  });
}

async function migrate(name: string, simulator: Simulator) {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/scripts/migrate.js'], { env: env(name, simulator), stdio: 'inherit' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`migrate exited with ${code}`))));
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** A UBL file from the generator, its invoice number swapped per request (the consistency check reads it). */
async function ublTemplate() {
  const number = 'BENCH-TEMPLATE-1';
  const xml = (
    await generateSampleInvoice(
      {
        number,
        issueDate: '2026-11-20',
        supplierSiret: SUPPLIER,
        recipientSiret: '11000201100044',
        serviceCode: 'SERVICE-BTP',
        amountWithoutVat: '1000.00',
      },
      'UBL',
    )
  ).toString('utf8');
  return (n: string) => ({
    supplierSiret: SUPPLIER,
    recipientSiret: '11000201100044',
    serviceCode: 'SERVICE-BTP',
    number: n,
    issueDate: '2026-11-20',
    type: 'FACTURE',
    amountWithoutVat: '1000.00',
    vatAmount: '200.00',
    amountWithVat: '1200.00',
    syntaxeFlux: 'IN_DP_E1_UBL_INVOICE',
    file: {
      name: `${n}.xml`,
      contentBase64: Buffer.from(xml.replace(`<cbc:ID>${number}</cbc:ID>`, `<cbc:ID>${n}</cbc:ID>`)).toString('base64'),
    },
  });
}

async function post(base: string, body: unknown): Promise<number> {
  const res = await fetch(`${base}/v1/invoices`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

async function registerSupplier(base: string) {
  const res = await fetch(`${base}/v1/suppliers`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      siret: SUPPLIER,
      chorusLogin: 'TECH_1_DEMO@cpro.fr',
      chorusPassword: 'Demo-Password-2026',
      environment: 'sandbox',
    }),
  });
  if (res.status !== 201) throw new Error(`supplier registration: HTTP ${res.status}`);
}

async function countIntegrated(name: string): Promise<number> {
  const client = new pg.Client({ connectionString: dbUrl(name) });
  await client.connect();
  try {
    return Number(
      (await client.query<{ count: string }>(`select count(*) from invoice where state = 'integrated'`)).rows[0]?.count,
    );
  } finally {
    await client.end();
  }
}

/** Invoices by state. */
/** How many deposits the EN 16931 check passed (its timeline line), and how many it could not check. */
async function countRulesChecked(name: string): Promise<{ met: number; other: number }> {
  const client = new pg.Client({ connectionString: dbUrl(name) });
  await client.connect();
  try {
    const rows = (
      await client.query<{ met: boolean; n: string }>(
        "select message like 'The file meets%' as met, count(*) as n from invoice_event where type = 'rules-checked' group by 1",
      )
    ).rows;
    return {
      met: Number(rows.find((r) => r.met)?.n ?? 0),
      other: Number(rows.find((r) => !r.met)?.n ?? 0),
    };
  } finally {
    await client.end();
  }
}

async function countStates(name: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: dbUrl(name) });
  await client.connect();
  try {
    const rows = (
      await client.query<{ state: string; n: string }>('select state, count(*) as n from invoice group by state')
    ).rows;
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  } finally {
    await client.end();
  }
}

/** Integrated invoices whose Chorus status is MISE_A_DISPOSITION (the first the recipient sees). */
async function countMadeAvailable(name: string): Promise<number> {
  const client = new pg.Client({ connectionString: dbUrl(name) });
  await client.connect();
  try {
    return Number(
      (
        await client.query<{ count: string }>(
          `select count(*) from invoice where state = 'integrated' and chorus_status = 'MISE_A_DISPOSITION'`,
        )
      ).rows[0]?.count,
    );
  } finally {
    await client.end();
  }
}

async function waitIntegrated(name: string, expected: number, timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const n = await countIntegrated(name);
    if (n >= expected) return Date.now();
    if (Date.now() - started > timeoutMs) throw new Error(`only ${n}/${expected} integrated after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function deleteKeys(pattern: string) {
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
  await redis.quit();
}

async function stage(
  label: string,
  extra: Record<string, string>,
  body: (name: string, base: string, simulator: Simulator) => Promise<void>,
  deployment?: RedisDeployment,
  timing = { fluxStepMs: 10, invoiceStepMs: 1000 },
) {
  // Every process of the stage, web and workers, reaches Redis the same way.
  if (deployment) extra = { ...extra, ...deployment.env };
  const name = `${runId}_${label}`;
  const simulator = await startSimulator({ seed: loadSeed(), timing });
  await admin(`create database "${name}"`);
  try {
    await migrate(name, simulator);
    const port = String(20_000 + Math.floor(Math.random() * 20_000));
    const webProcesses = Number(extra.WEB_CONCURRENCY ?? values.web);
    await start(
      'dist/src/web.js',
      env(name, simulator, {
        PORT: port,
        WEB_CONCURRENCY: String(webProcesses),
        DATABASE_POOL_MAX: String(values.pool),
        ...extra,
      }),
      new RegExp(Array(webProcesses).fill('Intake API listening').join('[\\s\\S]*')),
    );
    const base = `http://127.0.0.1:${port}`;
    await registerSupplier(base);
    await body(name, base, simulator);
  } finally {
    for (const child of children.splice(0)) child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await simulator.close();
    await admin(`drop database if exists "${name}" with (force)`);
    if (deployment) await deployment.stop();
    else await deleteKeys(`{${name}}:*`);
  }
}

const results: string[] = [];
const report = (line: string) => {
  results.push(line);
  console.log(line);
};
const template = await ublTemplate();

/**
 * `total` POSTs from `clients` concurrent clients, each invoice with a new number; after a warm-up of 50. With
 * `serverPid`, also the CPU the server's processes used per request (all threads: file checks included).
 */
async function load(base: string, prefix: string, total: number, clients: number, serverPid?: number) {
  for (let i = 0; i < 50; i++) await post(base, template(`${prefix}W-${i}`));
  const cpuBefore = serverPid === undefined ? 0 : processTreeCpuMs(serverPid);
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < total) {
        const n = next++;
        const t = performance.now();
        if ((await post(base, template(`${prefix}-${n}`))) !== 202) errors += 1;
        latencies.push(performance.now() - t);
      }
    }),
  );
  const rate = total / ((performance.now() - started) / 1000);
  const cpuMsPerRequest = serverPid === undefined ? null : (processTreeCpuMs(serverPid) - cpuBefore) / total;
  latencies.sort((a, b) => a - b);
  return { rate, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors, cpuMsPerRequest };
}

const runs = (letter: string) => values.only.includes(letter);

/** A backlog: `total` invoices posted by 16 clients before any worker runs. */
async function submitBacklog(base: string, prefix: string, total: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < total) await post(base, template(`${prefix}-${next++}`));
    }),
  );
}

// (a) Intake, against the floor, one web process each, the same load.
if (runs('a'))
  await stage('intake', { WEB_CONCURRENCY: '1' }, async (name, base, simulator) => {
    const total = Number(values.intake);
    const clients = Number(values.clients);
    const ours = await load(base, 'I', total, clients, children[0]?.pid);
    const floorPort = String(40_000 + Math.floor(Math.random() * 20_000));
    const floorProcess = await start(
      'dist/scripts/bench-floor.js',
      env(name, simulator, { PORT: floorPort, QUEUE_PREFIX: `${name}_floor` }),
      /Floor intake listening/,
    );
    const floor = await load(`http://127.0.0.1:${floorPort}`, 'F', total, clients, floorProcess.pid);
    const kb = Math.round(Buffer.from(template('x').file.contentBase64, 'base64').length / 1024);
    const cpu = (r: typeof ours) =>
      r.cpuMsPerRequest === null ? '' : `, ${r.cpuMsPerRequest.toFixed(2)} ms of server CPU per invoice`;
    const line = (r: typeof ours) =>
      `${r.rate.toFixed(0)} invoices/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, ${r.errors} errors${cpu(r)}`;
    report(
      `(a) intake: ${total} POST /v1/invoices (UBL ${kb} KB, a new number each) with ${clients} clients, 1 web process: ${line(ours)}`,
    );
    report(
      `(a) floor (express.json, one INSERT with the file, one BullMQ add), same load: ${line(floor)}; intake / floor = ${(ours.rate / floor.rate).toFixed(2)}`,
    );
  });

// (b) End to end.
let e2eRate = 0;
if (runs('b'))
  await stage('e2e', { CHORUS_MAX_RPS: '100000' }, async (name, base, simulator) => {
    await start('dist/workers/main.js', env(name, simulator, { CHORUS_MAX_RPS: '100000' }), /Worker started/);
    const total = Number(values.e2e);
    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < total) await post(base, template(`E-${next++}`));
      }),
    );
    const done = await waitIntegrated(name, total, 300_000);
    e2eRate = total / ((done - started) / 1000);
    const notOnce = [...simulator.world.depositsByInvoiceNumber.values()].filter((n) => n !== 1).length;
    report(
      `(b) end to end: ${total} invoices from POST to integrated in ${((done - started) / 1000).toFixed(1)} s: ${e2eRate.toFixed(1)} invoices/s (worker concurrency 16, no rate limit; ${notOnce} invoices deposited other than once)`,
    );
  });

// (c) Raw BullMQ baseline, same machine, same run.
if (runs('c')) {
  const connection = { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null };
  const queue = new Queue('raw', { connection, prefix: `${runId}_raw` });
  const total = Number(values.raw);
  let processed = 0;
  let resolveDone: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const worker = new Worker('raw', () => Promise.resolve(undefined), {
    connection,
    prefix: `${runId}_raw`,
    concurrency: 16,
    removeOnComplete: { count: 0 },
  });
  worker.on('completed', () => {
    processed += 1;
    if (processed === total) resolveDone();
  });
  const started = performance.now();
  for (let i = 0; i < total; i += 500)
    await Promise.all(
      Array.from({ length: Math.min(500, total - i) }, (_, k) =>
        queue.add('noop', { i: i + k }, { removeOnComplete: true }),
      ),
    );
  await done;
  const rate = total / ((performance.now() - started) / 1000);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  report(
    `(c) raw BullMQ add+process (no-op jobs, concurrency 16): ${rate.toFixed(0)} jobs/s; our end-to-end rate is ${((e2eRate / rate) * 100).toFixed(2)} % of it (each invoice is a deposit job, its share of the searches and ~10 SQL statements)`,
  );
}

// (d) Rate limit with a backlog.
if (runs('d'))
  await stage('limited', {}, async (name, base, simulator) => {
    const rps = Number(values.rps);
    const total = Number(values.limited);
    await submitBacklog(base, 'L', total);
    simulator.counter.reset();
    // Three workers share the limit: it holds across processes.
    const workerEnv = env(name, simulator, { CHORUS_MAX_RPS: String(rps) });
    await Promise.all([1, 2, 3].map(() => start('dist/workers/main.js', workerEnv, /Worker started/)));
    const started = Date.now();
    await waitIntegrated(name, total, 600_000);
    const seconds = (Date.now() - started) / 1000;
    const counts = simulator.counter.snapshot(simulator.world.depositsByInvoiceNumber);
    const apiCalls = Object.entries(counts.byEndpoint)
      .filter(([k]) => k !== 'oauthToken')
      .reduce((sum, [, n]) => sum + n, 0);
    // Utilisation while there was a backlog: whole seconds between the first and the last, where calls were waiting.
    const seconds_ = Object.keys(counts.bySecond)
      .map(Number)
      .sort((a, b) => a - b);
    const inner = seconds_.slice(1, -1).map((sec) => counts.bySecond[String(sec)] ?? 0);
    const used = inner.length > 0 ? inner.reduce((a, b) => a + b, 0) / (inner.length * rps) : 0;
    const checked = await countRulesChecked(name);
    report(
      `(d) CHORUS_MAX_RPS=${rps}, 3 worker processes, ${total} invoices backlog: ${apiCalls} Chorus calls in ${seconds.toFixed(1)} s; most in any sliding 1-second window: ${counts.maxInAnySecond} (limit ${rps}), windows over the limit: ${simulator.counter.windowsOver(rps)}; share of the allowed rate used over the ${inner.length} full seconds of backlog: ${(used * 100).toFixed(1)} %; EN 16931 check passed before ${checked.met} deposits (not run: ${checked.other})`,
    );
  });

// (e) At the limit, end to end, scaled out, with a worker killed in the middle.
const REDIS_TOPOLOGIES = { single: 'one Redis node', cluster: 'a Redis Cluster of 3 primaries and 3 replicas' };
for (const topology of runs('e') ? values.redis.split(',') : []) {
  if (topology !== 'single' && topology !== 'cluster') throw new Error(`--redis: single or cluster, not ${topology}`);
  const deployment = topology === 'cluster' ? await startRedisCluster() : undefined;
  await stage(
    `scaled_${topology}`,
    {},
    async (name, base, simulator) => {
      const rps = Number(values.rps);
      const total = Number(values.scaled);
      await submitBacklog(base, 'S', total);
      simulator.counter.reset();
      // A deposit cut by the kill has an unknown outcome: it is looked for at Chorus Pro until RECONCILE_WINDOW_SECONDS
      // (6 h in production), then sent again; the simulator integrates within milliseconds, so 20 s is plenty here.
      const workerEnv = env(name, simulator, {
        CHORUS_MAX_RPS: String(rps),
        WORKER_LOCK_SECONDS: '5',
        SWEEP_INTERVAL_SECONDS: '5',
        RECONCILE_WINDOW_SECONDS: '20',
        DEPOSIT_BACKOFF_SECONDS: '2',
        ...deployment?.env,
      });
      const workers = await Promise.all(
        [1, 2, 3].map(() => start('dist/workers/main.js', workerEnv, /Worker started/)),
      );
      const started = Date.now();
      while ((await countIntegrated(name)) < total / 3) await new Promise((resolve) => setTimeout(resolve, 200));
      if (values.kill !== 'no') workers[0]!.kill('SIGKILL');
      const killedAt = values.kill === 'no' ? null : await countIntegrated(name);
      // Done when every invoice is integrated, or held for an operator: a deposit the kill cut whose outcome stays
      // unknown.
      let states: Record<string, number> = {};
      for (
        const deadline = Date.now() + 900_000;
        Date.now() < deadline;
        await new Promise((resolve) => setTimeout(resolve, 200))
      ) {
        states = await countStates(name);
        if ((states.integrated ?? 0) + (states.needs_attention ?? 0) >= total) break;
      }
      const seconds = (Date.now() - started) / 1000;
      const integrated = states.integrated ?? 0;
      // Then until each integrated invoice is MISE_A_DISPOSITION: what it costs to follow it there.
      for (
        const deadline = Date.now() + 300_000;
        Date.now() < deadline && (await countMadeAvailable(name)) < integrated;
        await new Promise((resolve) => setTimeout(resolve, 200))
      );
      const madeAvailable = await countMadeAvailable(name);
      const madeAvailableSeconds = (Date.now() - started) / 1000;
      const counts = simulator.counter.snapshot(simulator.world.depositsByInvoiceNumber);
      const apiCalls = Object.entries(counts.byEndpoint)
        .filter(([k]) => k !== 'oauthToken')
        .reduce((sum, [, n]) => sum + n, 0);
      const notOnce = [...simulator.world.depositsByInvoiceNumber.values()].filter((n) => n !== 1).length;
      const lowerBound = total / rps;
      const byType = Object.entries(counts.byEndpoint)
        .filter(([k]) => k !== 'oauthToken')
        .sort(([, a], [, b]) => b - a)
        .map(([k, n]) => `${k} ${n} (${(n / total).toFixed(3)})`)
        .join(', ');
      report(
        `(e) ${REDIS_TOPOLOGIES[topology]}, CHORUS_MAX_RPS=${rps}, ${values.web} web and 3 worker processes (${killedAt === null ? 'none killed' : `one SIGKILLed at ${killedAt} integrated`}), ${total} invoices: the last integrated after ${seconds.toFixed(1)} s, ${(seconds / lowerBound).toFixed(2)}× the lower bound (${total} deposits at ${rps}/s: ${lowerBound.toFixed(1)} s); ${madeAvailable} MISE_A_DISPOSITION after ${madeAvailableSeconds.toFixed(1)} s; ${apiCalls} Chorus calls from the first deposit to the last MISE_A_DISPOSITION, ${(apiCalls / total).toFixed(2)} per invoice: ${byType}; windows over the limit: ${simulator.counter.windowsOver(rps)}; final states ${JSON.stringify(states)}; invoices deposited twice or more: ${[...simulator.world.depositsByInvoiceNumber.values()].filter((n) => n > 1).length}, other than once: ${notOnce}`,
      );
    },
    deployment,
    // Chorus Pro moves an invoice from DEPOSEE to MISE_A_DISPOSITION in minutes or hours, the simulator in what it is
    // told: 30 s between statuses, against a search every 2 s (INTEGRATION_SEARCH_SECONDS, 20 s in production), keeps
    // their order of magnitude.
    { fluxStepMs: 10, invoiceStepMs: 30_000 },
  );
}

console.log(`\nchorus-relay benchmark, ${new Date().toISOString()}`);
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; PostgreSQL, Redis, web, worker, simulator and load generator on the same machine`,
);
for (const line of results) console.log(line);
process.exit(0);
