import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { connectionBudget } from '../../src/http/connections.js';
import { describeRedis, singleNodeOptions } from '../../src/queues/redis.js';

const required = {
  API_KEYS: 'key-aaaaaaaaaaaaaaaa, key-bbbbbbbbbbbbbbbb',
  BOARD_USER: 'ops',
  BOARD_PASSWORD: 'a-long-board-password',
  SECRET_KEY: 'ab'.repeat(32),
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(required);
    expect(config.port).toBe(3000);
    expect(config.database.url).toBe('postgres://postgres@127.0.0.1:5432/chorus_relay');
    expect(config.redis).toEqual({ topology: 'single', url: 'redis://127.0.0.1:6379', tlsVerify: false });
    expect(config.queuePrefix).toBe('{chorus-relay}');
    expect(config.apiKeys).toEqual(['key-aaaaaaaaaaaaaaaa', 'key-bbbbbbbbbbbbbbbb']);
    expect(config.log).toEqual({ level: 'info', format: 'pretty' });
    expect(config.secretKeys).toHaveLength(1);
    expect(config.secretKeys[0]).toHaveLength(32);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('believes X-Forwarded-For from no proxy unless TRUST_PROXY names some, and sizes connections from the descriptor limit', () => {
    expect(loadConfig(required).http).toEqual({
      trustProxy: false,
      maxConnections: null,
      headersTimeoutMs: 20_000,
      requestTimeoutMs: 120_000,
      uploadBufferBytes: 400 * 1024 * 1024,
    });
    expect(loadConfig({ ...required, TRUST_PROXY: '1' }).http.trustProxy).toBe(1);
    expect(loadConfig({ ...required, TRUST_PROXY: 'loopback, 10.0.0.0/8' }).http.trustProxy).toEqual([
      'loopback',
      '10.0.0.0/8',
    ]);
    expect(problemsOf({ ...required, TRUST_PROXY: 'true' })[0]).toMatch(/^TRUST_PROXY/);
    expect(connectionBudget({ maxConnections: null }, 1024)).toEqual({
      maxConnections: 896,
      descriptorLimit: 1024,
      warning: null,
    });
    expect(connectionBudget({ maxConnections: 5000 }, 1024).warning).toMatch(
      /MAX_CONNECTIONS is 5000, but this process may open only 1024 files/,
    );
    expect(connectionBudget({ maxConnections: null }, null).maxConnections).toBe(1024);
  });

  it('uses JSON logs in production', () => {
    expect(loadConfig({ ...required, NODE_ENV: 'production' }).log.format).toBe('json');
  });

  it('names every missing variable', () => {
    const problems = problemsOf({});
    // Each named, with what it is and how to make one.
    expect(problems).toEqual([
      expect.stringMatching(/^API_KEYS is required but not set: .*comma-separated.*openssl rand -hex 16/),
      expect.stringMatching(/^BOARD_USER is required but not set: /),
      expect.stringMatching(/^BOARD_PASSWORD is required but not set: /),
      expect.stringMatching(/^SECRET_KEY is required but not set \(or SECRET_KEYS\): .*openssl rand -hex 32/),
    ]);
  });

  it('names an invalid variable without echoing its value', () => {
    const secret = 'too-short-secret-value';
    const problems = problemsOf({ ...required, SECRET_KEY: secret, PORT: 'eighty', REDIS_URL: 'http://x' });
    expect(problems.find((p) => p.startsWith('SECRET_KEY'))).toMatch(/32 bytes/);
    expect(problems.some((p) => p.startsWith('PORT'))).toBe(true);
    expect(problems.some((p) => p.startsWith('REDIS_URL'))).toBe(true);
    expect(problems.join('\n')).not.toContain(secret);
  });

  it('takes SECRET_KEY as hex or base64', () => {
    const bytes = Buffer.alloc(32, 7);
    expect(loadConfig({ ...required, SECRET_KEY: bytes.toString('base64') }).secretKeys[0]!.equals(bytes)).toBe(true);
    expect(loadConfig({ ...required, SECRET_KEY: bytes.toString('hex') }).secretKeys[0]!.equals(bytes)).toBe(true);
  });

  it('takes SECRET_KEYS, newest first, instead of SECRET_KEY, and refuses both or neither', () => {
    const [newer, older] = [Buffer.alloc(32, 1), Buffer.alloc(32, 2)];
    const { SECRET_KEY: _, ...withoutKey } = required;
    const keys = loadConfig({
      ...withoutKey,
      SECRET_KEYS: `${newer.toString('hex')},${older.toString('base64')}`,
    }).secretKeys;
    expect(keys.map((k) => k.toString('hex'))).toEqual([newer.toString('hex'), older.toString('hex')]);
    expect(() => loadConfig({ ...required, SECRET_KEYS: newer.toString('hex') })).toThrow(
      /SECRET_KEYS replaces SECRET_KEY/,
    );
    expect(() => loadConfig(withoutKey)).toThrow(/SECRET_KEY is required/);
    expect(() => loadConfig({ ...withoutKey, SECRET_KEYS: 'short' })).toThrow(/SECRET_KEYS must be keys of 32 bytes/);
  });

  it('refuses short API keys', () => {
    expect(problemsOf({ ...required, API_KEYS: 'short' })[0]).toMatch(/^API_KEYS .*16 characters/);
  });
});

