/**
 * Graceful shutdown under load (issue 9, 3i): every request the web process read before SIGTERM is handled to its end
 * before the database pool closes (also when its client left), and answered when its client is still there; a
 * connection whose request was not read yet is reset, with nothing written, so the caller retries safely.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Invoice } from '../../src/db/entities/invoice.js';
import { InvoiceEvent } from '../../src/db/entities/invoice-event.js';
import { initOrm } from '../../src/db/orm.js';
import { startHttpServer } from '../../src/http/server.js';
import { API_KEY, createHarness, type Harness } from '../helpers/harness.js';
import { freePort } from '../helpers/ports.js';
import { startProcess } from '../helpers/processes.js';
import { invoiceBody, jsonInit, supplierBody } from '../helpers/invoices.js';

let h: Harness;
beforeAll(async () => {
  // A small pool, so that requests queue for a connection, as under load.
  h = await createHarness({ env: { DATABASE_POOL_MAX: '2' } });
  expect((await h.api('/v1/suppliers', jsonInit(supplierBody()))).status).toBe(201);
});
afterAll(async () => {
  await h.close();
});

describe('a web process stopped under load', () => {
  it('answers every request it received before closing the database pool', async () => {
    const bodies = await Promise.all(Array.from({ length: 40 }, () => invoiceBody()));
    const http = await startHttpServer(h.ctx, 0);
    let received = 0;
    http.server.on('request', () => (received += 1));
    // Half the clients go away while their request is being handled (a load balancer's timeout, a stopped caller).
    const leaving = bodies.map(() => new AbortController());
    const answers = bodies.map((body, i) =>
      fetch(`http://127.0.0.1:${http.port}/v1/invoices`, {
        ...jsonInit(body),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
        ...(i % 2 === 0 ? { signal: leaving[i]!.signal } : {}),
      }).then(
        async (res) => ({ status: res.status, body: await res.text() }),
        () => ({ status: 0, body: 'not received' }),
      ),
    );
    // The shutdown starts while most requests are in flight.
    await expect.poll(() => received, { timeout: 10_000, interval: 1 }).toBeGreaterThanOrEqual(30);
    const arrived = received;
    leaving.forEach((c, i) => i % 2 === 0 && c.abort());
    await http.close();
    const poolClosed = h.ctx.close();
    const results = await Promise.all(answers);
    await poolClosed;

    const statuses = results.filter((_, i) => i % 2 === 1).map((r) => r.status);
    expect(
      statuses.filter((s) => s !== 202 && s !== 0),
      JSON.stringify(results.filter((r) => r.status >= 500).slice(0, 2)),
    ).toEqual([]);
    expect(arrived).toBeGreaterThanOrEqual(30);
    // Every handler that started ran to its end: no request failed on a closed pool, even for clients gone.
    expect(h.logs.lines.filter((l) => l.includes('"level":"error"')).slice(0, 2)).toEqual([]);
    const orm = await initOrm({ url: h.config.database.url });
    try {
      // Nothing half-written: each invoice stored has its first timeline line.
      const stored = await orm.em.fork().find(Invoice, {});
      expect(stored.length).toBeGreaterThanOrEqual(statuses.filter((s) => s === 202).length);
      for (const invoice of stored)
        expect(await orm.em.fork().count(InvoiceEvent, { invoice: invoice.id })).toBeGreaterThanOrEqual(1);
    } finally {
      await orm.close(true);
    }
  });
});

describe.each(['1', '2'])('the web process (WEB_CONCURRENCY=%s) receiving SIGTERM under load', (concurrency) => {
  it('answers the requests in flight and exits 0', async () => {
    const port = await freePort();
    const web = startProcess('src/web.ts', {
      ...h.env,
      PORT: String(port),
      WEB_CONCURRENCY: concurrency,
      DATABASE_POOL_MAX: '2',
      LOG_LEVEL: 'info',
    });
    try {
      await web.waitFor(
        concurrency === '1' ? /Intake API listening/ : /Intake API listening[\s\S]*Intake API listening/,
        30_000,
      );
      const bodies = await Promise.all(Array.from({ length: 60 }, () => invoiceBody()));
      let answered = 0;
      const answers = bodies.map((body) =>
        fetch(`http://127.0.0.1:${port}/v1/invoices`, {
          ...jsonInit(body),
          headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
        }).then(
          async (res) => {
            answered += 1;
            return { status: res.status, body: await res.text() };
          },
          (error: unknown) => ({
            status: 0,
            body: String(
              (error as { cause?: { code?: string; message?: string } }).cause?.code ??
                (error as { cause?: { message?: string } }).cause?.message ??
                error,
            ),
          }),
        ),
      );
      // SIGTERM once the first answers are out: the others are in flight.
      await expect.poll(() => answered, { timeout: 20_000, interval: 1 }).toBeGreaterThanOrEqual(5);
      web.child.kill('SIGTERM');
      const results = await Promise.all(answers);
      expect(await web.exited()).toEqual({ code: 0, signal: null });
      // Each request is either answered 202, or its connection was reset before the request was read.
      expect(results.filter((r) => r.status !== 202 && !(r.status === 0 && r.body === 'ECONNRESET'))).toEqual([]);
      const answered202 = results.filter((r) => r.status === 202).length;
      expect(answered202).toBeGreaterThanOrEqual(5);
      // What was stored is exactly what was answered: no answer lost after the work, nothing written for a reset.
      const orm = await initOrm({ url: h.config.database.url });
      try {
        expect(await orm.em.fork().count(Invoice, { number: { $in: bodies.map((b) => String(b.number)) } })).toBe(
          answered202,
        );
      } finally {
        await orm.close(true);
      }
      expect(web.output()).not.toMatch(/"level":"error"/);
    } finally {
      web.child.kill('SIGKILL');
    }
  });
});
