/**
 * `tsx scripts/cpu-profile-summary.ts PROFILE.cpuprofile [REQUESTS]`: where a process spent its time, per request,
 * from a CPU profile that `BENCH_PROFILE=dir npm run bench -- --only a` wrote. Each sample goes to the first
 * frame, from the leaf up, that belongs to a known part (file reading, SQL, Redis, validation...); idle time and
 * `writev` (a write that wakes PostgreSQL or Redis; on a shared 2-core VM the woken process often runs in our
 * place, so this is mostly time not spent on our CPU) are shown apart. The profile samples wall time.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const PARTS: ReadonlyArray<[string, RegExp]> = [
  ['invoice file reading', /saxes|einvoice\//],
  ['hashes', /crypto\/hash|sha256|submissionFingerprint/],
  ['request validation', /zod|schemas\.js|parseSubmission|text-guard/],
  ['SQL (pg, pool, statement)', /node_modules\/pg|pg-protocol|tarn|knex|intake-statement|mikro-orm/],
  ['Redis (jobs, metrics)', /ioredis|bullmq|queues\/|metrics/],
  ['logging', /logger|winston/],
  ['HTTP request in', /_http_server|body-parser|raw-body|http\/app\.js/],
  ['HTTP answer out', /_http_outgoing|express\/lib\/response|presenters/],
  ['routing, authentication', /router|express|http\/auth|visibility/],
  ['module loading (start-up)', /modules\/cjs|modules\/esm|cjs-module-lexer|reflect-metadata/],
];
const APART = new Set(['(idle)', 'writev', '(garbage collector)', '(program)']);

const [file, requests = '3050'] = process.argv.slice(2);
if (!file) throw new Error('Usage: tsx scripts/cpu-profile-summary.ts PROFILE.cpuprofile [REQUESTS]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

const microseconds = new Map<string, number>();
profile.samples.forEach((sampleId, i) => {
  const leaf = nodes.get(sampleId);
  let part = leaf && APART.has(leaf.callFrame.functionName) ? leaf.callFrame.functionName : 'other';
  for (let id: number | undefined = sampleId; part === 'other' && id !== undefined; id = parentOf.get(id)) {
    const frame = nodes.get(id)?.callFrame;
    const found = frame && PARTS.find(([, pattern]) => pattern.test(`${frame.url} ${frame.functionName}`));
    if (found) part = found[0];
  }
  microseconds.set(part, (microseconds.get(part) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
for (const [part, us] of [...microseconds].sort((a, b) => b[1] - a[1])) {
  console.log(`${part.padEnd(28)} ${(us / 1000 / Number(requests)).toFixed(3)} ms per request`);
}
