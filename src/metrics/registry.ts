/**
 * What GET /metrics serves, in the Prometheus text format: this web process's own metrics (prom-client: intake
 * latency, process), gauges read when scraped (queue counts from BullMQ, invoices and deliveries from
 * PostgreSQL), and the counters and histograms every process adds to in Redis (Chorus Pro calls, rate-limit waits,
 * jobs). Labels are bounded: routes, queues, endpoints, states, reasons, outcomes.
 */
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { AppContext } from '../context.js';
import { needsActionCounts } from '../invoices/listing.js';
import { QUEUE_NAMES } from '../queues/jobs.js';
import { SHARED_COUNTERS, SHARED_HISTOGRAMS, type SharedMetrics, type SharedSnapshot } from './shared-metrics.js';

export interface Metrics {
  /** Observed by the HTTP layer for every request. */
  httpDuration: Histogram<'method' | 'route' | 'status_class'>;
  contentType: string;
  render(): Promise<string>;
}

const JOB_STATES = ['waiting', 'active', 'delayed', 'failed', 'prioritized', 'waiting-children'] as const;

export function createMetrics(ctx: AppContext, shared: SharedMetrics): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'chorus_relay_web_' });

  const httpDuration = new Histogram({
    name: 'chorus_relay_http_request_duration_seconds',
    help: 'Intake API latency, from the request to the end of the answer, by route pattern',
    labelNames: ['method', 'route', 'status_class'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });

  new Gauge({
    name: 'chorus_relay_queue_jobs',
    help: 'Jobs per queue and state, read from BullMQ when scraped',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      for (const queue of QUEUE_NAMES) {
        const counts = await ctx.queues[queue].getJobCounts(...JOB_STATES);
        for (const state of JOB_STATES) this.set({ queue, state }, counts[state] ?? 0);
      }
    },
  });

  const sql = <T>(query: string) => ctx.orm.em.getConnection().execute<T[]>(query);
  new Gauge({
    name: 'chorus_relay_invoices',
    help: 'Invoices by pipeline state',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await sql<{ state: string; n: string }>(
        'select state, count(*) as n from invoice group by state',
      ))
        this.set({ state: row.state }, Number(row.n));
    },
  });
  new Gauge({
    name: 'chorus_relay_invoices_needing_action',
    help: 'Invoices that need their supplier, by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const [reason, n] of Object.entries(await needsActionCounts(ctx.orm.em.fork()))) this.set({ reason }, n);
    },
  });
  new Gauge({
    name: 'chorus_relay_deliveries',
    help: 'E-mail and webhook deliveries, by channel and outcome',
    labelNames: ['channel', 'status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await sql<{ channel: string; status: string; n: string }>(
        'select channel, status, count(*) as n from delivery group by channel, status',
      )) {
        this.set({ channel: row.channel, status: row.status }, Number(row.n));
      }
    },
  });

  return {
    httpDuration,
    contentType: registry.contentType,
    async render() {
      return `${await registry.metrics()}\n${renderShared(await shared.snapshot())}`;
    },
  };
}

const labelText = (labels: Record<string, string>) => {
  const pairs = Object.entries(labels).map(
    ([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
  );
  return pairs.length > 0 ? `{${pairs.join(',')}}` : '';
};

/** The Prometheus text of the metrics all processes share. */
function renderShared(snapshot: SharedSnapshot): string {
  const lines: string[] = [];
  for (const [name, help] of Object.entries(SHARED_COUNTERS)) {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
    for (const c of snapshot.counters.filter((x) => x.name === name))
      lines.push(`${name}${labelText(c.labels)} ${c.value}`);
  }
  for (const [name, { help, buckets }] of Object.entries(SHARED_HISTOGRAMS)) {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
    for (const h of snapshot.histograms.filter((x) => x.name === name)) {
      for (const le of buckets)
        lines.push(`${name}_bucket${labelText({ ...h.labels, le: String(le) })} ${h.buckets.get(le) ?? 0}`);
      lines.push(
        `${name}_bucket${labelText({ ...h.labels, le: '+Inf' })} ${h.count}`,
        `${name}_sum${labelText(h.labels)} ${h.sum}`,
        `${name}_count${labelText(h.labels)} ${h.count}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
