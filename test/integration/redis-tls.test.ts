/** `rediss://` as Heroku gives it: TLS with a self-signed certificate, against a real TLS redis-server. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pRetry from 'p-retry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createContext } from '../../src/context.js';
import { singleNodeOptions } from '../../src/queues/redis.js';
import { testEnv, uniqueName } from '../helpers/harness.js';
import { freePort } from '../helpers/ports.js';

let dir: string;
let server: ChildProcess;
let port: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cr-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  port = await freePort();
  server = spawn(
    'redis-server',
    [
      '--port',
      '0',
      '--tls-port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--tls-cert-file',
      join(dir, 'cert.pem'),
      '--tls-key-file',
      join(dir, 'key.pem'),
      '--tls-auth-clients',
      'no',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    { stdio: 'ignore' },
  );
  const ping = async () => {
    const probe = new Redis({
      ...singleNodeOptions({ url: `rediss://127.0.0.1:${port}`, tlsVerify: false }),
      lazyConnect: true,
      retryStrategy: () => null,
    });
    probe.on('error', () => undefined);
    const answer = await probe.connect().then(
      () => probe.ping(),
      () => 'not yet',
    );
    probe.disconnect();
    return answer;
  };
  // Until it answers: every 100 ms, for 10 s at most.
  await pRetry(
    async () => {
      if ((await ping()) !== 'PONG') throw new Error('the TLS redis-server did not start');
    },
    { retries: 100, factor: 1, minTimeout: 100, maxTimeout: 100, maxRetryTime: 10_000 },
  );
});

afterAll(() => {
  server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe('REDIS_URL with rediss://', () => {
  it('carries BullMQ jobs over TLS with a self-signed certificate', async () => {
    const name = uniqueName();
    // The database is never touched here: createContext only connects lazily to it.
    const ctx = await createContext(loadConfig(testEnv(name, { REDIS_URL: `rediss://127.0.0.1:${port}` })));
    try {
      if (ctx.redis.status !== 'ready') await new Promise((resolve) => ctx.redis.once('ready', resolve));
      expect(await ctx.redis.ping()).toBe('PONG');
      await ctx.queues.deposit.add('deposit TLS-1', { invoiceId: 'tls-invoice-1' }, { jobId: 'tls-invoice-1' });
      expect((await ctx.queues.deposit.getJob('tls-invoice-1'))?.name).toBe('deposit TLS-1');
    } finally {
      await ctx.queues.deposit.obliterate({ force: true });
      await ctx.close();
    }
  });

  it('refuses the self-signed certificate when REDIS_TLS_VERIFY=true', async () => {
    const client = new Redis({
      ...singleNodeOptions({ url: `rediss://127.0.0.1:${port}`, tlsVerify: true }),
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
    });
    const errors: string[] = [];
    client.on('error', (error: Error) => errors.push(error.message));
    await expect(client.connect()).rejects.toThrow();
    client.disconnect();
    expect(errors.join('\n')).toMatch(/self[- ]signed|certificate/i);
  });
});