describe('singleNodeOptions', () => {
  it('turns TLS on for rediss:// URLs, as Heroku gives them', () => {
    const options = singleNodeOptions({ url: 'rediss://:p%40ss@redis.example:25061/2', tlsVerify: false });
    expect(options.tls).toEqual({ rejectUnauthorized: false, servername: 'redis.example' });
    expect(options).toMatchObject({ host: 'redis.example', port: 25061, db: 2, password: 'p@ss' });
  });

  it('leaves TLS off for redis:// URLs', () => {
    expect(singleNodeOptions({ url: 'redis://127.0.0.1:6379', tlsVerify: false }).tls).toBeUndefined();
  });
});

describe('the Redis topology', () => {
  it("reads Sentinel: its sentinels, the primary's name, passwords and TLS", () => {
    const config = loadConfig({
      ...required,
      REDIS_SENTINELS: '10.0.0.5:26379, [fd00::6]:26380',
      REDIS_SENTINEL_NAME: 'relay',
      REDIS_SENTINEL_PASSWORD: 'sentinel-secret',
      REDIS_PASSWORD: 'node-secret',
      REDIS_TLS: 'true',
    });
    expect(config.redis).toEqual({
      topology: 'sentinel',
      sentinels: [
        { host: '10.0.0.5', port: 26379 },
        { host: 'fd00::6', port: 26380 },
      ],
      name: 'relay',
      sentinelPassword: 'sentinel-secret',
      password: 'node-secret',
      tls: true,
      tlsVerify: false,
    });
  });

  it('reads Cluster seeds', () => {
    expect(loadConfig({ ...required, REDIS_CLUSTER_NODES: 'redis-a:7000,redis-b:7001' }).redis).toEqual({
      topology: 'cluster',
      nodes: [
        { host: 'redis-a', port: 7000 },
        { host: 'redis-b', port: 7001 },
      ],
      tls: false,
      tlsVerify: false,
    });
  });

  it('refuses two topologies at once, naming both', () => {
    const [problem] = problemsOf({ ...required, REDIS_URL: 'redis://h:6379', REDIS_CLUSTER_NODES: 'h:7000' });
    expect(problem).toMatch(/^REDIS_CLUSTER_NODES and REDIS_URL are both set: set one of/);
    expect(
      problemsOf({
        ...required,
        REDIS_SENTINELS: 'h:26379',
        REDIS_CLUSTER_NODES: 'h:7000',
        REDIS_SENTINEL_NAME: 'm',
      })[0],
    ).toMatch(/^REDIS_CLUSTER_NODES and REDIS_SENTINELS are both set/);
  });

  it("wants the primary's name with Sentinel, and host:port pairs", () => {
    expect(problemsOf({ ...required, REDIS_SENTINELS: 'h:26379' })).toEqual([
      "REDIS_SENTINEL_NAME is required with REDIS_SENTINELS: the monitored primary's name",
    ]);
    expect(problemsOf({ ...required, REDIS_CLUSTER_NODES: 'h:7000,nocolon' })[0]).toMatch(
      /^REDIS_CLUSTER_NODES must be host:port pairs/,
    );
  });

  it('says where Redis is at start-up without its password', () => {
    const single = loadConfig({ ...required, REDIS_URL: 'rediss://user:s3cret-pass@redis.example:6380/1' }).redis;
    expect(describeRedis(single)).toBe('rediss://redis.example:6380/1');
    const sentinel = loadConfig({
      ...required,
      REDIS_SENTINELS: 'a:26379,b:26379',
      REDIS_SENTINEL_NAME: 'relay',
      REDIS_PASSWORD: 's3cret-pass',
    }).redis;
    expect(describeRedis(sentinel)).toBe('Sentinel "relay" at a:26379,b:26379');
  });

  it('reads an empty REDIS_URL, as docker-compose passes it, as not set', () => {
    expect(loadConfig({ ...required, REDIS_URL: '', REDIS_CLUSTER_NODES: 'h:7000' }).redis.topology).toBe('cluster');
  });
});

