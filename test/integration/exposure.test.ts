/**
 * Safe to expose (issue 11, parts 4 to 6): webhooks cannot reach inside the network, Bull Board refuses
 * cross-site and (read-only) mutating calls (its login lock-out: board-login.test.ts), SMTP credentials never go in
 * clear, sealed secrets are bound to their row and keys rotate. Each refusal: status, code, nothing written.
 */
import { hostname } from 'node:os';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DeliveryError, EmailChannel, sendWebhook, smtpTransportOptions } from '../../src/alerts/channels.js';
import { webhookUrlProblem } from '../../src/alerts/safe-target.js';
import { Subscription } from '../../src/db/entities/subscription.js';
import { SupplierAccount } from '../../src/db/entities/supplier-account.js';
import { resealSecrets } from '../../src/db/reseal-secrets.js';
import { SEALED_AT, SecretBox } from '../../src/shared/secret-box.js';
import {
  BOARD_PASSWORD,
  BOARD_USER,
  createHarness,
  simulatorEnv,
  TEST_REDIS_URL,
  type Harness,
} from '../helpers/harness.js';
import { jsonInit, supplierBody, SUPPLIER_SIRET } from '../helpers/invoices.js';
import { startSmtpServer, startWebhookReceiver } from '../helpers/receivers.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({
    env: {
      ...simulatorEnv({ url: 'http://127.0.0.1:9' }),
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false',
      BOARD_READ_ONLY: 'true',
    },
  });
  expect((await h.api('/v1/suppliers', jsonInit(supplierBody()))).status).toBe(201);
});
afterAll(() => h.close());

const subscriptionCount = () => h.ctx.orm.em.fork().count(Subscription);

