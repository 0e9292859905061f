/** How a web process behaves while it serves one request: the slowest /healthz answer meanwhile, and its memory. */
import { readFileSync } from 'node:fs';

export interface Responsiveness {
  /** The longest /healthz round trip while the request was in flight, in ms. */
  maxHealthzMs: number;
  /** /healthz answers received meanwhile. */
  healthzAnswers: number;
  /** Resident memory of the process before the request, and its peak meanwhile, in MB. */
  idleRssMb: number;
  peakRssMb: number;
  /** How long the request took, in ms. */
  requestMs: number;
}

/** Resident set size of a process, from /proc (Linux). */
export function rssMb(pid: number): number {
  const line = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return line ? Number(line[1]) / 1024 : 0;
}

/** Runs `request` against the process `pid` serving `baseUrl`, pinging /healthz and reading its memory all along. */
export async function measureWhile<T>(baseUrl: string, pid: number, request: () => Promise<T>): Promise<{ result: T; measured: Responsiveness }> {
  const idleRssMb = rssMb(pid);
  let peakRssMb = idleRssMb;
  let maxHealthzMs = 0;
  let healthzAnswers = 0;
  let done = false;
  const pinger = (async () => {
    while (!done) {
      const started = performance.now();
      // A reset connection counts as the time it took to fail; the ping goes on.
      const answered = await fetch(`${baseUrl}/healthz`).then(
        (r) => r.arrayBuffer().then(() => true),
        () => false,
      );
      maxHealthzMs = Math.max(maxHealthzMs, performance.now() - started);
      if (answered) healthzAnswers += 1;
      peakRssMb = Math.max(peakRssMb, rssMb(pid));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  const started = performance.now();
  let result: T;
  try {
    result = await request();
  } finally {
    done = true;
  }
  const requestMs = performance.now() - started;
  // The ping in flight when the request ended counts too: it may be the one a blocked loop held.
  await pinger;
  return { result, measured: { maxHealthzMs, healthzAnswers, idleRssMb, peakRssMb, requestMs } };
}
