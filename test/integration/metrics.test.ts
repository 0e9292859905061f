/**
 * GET /metrics (issue 12, part 4): Prometheus text behind METRICS_TOKEN, with bounded labels, and values that move
 * with a deposit: Chorus Pro calls, rate-limit waits, jobs, queues, invoices, intake latency. And the correlation
 * id of a request, in the log lines of the request and of the jobs it caused.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '../../workers/worker.js';
import { invoiceBody, jsonInit } from '../helpers/invoices.js';
import { createPipelineHarness, FAST_PIPELINE_ENV, settled, type PipelineHarness } from '../helpers/pipeline.js';

const TOKEN = 'metrics-token-0123456789';
let p: PipelineHarness;
beforeAll(async () => {
  p = await createPipelineHarness({ env: { ...FAST_PIPELINE_ENV, METRICS_TOKEN: TOKEN } });
});
afterAll(() => p.close());

/** `name{labels} value` lines as a map; labels sorted, so a series has one spelling. */
async function scrape(): Promise<Map<string, number>> {
  const res = await fetch(`${p.h.baseUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const series = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    const m = /^([a-z_:][a-z0-9_:]*)(?:\{(.*)\})? (\S+)$/i.exec(line);
    if (!m) continue;
    const labels = (m[2] ?? '')
      .split(/,(?=[a-z_]+=")/)
      .filter(Boolean)
      .sort()
      .join(',');
    series.set(`${m[1]}{${labels}}`, Number(m[3]));
  }
  return series;
}
const value = (series: Map<string, number>, key: string) => series.get(key) ?? 0;

describe('GET /metrics', () => {
  it('needs its own token: none, a wrong one or an API key get 401', async () => {
    expect((await fetch(`${p.h.baseUrl}/metrics`)).status).toBe(401);
    expect(
      (await fetch(`${p.h.baseUrl}/metrics`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status,
    ).toBe(401);
    expect((await p.h.api('/metrics')).status).toBe(401);
  });

  it('moves with a deposit, with bounded labels, and the request id follows it into the jobs', async () => {
    const before = await scrape();
    const res = await p.h.api('/v1/invoices', jsonInit(await invoiceBody(), { 'x-request-id': 'corr-test-42' }));
    expect(res.status).toBe(202);
    expect(res.headers.get('x-request-id')).toBe('corr-test-42');
    const { id } = (await res.json()) as { id: string };
    const worker = startWorker(p.h.ctx);
    try {
      await settled(p.h, id, ['integrated'], 30_000);
    } finally {
      await worker.stop();
    }

    const deposits = 'chorus_relay_chorus_calls_total{endpoint="deposerFlux",outcome="2xx"}';
    await expect
      .poll(async () => value(await scrape(), deposits) - value(before, deposits), { timeout: 5_000 })
      .toBe(1);
    const after = await scrape();
    expect(value(after, 'chorus_relay_jobs_total{outcome="completed",queue="deposit"}')).toBeGreaterThanOrEqual(1);
    expect(value(after, 'chorus_relay_job_duration_seconds_count{queue="deposit"}')).toBeGreaterThanOrEqual(1);
    expect(value(after, 'chorus_relay_job_duration_seconds_bucket{le="+Inf",queue="deposit"}')).toBe(
      value(after, 'chorus_relay_job_duration_seconds_count{queue="deposit"}'),
    );
    expect(
      value(after, 'chorus_relay_chorus_call_duration_seconds_count{endpoint="rechercherFactureParFournisseur"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(value(after, 'chorus_relay_rate_limiter_wait_seconds_count{}')).toBeGreaterThan(
      value(before, 'chorus_relay_rate_limiter_wait_seconds_count{}'),
    );
    expect(value(after, 'chorus_relay_invoices{state="integrated"}')).toBe(1);
    expect(after.has('chorus_relay_queue_jobs{queue="deposit",state="waiting"}')).toBe(true);
    expect(after.has('chorus_relay_queue_jobs{queue="deliveries",state="failed"}')).toBe(true);
    expect(
      value(
        after,
        'chorus_relay_http_request_duration_seconds_count{method="POST",route="/v1/invoices",status_class="2xx"}',
      ),
    ).toBe(1);
    expect(after.has('chorus_relay_web_process_resident_memory_bytes{}')).toBe(true);
    // Bounded labels: no invoice id, no path with an id.
    expect([...after.keys()].filter((k) => /[0-9a-f]{8}-[0-9a-f]{4}-/.test(k))).toEqual([]);

    const lines = p.h.logs.lines.filter((l) => l.includes('"correlationId":"corr-test-42"'));
    expect(lines.some((l) => l.includes('Invoice received'))).toBe(true);
    expect(lines.some((l) => l.includes('Invoice deposited'))).toBe(true);
    expect(lines.some((l) => l.includes('"message":"request"'))).toBe(true);
  });

  it('counts the invoices that need action by reason, and the deliveries of their alerts by channel and outcome', async () => {
    expect(
      (
        await p.h.api(
          '/v1/subscriptions',
          jsonInit({ supplierSiret: '73282932000074', channel: 'email', emails: ['compta@example.fr'] }),
        )
      ).status,
    ).toBe(201);
    // The ministry requires a service code: refused at the pre-check, an alert goes out (and fails: no SMTP server
    // here).
    const res = await p.h.api(
      '/v1/invoices',
      jsonInit(await invoiceBody({ serviceCode: null }), { 'x-request-id': 'corr-alert-7' }),
    );
    expect(res.status).toBe(202);
    const worker = startWorker(p.h.ctx);
    try {
      await expect
        .poll(
          async () => {
            const series = await scrape();
            return [...series.entries()]
              .filter(([k]) => k.startsWith('chorus_relay_deliveries{channel="email"'))
              .reduce((n, [, v]) => n + v, 0);
          },
          { timeout: 20_000 },
        )
        .toBeGreaterThanOrEqual(1);
    } finally {
      await worker.stop();
    }
    const series = await scrape();
    expect(value(series, 'chorus_relay_invoices_needing_action{reason="precheck_failed"}')).toBe(1);
    expect(value(series, 'chorus_relay_invoices{state="precheck_failed"}')).toBe(1);
    expect(value(series, 'chorus_relay_jobs_total{outcome="completed",queue="alerts"}')).toBeGreaterThanOrEqual(1);
    // The request's id follows the refusal into the alert's job and the e-mail's delivery job.
    const alertJobs = await p.h.ctx.queues.alerts.getJobs(['completed', 'failed', 'waiting', 'active', 'delayed']);
    expect(alertJobs.map((j) => j.data.correlationId)).toContain('corr-alert-7');
    const deliveryJobs = await p.h.ctx.queues.deliveries.getJobs([
      'completed',
      'failed',
      'waiting',
      'active',
      'delayed',
    ]);
    expect(deliveryJobs.map((j) => j.data.correlationId)).toContain('corr-alert-7');
  });

  it('serves every metric the Grafana dashboard of docs/ queries', async () => {
    const dashboard = readFileSync('docs/grafana-dashboard.json', 'utf8');
    const queried = new Set([...dashboard.matchAll(/chorus_relay_[a-z_]+/g)].map((m) => m[0]));
    expect(queried.size).toBeGreaterThan(8);
    const served = [...(await scrape()).keys()].map((k) => k.slice(0, k.indexOf('{')));
    expect([...queried].filter((name) => !served.includes(name))).toEqual([]);
  });
});
