/**
 * `npm run bench:en16931`: the EN 16931 check's cost on this machine, with the rules in RULES_DIR (default .rules):
 * for a 4 KB UBL invoice and a 200-line CII invoice, checks per second on one worker thread (one after the other)
 * and the p50/p95 latency, then the same files on EN16931_THREADS threads at once. The deposit throughput with the
 * check on is `npm run bench -- --only d` (the share of the rate limit used, every deposit checked).
 */
import { loadRulesConfig } from '../src/config.js';
import { createRulesChecker } from '../src/invoices/einvoice/en16931/rules-checker.js';
import { DEFAULT_FILE_LIMITS } from '../src/invoices/einvoice/limits.js';
import { demoSample, generateSampleInvoice } from './lib/sample-invoices.js';

const sample = demoSample('F2026-BENCH-1');

/** Our CII sample with its one line of 1 000.00 split into 200 lines of 5.00: the same totals, 200 lines. */
async function twoHundredLines(): Promise<Buffer> {
  const xml = (await generateSampleInvoice(sample, 'CII')).toString('utf8');
  const line = /<ram:IncludedSupplyChainTradeLineItem>[\s\S]*?<\/ram:IncludedSupplyChainTradeLineItem>/.exec(xml)![0];
  const lines = Array.from({ length: 200 }, (_, i) =>
    line
      .replace(/<ram:LineID>1<\/ram:LineID>/, `<ram:LineID>${i + 1}</ram:LineID>`)
      .replace('<ram:ChargeAmount>1000.00', '<ram:ChargeAmount>5.00')
      .replace('<ram:LineTotalAmount>1000.00', '<ram:LineTotalAmount>5.00'),
  ).join('\n');
  return Buffer.from(xml.replace(line, lines));
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

const rules = loadRulesConfig();
const threads = Number(process.env.EN16931_THREADS ?? '2');
const files = [
  {
    label: '4 KB UBL invoice',
    content: await generateSampleInvoice(sample, 'UBL'),
    flux: 'IN_DP_E1_UBL_INVOICE' as const,
    runs: 200,
  },
  { label: '200-line CII invoice', content: await twoHundredLines(), flux: 'IN_DP_E1_CII_16B' as const, runs: 40 },
];
const lines: string[] = [];
for (const file of files) {
  const one = createRulesChecker(
    { dir: rules.dir, threads: 1, timeoutMs: 120_000, memoryMb: 512 },
    DEFAULT_FILE_LIMITS,
  );
  const first = await one.check(file.content, file.flux);
  if (first.outcome !== 'checked') throw new Error(`${file.label}: ${first.note?.en ?? first.outcome}`);
  for (let i = 0; i < 5; i++) await one.check(file.content, file.flux); // warm-up
  const times: number[] = [];
  const started = performance.now();
  for (let i = 0; i < file.runs; i++) {
    const t = performance.now();
    await one.check(file.content, file.flux);
    times.push(performance.now() - t);
  }
  const seconds = (performance.now() - started) / 1000;
  await one.close();
  times.sort((a, b) => a - b);
  const pool = createRulesChecker({ dir: rules.dir, threads, timeoutMs: 120_000, memoryMb: 512 }, DEFAULT_FILE_LIMITS);
  await Promise.all(Array.from({ length: threads * 3 }, () => pool.check(file.content, file.flux))); // warm-up
  const poolStarted = performance.now();
  await Promise.all(Array.from({ length: file.runs }, () => pool.check(file.content, file.flux)));
  const poolSeconds = (performance.now() - poolStarted) / 1000;
  await pool.close();
  lines.push(
    `${file.label} (${(file.content.length / 1024).toFixed(1)} KB, ${first.errors.length} errors, ${first.warnings.length} warnings): one thread ${(file.runs / seconds).toFixed(1)} checks/s, p50 ${percentile(times, 0.5).toFixed(1)} ms, p95 ${percentile(times, 0.95).toFixed(1)} ms; ${threads} threads ${(file.runs / poolSeconds).toFixed(1)} checks/s`,
  );
}
console.log(`EN 16931 check, rules in ${rules.dir}, ${new Date().toISOString()}, Node ${process.version}`);
for (const line of lines) console.log(line);
