/**
 * The watchdog replaces a worker whose wait for jobs hangs past BullMQ's own bound while its queue has jobs ready,
 * and leaves alone a worker that waits normally, one whose queue is empty, and one Redis cannot answer for (an
 * outage, which a new worker would not cure).
 */
import type { Worker } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import winston from 'winston';
import { startWorkerWatchdog, WEDGED_AFTER_MS, type WorkerWatchdog } from '../../workers/worker-watchdog.js';

const logger = winston.createLogger({ silent: true });
/** What the watchdog reads of a BullMQ worker: the wait it is in. */
const workerWaiting = (waiting: object | null) => ({ waiting }) as unknown as Worker;
const queueWith = (ready: number | 'unreachable') => ({
  getJobCounts: () =>
    ready === 'unreachable'
      ? Promise.reject(new Error('Connection is closed.'))
      : Promise.resolve({ wait: ready, prioritized: 0 }),
});

let watchdog: WorkerWatchdog | undefined;
afterEach(() => watchdog?.stop());

function watch(cases: Record<string, { worker: Worker; queue: ReturnType<typeof queueWith> }>) {
  let clock = 0;
  const replaced: string[] = [];
  watchdog = startWorkerWatchdog({
    watched: () => Object.entries(cases).map(([name, c]) => ({ name, ...c })),
    replace: (name) => replaced.push(name),
    logger,
    intervalMs: 5,
    // Each check is 10 s after the previous one: the bound passes within a few checks.
    now: () => (clock += 10_000),
  });
  return replaced;
}

describe('the worker watchdog', () => {
  it('replaces only the worker whose one wait outlived the bound while jobs were ready', async () => {
    const hung = {};
    let renewed = {};
    const renewing: { waiting: object } = { waiting: renewed };
    const replaced = watch({
      wedged: { worker: workerWaiting(hung), queue: queueWith(3) },
      idle: { worker: workerWaiting(hung), queue: queueWith(0) },
      outage: { worker: workerWaiting(hung), queue: queueWith('unreachable') },
      healthy: { worker: renewing as unknown as Worker, queue: queueWith(3) },
      busy: { worker: workerWaiting(null), queue: queueWith(3) },
    });
    const ticks = setInterval(() => {
      // A healthy worker's wait ends and a new one starts within the bound.
      renewed = {};
      renewing.waiting = renewed;
    }, 2);
    try {
      // Still wedged (this test keeps the old worker), so replaced again after the bound: many checks have passed,
      // and every one left the others alone.
      await expect.poll(() => replaced.length, { timeout: 5_000, interval: 5 }).toBeGreaterThan(1);
    } finally {
      clearInterval(ticks);
    }
    expect(new Set(replaced)).toEqual(new Set(['wedged']));
    expect(WEDGED_AFTER_MS).toBeGreaterThan(6_000);
  });
});
