import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { redisOptions } from '../../src/queues/redis.js';

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
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
    expect(config.queuePrefix).toBe('{chorus-relay}');
    expect(config.apiKeys).toEqual(['key-aaaaaaaaaaaaaaaa', 'key-bbbbbbbbbbbbbbbb']);
    expect(config.log).toEqual({ level: 'info', format: 'pretty' });
    expect(config.secretKeys).toHaveLength(1);
    expect(config.secretKeys[0]).toHaveLength(32);
    expect(Object.isFrozen(config)).toBe(true);
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
    const keys = loadConfig({ ...withoutKey, SECRET_KEYS: `${newer.toString('hex')},${older.toString('base64')}` }).secretKeys;
    expect(keys.map((k) => k.toString('hex'))).toEqual([newer.toString('hex'), older.toString('hex')]);
    expect(() => loadConfig({ ...required, SECRET_KEYS: newer.toString('hex') })).toThrow(/SECRET_KEYS replaces SECRET_KEY/);
    expect(() => loadConfig(withoutKey)).toThrow(/SECRET_KEY is required/);
    expect(() => loadConfig({ ...withoutKey, SECRET_KEYS: 'short' })).toThrow(/SECRET_KEYS must be keys of 32 bytes/);
  });

  it('refuses short API keys', () => {
    expect(problemsOf({ ...required, API_KEYS: 'short' })[0]).toMatch(/^API_KEYS .*16 characters/);
  });
});

describe('redisOptions', () => {
  it('turns TLS on for rediss:// URLs, as Heroku gives them', () => {
    const options = redisOptions({ url: 'rediss://:p%40ss@redis.example:25061/2', tlsVerify: false });
    expect(options.tls).toEqual({ rejectUnauthorized: false, servername: 'redis.example' });
    expect(options).toMatchObject({ host: 'redis.example', port: 25061, db: 2, password: 'p@ss', maxRetriesPerRequest: null });
  });

  it('leaves TLS off for redis:// URLs', () => {
    expect(redisOptions({ url: 'redis://127.0.0.1:6379', tlsVerify: false }).tls).toBeUndefined();
  });
});

describe('alert settings', () => {
  it('read per-recipient payment delays, and treat empty optional URLs as unset', () => {
    const config = loadConfig({ ...required, PAYMENT_DELAY_BY_RECIPIENT: '26750045200011=50, 13000250400020=60', SMTP_URL: '', PUBLIC_URL: '' });
    expect([...config.alerts.paymentDelayByRecipient]).toEqual([
      ['26750045200011', 50],
      ['13000250400020', 60],
    ]);
    expect(config.alerts).toMatchObject({ smtpUrl: null, publicUrl: null, paymentDelayDays: 30, passwordExpiryWarningDays: 30, latePaymentReferenceRatePercent: null });
  });

  it('refuse a malformed delay list or a non-SMTP URL, without echoing the URL (it may hold a password)', () => {
    expect(problemsOf({ ...required, PAYMENT_DELAY_BY_RECIPIENT: '2675=50' })).toEqual(['PAYMENT_DELAY_BY_RECIPIENT must read SIRET=days,SIRET=days (e.g. 26750045200011=50)']);
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
    expect(config.chorus?.production).toMatchObject({ clientId: 'prod-id', apiUrl: 'https://api.piste.gouv.fr', oauthUrl: 'https://oauth.piste.gouv.fr/api/oauth/token' });
    expect(config.chorus?.sandbox).toBeNull();
  });

  it('serves sandbox accounts with PISTE_SANDBOX_CLIENT_*, at the sandbox URLs by default', () => {
    const config = loadConfig({ ...required, PISTE_SANDBOX_CLIENT_ID: 'sb-id', PISTE_SANDBOX_CLIENT_SECRET: 'sb-secret' });
    expect(config.chorus?.sandbox).toMatchObject({
      clientId: 'sb-id',
      apiUrl: 'https://sandbox-api.piste.gouv.fr',
      oauthUrl: 'https://sandbox-oauth.piste.gouv.fr/api/oauth/token',
    });
    expect(config.chorus?.production).toBeNull();
  });

  it('refuses half a pair, naming the missing variable', () => {
    expect(problemsOf({ ...required, PISTE_SANDBOX_CLIENT_ID: 'sb-id' })).toEqual(['PISTE_SANDBOX_CLIENT_SECRET must be set together with PISTE_SANDBOX_CLIENT_ID']);
    expect(problemsOf({ ...required, PISTE_CLIENT_SECRET: 'secret' })).toEqual(['PISTE_CLIENT_ID must be set together with PISTE_CLIENT_SECRET']);
  });
});