describe('alert settings', () => {
  it('read per-recipient payment delays, and treat empty optional URLs as unset', () => {
    const config = loadConfig({
      ...required,
      PAYMENT_DELAY_BY_RECIPIENT: '26750045200011=50, 13000250400020=60',
      SMTP_URL: '',
      PUBLIC_URL: '',
    });
    expect([...config.alerts.paymentDelayByRecipient]).toEqual([
      ['26750045200011', 50],
      ['13000250400020', 60],
    ]);
    expect(config.alerts).toMatchObject({
      smtpUrl: null,
      publicUrl: null,
      paymentDelayDays: 30,
      passwordExpiryWarningDays: 30,
      latePaymentReferenceRatePercent: null,
    });
  });

  it('refuse a malformed delay list or a non-SMTP URL, without echoing the URL (it may hold a password)', () => {
    expect(problemsOf({ ...required, PAYMENT_DELAY_BY_RECIPIENT: '2675=50' })).toEqual([
      'PAYMENT_DELAY_BY_RECIPIENT must read SIRET=days,SIRET=days (e.g. 26750045200011=50)',
    ]);
    const problems = problemsOf({ ...required, SMTP_URL: 'https://user:Smtp-Secret-9@mail.example.fr' });
    expect(problems).toEqual(['SMTP_URL must be an smtp:// or smtps:// URL']);
    expect(problems.join()).not.toContain('Smtp-Secret-9');
  });
});

describe('Chorus Pro environments', () => {
  it('has no Chorus Pro without PISTE credentials (npm start then plays both with the simulator)', () => {
    expect(loadConfig(required).chorus).toBeNull();
  });

  it('serves production accounts with PISTE_CLIENT_*, at the production URLs by default', () => {
    const config = loadConfig({ ...required, PISTE_CLIENT_ID: 'prod-id', PISTE_CLIENT_SECRET: 'prod-secret' });
    expect(config.chorus?.production).toMatchObject({
      clientId: 'prod-id',
      apiUrl: 'https://api.piste.gouv.fr',
      oauthUrl: 'https://oauth.piste.gouv.fr/api/oauth/token',
    });
    expect(config.chorus?.sandbox).toBeNull();
  });

  it('serves sandbox accounts with PISTE_SANDBOX_CLIENT_*, at the sandbox URLs by default', () => {
    const config = loadConfig({
      ...required,
      PISTE_SANDBOX_CLIENT_ID: 'sb-id',
      PISTE_SANDBOX_CLIENT_SECRET: 'sb-secret',
    });
    expect(config.chorus?.sandbox).toMatchObject({
      clientId: 'sb-id',
      apiUrl: 'https://sandbox-api.piste.gouv.fr',
      oauthUrl: 'https://sandbox-oauth.piste.gouv.fr/api/oauth/token',
    });
    expect(config.chorus?.production).toBeNull();
  });

  it('refuses half a pair, naming the missing variable', () => {
    expect(problemsOf({ ...required, PISTE_SANDBOX_CLIENT_ID: 'sb-id' })).toEqual([
      'PISTE_SANDBOX_CLIENT_SECRET must be set together with PISTE_SANDBOX_CLIENT_ID',
    ]);
    expect(problemsOf({ ...required, PISTE_CLIENT_SECRET: 'secret' })).toEqual([
      'PISTE_CLIENT_ID must be set together with PISTE_CLIENT_SECRET',
    ]);
  });
});