describe('webhooks cannot reach inside the network', () => {
  it.each([
    ['loopback', 'http://127.0.0.1:3100/simulator/counts/reset', 'url_private_address'],
    ['IPv6 loopback', 'http://[::1]:3100/', 'url_private_address'],
    ['the cloud metadata address', 'http://169.254.169.254/latest/meta-data/', 'url_private_address'],
    ['a private network', 'http://10.1.2.3/hook', 'url_private_address'],
    ['a decimal-encoded loopback', 'http://2130706433/hook', 'url_private_address'],
    ['a hex-encoded loopback', 'http://0x7f.1/hook', 'url_private_address'],
    ['an IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]/hook', 'url_private_address'],
    ['localhost by name', 'http://localhost:8080/hook', 'url_private_address'],
    ['credentials in the URL', 'https://user:s3cret@hooks.example.fr/chorus', 'url_credentials'],
  ])('a subscription to %s is refused (422)', async (_, url, code) => {
    const before = await subscriptionCount();
    const res = await h.api('/v1/subscriptions', jsonInit({ supplierSiret: SUPPLIER_SIRET, channel: 'webhook', url }));
    const body = (await res.json()) as {
      error: { code: string; details: Array<{ path: string; code: string; message: string }> };
    };
    expect([res.status, body.error.code, body.error.details[0]?.path, body.error.details[0]?.code]).toEqual([
      422,
      'VALIDATION_FAILED',
      'url',
      code,
    ]);
    expect(JSON.stringify(body)).not.toContain('s3cret');
    expect(await subscriptionCount()).toBe(before);
  });

  it('a host name is checked when the connection opens: one that resolves to loopback is refused, and nothing reaches it', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const port = new URL(receiver.url).port;
      const call = { secret: 's', event: 'e', deliveryId: 'd', body: '{}', timeoutMs: 2000, nowSeconds: 1 };
      const refused = await sendWebhook({
        ...call,
        url: `http://${hostname()}:${port}/hooks?token=abc`,
        allowPrivate: false,
      }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(DeliveryError);
      expect((refused as Error).message).toMatch(/may not reach it/);
      expect((refused as Error).message).not.toContain('token=abc');
      expect(receiver.calls).toHaveLength(0);
      // The same call, allowed: it arrives (so the refusal above was the guard, not a wrong port).
      expect(await sendWebhook({ ...call, url: `http://${hostname()}:${port}/hooks`, allowPrivate: true })).toBe(200);
      expect(receiver.calls).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it('delivery errors never carry credentials or query strings; redirects are not followed', async () => {
    const moved = await startWebhookReceiver(() => 302);
    try {
      const call = {
        secret: 's',
        event: 'e',
        deliveryId: 'd',
        body: '{}',
        timeoutMs: 2000,
        nowSeconds: 1,
        allowPrivate: true,
      };
      const closed = (await sendWebhook({ ...call, url: 'http://u:p4ss@127.0.0.1:1/x?sig=abc' }).catch(
        (e: unknown) => e,
      )) as Error;
      expect(closed.message).toMatch(/^POST http:\/\/127\.0\.0\.1:1\/x: /);
      expect(closed.message).not.toMatch(/p4ss|sig=abc/);
      const redirected = (await sendWebhook({ ...call, url: moved.url }).catch((e: unknown) => e)) as DeliveryError;
      expect(redirected.responseStatus).toBe(302);
    } finally {
      await moved.close();
    }
  });

  it('in production only https:// is accepted, unless private networks are allowed', () => {
    expect(
      webhookUrlProblem(new URL('http://hooks.example.fr/x'), { allowPrivate: false, production: true })?.code,
    ).toBe('url_not_https');
    expect(
      webhookUrlProblem(new URL('https://hooks.example.fr/x'), { allowPrivate: false, production: true }),
    ).toBeNull();
    expect(
      webhookUrlProblem(new URL('http://hooks.example.fr/x'), { allowPrivate: false, production: false }),
    ).toBeNull();
    expect(
      webhookUrlProblem(new URL('http://hooks.example.fr/x'), { allowPrivate: true, production: true }),
    ).toBeNull();
  });
});

describe('Bull Board', () => {
  const basic = (password = BOARD_PASSWORD) => `Basic ${Buffer.from(`${BOARD_USER}:${password}`).toString('base64')}`;
  const board = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
    fetch(`${h.baseUrl}/admin/queues${path}`, { ...init, headers: { authorization: basic(), ...init.headers } });

  it('refuses a cross-site mutating call carrying the cached basic auth (CSRF)', async () => {
    for (const headers of [
      { 'content-type': 'text/plain', origin: 'https://evil.example' },
      { 'content-type': 'text/plain' },
      { referer: 'https://evil.example/page' },
    ]) {
      const res = await board('/api/queues/deposit/clean/failed', { method: 'PUT', headers });
      expect([res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([
        403,
        'CROSS_SITE_REQUEST',
      ]);
    }
  });

  it('read-only (BOARD_READ_ONLY): every action refused, Bull Board’s own read-only mode hides them all', async () => {
    const own = { origin: h.baseUrl };
    const obliterate = await board('/api/queues/deposit/obliterate', { method: 'PUT', headers: own });
    expect([obliterate.status, ((await obliterate.json()) as { error: { code: string } }).error.code]).toEqual([
      403,
      'BOARD_READ_ONLY',
    ]);
    expect(await h.ctx.queues.deposit.isPaused()).toBe(false);
    const pause = await board('/api/queues/deposit/pause', { method: 'PUT', headers: own });
    expect(pause.status).toBe(403);
    expect(await h.ctx.queues.deposit.isPaused()).toBe(false);
    // Bull Board's retry calls too: its read-only UI shows no retry button, retries go through our page.
    expect((await board('/api/queues/deposit/retry/failed', { method: 'PUT', headers: own })).status).toBe(403);
    const { queues } = (await (await board('/api/queues')).json()) as {
      queues: Array<{ name: string; readOnlyMode: boolean }>;
    };
    expect(queues.length).toBeGreaterThan(0);
    expect(queues.filter((q) => !q.readOnlyMode).map((q) => q.name)).toEqual([]);
  });

  it('read-only (BOARD_READ_ONLY): a failed job links to a page whose one button retries it, from the board’s own pages only', async () => {
    const queue = h.ctx.queues.checks;
    const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const worker = new Worker(
      queue.name,
      () => {
        throw new Error('Chorus Pro <timed out> after 30 s');
      },
      { connection, prefix: queue.opts.prefix!, autorun: true },
    );
    try {
      const job = await queue.add('overdue-payments', {}, { attempts: 1 });
      await vi.waitFor(async () => expect(await job.getState()).toBe('failed'), { timeout: 10_000, interval: 50 });
    } finally {
      await worker.close();
      await connection.quit();
    }
    const listing = (await (await board(`/api/queues?activeQueue=${queue.name}&status=failed&page=1`)).json()) as {
      queues: Array<{
        name: string;
        jobs: Array<{ id: string; externalUrl?: { href: string; displayText?: string } }>;
      }>;
    };
    const failed = listing.queues.find((q) => q.name === queue.name)!.jobs;
    expect(failed).toHaveLength(1);
    const href = failed[0]!.externalUrl?.href;
    expect(href).toBe(`/admin/queues/read-only/retry/${queue.name}/${failed[0]!.id}`);

    const pageRes = await fetch(`${h.baseUrl}${href}`, { headers: { authorization: basic() } });
    const html = await pageRes.text();
    expect(pageRes.status).toBe(200);
    expect(html).toContain('Chorus Pro &lt;timed out&gt; after 30 s');
    expect(html).toContain('<form method="post">');
    expect((await fetch(`${h.baseUrl}${href}`)).status).toBe(401);

    const crossSite = await fetch(`${h.baseUrl}${href}`, {
      method: 'POST',
      headers: { authorization: basic(), origin: 'https://evil.example' },
    });
    expect(crossSite.status).toBe(403);
    expect(await (await queue.getJob(failed[0]!.id))!.getState()).toBe('failed');

    const retried = await fetch(`${h.baseUrl}${href}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { authorization: basic(), origin: h.baseUrl },
    });
    expect(retried.status).toBe(303);
    expect(retried.headers.get('location')).toBe(`/admin/queues/queue/${queue.name}?status=failed`);
    expect(await (await queue.getJob(failed[0]!.id))!.getState()).toBe('waiting');
    await queue.obliterate({ force: true });
  });

  it('answers without X-Powered-By', async () => {
    for (const path of ['', '/api/queues']) expect((await board(path)).headers.get('x-powered-by')).toBeNull();
  });
});

describe('SMTP', () => {
  it('requires TLS to any server but loopback, unless allowed', () => {
    expect(smtpTransportOptions('smtp://u:p@mail.example.fr:587', false)).toMatchObject({ requireTLS: true });
    expect(smtpTransportOptions('smtps://u:p@mail.example.fr:465', false)).not.toHaveProperty('requireTLS');
    expect(smtpTransportOptions('smtp://u:p@127.0.0.1:25', false)).not.toHaveProperty('requireTLS');
    expect(smtpTransportOptions('smtp://u:p@mail.example.fr:25', true)).not.toHaveProperty('requireTLS');
  });

  it('does not send the login in clear to a server without STARTTLS', async () => {
    const smtp = await startSmtpServer({ user: 'relay', password: 'Smtp-Secret-1' });
    try {
      // The same server reached by this machine's name: not loopback by its URL, so TLS is required.
      const url = smtp.url.replace('127.0.0.1', hostname());
      const channel = new EmailChannel({ smtpUrl: url, from: 'relay@example.fr' });
      const refused = await channel.send(['a@b.fr'], { subject: 's', text: 't' }, {}).catch((e: unknown) => e);
      channel.close();
      expect(refused).toBeInstanceOf(DeliveryError);
      expect((refused as Error).message).toMatch(/STARTTLS|TLS/i);
      expect((refused as Error).message).not.toContain('Smtp-Secret-1');
      expect(smtp.logins).toEqual([]);
      expect(smtp.mails).toEqual([]);
    } finally {
      await smtp.close();
    }
  });
});

describe('sealed secrets', () => {
  it('bound to their row: a password copied to another supplier does not open there', async () => {
    expect(
      (
        await h.api(
          '/v1/suppliers',
          jsonInit(supplierBody({ siret: '44306184100047', chorusPassword: 'Other-Pass-2' })),
        )
      ).status,
    ).toBe(201);
    const em = h.ctx.orm.em.fork();
    const [a, b] = await Promise.all([
      em.findOneOrFail(SupplierAccount, { siret: SUPPLIER_SIRET }),
      em.findOneOrFail(SupplierAccount, { siret: '44306184100047' }),
    ]);
    expect(h.ctx.secretBox.open(b.chorusPasswordSealed, SEALED_AT.supplierPassword(b.id))).toBe('Other-Pass-2');
    expect(() => h.ctx.secretBox.open(b.chorusPasswordSealed, SEALED_AT.supplierPassword(a.id))).toThrow();
  });

  it('rotate: with a new key in front, reseal puts every stored secret under it, and the old key can go', async () => {
    const sub = await h.api(
      '/v1/subscriptions',
      jsonInit({ supplierSiret: SUPPLIER_SIRET, channel: 'email', emails: ['a@b.fr'] }),
    );
    expect(sub.status).toBe(201);
    const newKey = Buffer.alloc(32, 9);
    const rotated = new SecretBox([newKey, ...h.config.secretKeys]);
    const first = await resealSecrets(h.ctx.orm.em.fork(), rotated);
    expect(first.resealed).toBeGreaterThanOrEqual(2);
    expect(first.resealed).toBe(first.checked);
    expect(await resealSecrets(h.ctx.orm.em.fork(), rotated)).toEqual({ checked: first.checked, resealed: 0 });
    const onlyNew = new SecretBox(newKey);
    const account = await h.ctx.orm.em.fork().findOneOrFail(SupplierAccount, { siret: '44306184100047' });
    expect(onlyNew.open(account.chorusPasswordSealed, SEALED_AT.supplierPassword(account.id))).toBe('Other-Pass-2');
    expect(() => h.ctx.secretBox.open(account.chorusPasswordSealed, SEALED_AT.supplierPassword(account.id))).toThrow(
      /not in SECRET_KEYS/,
    );
  });
});

describe('the signature check docs/alerts.md shows', () => {
  it('refuses a timestamp that is not whole seconds', async () => {
    const readme = (await import('node:fs')).readFileSync('docs/alerts.md', 'utf8');
    const snippet =
      /```js\n(import \{ createHmac, timingSafeEqual \} from 'node:crypto';\nfunction verify[\s\S]*?)```/.exec(
        readme,
      )![1]!;
    const dataUrl = `data:text/javascript,${encodeURIComponent(`${snippet}\nexport { verify };`)}`;
    const { verify } = (await import(dataUrl)) as { verify: (secret: string, header: string, body: string) => boolean };
    const { signWebhook } = await import('../../src/alerts/webhook-signature.js');
    const now = Math.floor(Date.now() / 1000);
    const mac = signWebhook('whsec_x', now, '{}').split('v1=')[1]!;
    expect(verify('whsec_x', `t=${now},v1=${mac}`, '{}')).toBe(true);
    for (const t of [`${now}.0`, `${now / 1e9}e9`, ` ${now}`, `0x${now.toString(16)}`]) {
      const forged = signWebhook('whsec_x', t as unknown as number, '{}').split('v1=')[1]!;
      expect([t, verify('whsec_x', `t=${t},v1=${forged}`, '{}')]).toEqual([t, false]);
    }
  });
});
