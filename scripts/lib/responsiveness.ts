/**
 * How a web process behaves while it serves one request: the slowest /healthz answer meanwhile, and its memory.
 * /healthz is pinged from a small process of its own: the process that sends the request is busy uploading
 * megabytes, and its own delays would be counted against the server.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
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

/** Pings until its stdin closes, then prints the slowest round trip and the answers. A reset counts its time. */
const PINGER = `
const url = process.argv[1] + '/healthz';
let max = 0, answers = 0, done = false;
process.stdin.on('end', () => { done = true; });
process.stdin.resume();
(async () => {
  // The first requests of a process set up its HTTP client and connection: not the server's time.
  for (let i = 0; i < 3; i++) await fetch(url).then((r) => r.arrayBuffer(), () => undefined);
  console.log('ready');
  while (!done) {
    const started = performance.now();
    const ok = await fetch(url).then((r) => r.arrayBuffer().then(() => true), () => false);
    max = Math.max(max, performance.now() - started);
    if (ok) answers += 1;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  console.log(JSON.stringify({ max, answers }));
})();
`;

/** Runs `request` against the process `pid` serving `baseUrl`, pinging /healthz and reading its memory all along. */
export async function measureWhile<T>(
  baseUrl: string,
  pid: number,
  request: () => Promise<T>,
): Promise<{ result: T; measured: Responsiveness }> {
  const idleRssMb = rssMb(pid);
  let peakRssMb = idleRssMb;
  const pinger = spawn(process.execPath, ['-e', PINGER, baseUrl], { stdio: ['pipe', 'pipe', 'inherit'] });
  let output = '';
  pinger.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  while (!output.includes('ready')) await once(pinger.stdout, 'data');
  const memory = setInterval(() => (peakRssMb = Math.max(peakRssMb, rssMb(pid))), 10);
  const started = performance.now();
  let result: T;
  try {
    result = await request();
  } finally {
    clearInterval(memory);
    pinger.stdin.end();
  }
  const requestMs = performance.now() - started;
  // The ping in flight when the request ended counts too: it may be the one a blocked loop held.
  await once(pinger, 'exit');
  const { max, answers } = JSON.parse(output.slice(output.indexOf('{'))) as { max: number; answers: number };
  peakRssMb = Math.max(peakRssMb, rssMb(pid));
  return { result, measured: { maxHealthzMs: max, healthzAnswers: answers, idleRssMb, peakRssMb, requestMs } };
}
