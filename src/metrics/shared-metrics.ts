/**
 * Counters and histograms that several processes add to (every worker calls Chorus Pro and runs jobs) and the web
 * process serves at /metrics: kept in one Redis hash, added to with HINCRBYFLOAT, never awaited by the caller (a
 * metric lost while Redis is away is better than a job slowed down). Labels are bounded: queue and endpoint names,
 * outcomes; never an invoice id.
 */
import type { RedisClient } from '../queues/redis.js';

export const SHARED_HISTOGRAMS = {
  chorus_relay_chorus_call_duration_seconds: {
    help: 'Chorus Pro call durations, from sending to the answer',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120],
  },
  chorus_relay_rate_limiter_wait_seconds: {
    help: 'Time a Chorus Pro call waited for its rate-limit slot',
    buckets: [0.001, 0.01, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
  },
  chorus_relay_job_duration_seconds: {
    help: 'Job durations, from start to end, by queue',
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
  },
} as const;
export const SHARED_COUNTERS = {
  chorus_relay_chorus_calls_total: 'Chorus Pro calls, by endpoint and outcome (HTTP status class, or network/timeout)',
  chorus_relay_jobs_total: 'Jobs ended, by queue and outcome (completed or failed)',
  chorus_relay_chorus_items_unreadable_total:
    'List items of Chorus Pro answers skipped because they lack what we need (an invoice without its id or status), by endpoint',
} as const;

export type HistogramName = keyof typeof SHARED_HISTOGRAMS;
export type CounterName = keyof typeof SHARED_COUNTERS;
export type Labels = Record<string, string>;

const SEP = '\u001f';
const labelKey = (labels: Labels) =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
const parseLabels = (key: string): Labels =>
  Object.fromEntries(key === '' ? [] : key.split(',').map((pair) => pair.split('=', 2) as [string, string]));

export interface SharedSnapshot {
  counters: Array<{ name: CounterName; labels: Labels; value: number }>;
  histograms: Array<{ name: HistogramName; labels: Labels; buckets: Map<number, number>; sum: number; count: number }>;
}

export class SharedMetrics {
  readonly #key: string;

  constructor(
    private readonly redis: RedisClient,
    keyPrefix: string,
  ) {
    this.#key = `${keyPrefix}:metrics`;
  }

  count(name: CounterName, labels: Labels, by = 1): void {
    this.redis.hincrbyfloat(this.#key, ['c', name, labelKey(labels)].join(SEP), by).catch(() => undefined);
  }

  observe(name: HistogramName, labels: Labels, seconds: number): void {
    const base = [name, labelKey(labels)];
    const pipeline = this.redis.pipeline();
    for (const le of SHARED_HISTOGRAMS[name].buckets)
      if (seconds <= le) pipeline.hincrbyfloat(this.#key, ['b', ...base, String(le)].join(SEP), 1);
    pipeline.hincrbyfloat(this.#key, ['s', ...base].join(SEP), seconds);
    pipeline.hincrbyfloat(this.#key, ['n', ...base].join(SEP), 1);
    pipeline.exec().catch(() => undefined);
  }

  async snapshot(): Promise<SharedSnapshot> {
    const all = await this.redis.hgetall(this.#key);
    const counters: SharedSnapshot['counters'] = [];
    const histograms = new Map<string, SharedSnapshot['histograms'][number]>();
    const histogram = (name: HistogramName, labels: string) => {
      const id = `${name}${SEP}${labels}`;
      let h = histograms.get(id);
      if (!h) histograms.set(id, (h = { name, labels: parseLabels(labels), buckets: new Map(), sum: 0, count: 0 }));
      return h;
    };
    for (const [field, raw] of Object.entries(all)) {
      const [kind, name, labels = '', le] = field.split(SEP) as [
        string,
        string,
        string | undefined,
        string | undefined,
      ];
      const value = Number(raw);
      if (kind === 'c' && name in SHARED_COUNTERS)
        counters.push({ name: name as CounterName, labels: parseLabels(labels), value });
      if (!(name in SHARED_HISTOGRAMS)) continue;
      if (kind === 'b') histogram(name as HistogramName, labels).buckets.set(Number(le), value);
      if (kind === 's') histogram(name as HistogramName, labels).sum = value;
      if (kind === 'n') histogram(name as HistogramName, labels).count = value;
    }
    return { counters, histograms: [...histograms.values()] };
  }
}
