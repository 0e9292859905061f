/**
 * A BullMQ worker waits for its next job on a blocking connection, which BullMQ bounds by its block timeout plus a
 * second: `drainDelay` (5 s) when nothing is delayed, at most 10 s when a delayed job is due later. After a Redis
 * Cluster failover that wait was seen to hang for good: the worker looked alive, its queue filled, and nothing ran
 * until the process restarted. The watchdog replaces such a worker with a new one (a new blocking connection) once its
 * wait has outlived any of those bounds while its queue has jobs ready (which a healthy worker takes at once).
 *
 * It reads one field BullMQ keeps to itself (the pending wait); should a later BullMQ drop it, the watchdog sees
 * nothing and does nothing.
 */
import type { Queue, Worker } from 'bullmq';
import type { Logger } from '../src/logger.js';

/** BullMQ's default `drainDelay` (seconds): the longest a worker blocks before it looks again. */
const DRAIN_DELAY_SECONDS = 5;
/** A wait pending this long is three times the usual bound (6 s) and well past the longest one (11 s). */
export const WEDGED_AFTER_MS = 3 * (DRAIN_DELAY_SECONDS + 1) * 1000;
/** How long the watchdog waits for Redis to count a queue's jobs: an outage is no reason to replace a worker. */
const COUNT_TIMEOUT_MS = 2_000;

export interface WatchedWorker {
  name: string;
  worker: Worker;
  queue: Pick<Queue, 'getJobCounts'>;
}

/** The wait BullMQ's worker is in, if any (an internal field: null when absent). */
function pendingWait(worker: Worker): object | null {
  const waiting = (worker as unknown as { waiting?: unknown }).waiting;
  return typeof waiting === 'object' && waiting !== null ? waiting : null;
}

async function readyJobs(queue: Pick<Queue, 'getJobCounts'>): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const counts = await Promise.race([
      queue.getJobCounts('wait', 'prioritized'),
      new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), COUNT_TIMEOUT_MS);
      }),
    ]);
    return counts === null ? null : (counts.wait ?? 0) + (counts.prioritized ?? 0);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

export interface WorkerWatchdog {
  stop(): void;
}

/**
 * Checks every `intervalMs`; `replace` builds the new worker and retires the old one (its running jobs finish).
 * `now` is the process clock: the bound is BullMQ's, in real time.
 */
export function startWorkerWatchdog(options: {
  watched: () => readonly WatchedWorker[];
  replace: (name: string) => void;
  logger: Logger;
  intervalMs: number;
  now?: () => number;
}): WorkerWatchdog {
  const now = options.now ?? Date.now;
  const seen = new WeakMap<Worker, { wait: object; since: number }>();
  let checking = false;
  const check = async () => {
    if (checking) return;
    checking = true;
    try {
      for (const { name, worker, queue } of options.watched()) {
        const wait = pendingWait(worker);
        const before = seen.get(worker);
        if (wait === null) {
          seen.delete(worker);
          continue;
        }
        if (before?.wait !== wait) {
          seen.set(worker, { wait, since: now() });
          continue;
        }
        const blockedMs = now() - before.since;
        if (blockedMs < WEDGED_AFTER_MS) continue;
        const ready = await readyJobs(queue);
        if (ready === null || ready === 0) continue;
        options.logger.warn('A worker stopped taking jobs while its queue has some ready; replacing it', {
          queue: name,
          blockedSeconds: Math.round(blockedMs / 1000),
          readyJobs: ready,
        });
        seen.delete(worker);
        options.replace(name);
      }
    } finally {
      checking = false;
    }
  };
  const timer = setInterval(() => void check(), options.intervalMs);
  timer.unref();
  return {
    stop: () => clearInterval(timer),
  };
}
