/**
 * `chorus-relay submit FILES|ZIP [--manifest m.csv]`: sends a batch (a ZIP as it is, or the files zipped here
 * with the manifest), follows it with a progress bar until every entry is settled or `--wait` runs out, and ends
 * with a summary: deposited, refused with their reasons, still running.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import cliProgress from 'cli-progress';
import { unzipSync, zipSync } from 'fflate';
import { batchSchema, call, type Batch, type RelayConnection } from './relay-api.js';

/** Pipeline states an invoice stays in unless someone acts: a batch entry in one of them is settled. */
const SETTLED = new Set(['integrated', 'rejected', 'needs_attention', 'precheck_failed']);
const FAILED = new Set(['rejected', 'needs_attention', 'precheck_failed']);

export interface SubmitOptions {
  files: string[];
  manifest: string | undefined;
  /** Seconds to follow the batch before leaving the rest as still running. */
  waitSeconds: number;
  idempotencyKey: string | undefined;
  out: NodeJS.WriteStream;
  /** Draws the bar (a terminal); otherwise lines only when asked for JSON, nothing while waiting. */
  interactive: boolean;
}

/**
 * The archive to send: a ZIP given as it is (with --manifest replacing or adding its manifest), or the files zipped.
 */
export function archiveOf(files: string[], manifest: string | undefined): Uint8Array {
  const entries: Record<string, Uint8Array> = {};
  if (files.length === 1 && files[0]!.toLowerCase().endsWith('.zip')) {
    Object.assign(entries, unzipSync(readFileSync(files[0]!)));
  } else {
    for (const file of files) entries[basename(file)] = readFileSync(file);
  }
  if (manifest) {
    for (const name of Object.keys(entries)) if (/^manifest\.(csv|json)$/i.test(name)) delete entries[name];
    entries[manifest.toLowerCase().endsWith('.json') ? 'manifest.json' : 'manifest.csv'] = readFileSync(manifest);
  }
  if (!Object.keys(entries).some((n) => /^manifest\.(csv|json)$/i.test(n))) {
    throw new Error(
      'No manifest: give --manifest m.csv (one row per file: file, then the invoice fields), or put manifest.csv in the ZIP.',
    );
  }
  return zipSync(entries);
}

/** From the counts, which cover every entry (the entries come a page at a time). */
const settledCount = (batch: Batch) =>
  (batch.counts.refused ?? 0) + [...SETTLED].reduce((n, s) => n + (batch.counts[s] ?? 0), 0);

/** The batch with every entry, page after page. */
async function withEveryEntry(relay: RelayConnection, batch: Batch): Promise<Batch> {
  const entries = [...batch.entries];
  for (let cursor = batch.nextCursor; cursor !== null;) {
    const { body } = await call(relay, `/v1/batches/${batch.id}?limit=1000&after=${cursor}`, batchSchema);
    entries.push(...body.entries);
    cursor = body.nextCursor;
  }
  return { ...batch, entries, nextCursor: null };
}

export async function submit(relay: RelayConnection, options: SubmitOptions): Promise<Batch> {
  const headers: Record<string, string> = {
    'content-type': 'application/zip',
    ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}),
  };
  let { body: batch } = await call(relay, '/v1/batches', batchSchema, {
    method: 'POST',
    headers,
    body: archiveOf(options.files, options.manifest),
  });
  const bar = options.interactive
    ? new cliProgress.SingleBar(
        {
          format: ' {bar} {value}/{total} entries settled | {integrated} deposited, {refused} refused | {duration}s',
          stream: options.out,
          hideCursor: true,
        },
        cliProgress.Presets.shades_classic,
      )
    : null;
  const payload = (b: Batch) => ({
    integrated: b.counts.integrated ?? 0,
    refused: (b.counts.refused ?? 0) + [...FAILED].reduce((n, s) => n + (b.counts[s] ?? 0), 0),
  });
  bar?.start(batch.entryCount, settledCount(batch), payload(batch));
  const until = Date.now() + options.waitSeconds * 1000;
  while (settledCount(batch) < batch.entryCount && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    ({ body: batch } = await call(relay, `/v1/batches/${batch.id}`, batchSchema));
    bar?.update(settledCount(batch), payload(batch));
  }
  bar?.stop();
  return withEveryEntry(relay, batch);
}

export interface BatchSummary {
  batchId: string;
  deposited: number;
  refused: Array<{ file: string | null; manifestRow: number | null; number: string | null; reason: string }>;
  stillRunning: number;
}

export function summarise(batch: Batch): BatchSummary {
  const refused = batch.entries.flatMap((e) => {
    if (e.error) {
      const detail = e.error.details[0];
      return [
        {
          file: e.file,
          manifestRow: e.manifestRow,
          number: e.number,
          reason: detail ? `${detail.path || e.error.code}: ${detail.message}` : e.error.message,
        },
      ];
    }
    return e.state && FAILED.has(e.state)
      ? [
          {
            file: e.file,
            manifestRow: e.manifestRow,
            number: e.number,
            reason: `${e.state}${e.chorusStatus ? ` (${e.chorusStatus})` : ''}`,
          },
        ]
      : [];
  });
  const deposited = batch.entries.filter((e) => e.state === 'integrated').length;
  return { batchId: batch.id, deposited, refused, stillRunning: batch.entryCount - deposited - refused.length };
}

/** The summary as a person reads it: counts, then one line per refusal. */
export function summaryTable(summary: BatchSummary): string {
  const lines = [
    `Batch ${summary.batchId}`,
    `  deposited       ${summary.deposited}`,
    `  refused         ${summary.refused.length}`,
    `  still running   ${summary.stillRunning}`,
  ];
  if (summary.refused.length > 0) {
    const where = (r: BatchSummary['refused'][number]) =>
      `${r.file ?? r.number ?? '?'}${r.manifestRow !== null ? ` (row ${r.manifestRow})` : ''}`;
    const width = Math.max(...summary.refused.map((r) => where(r).length));
    lines.push('', 'Refused:', ...summary.refused.map((r) => `  ${where(r).padEnd(width)}  ${r.reason}`));
  }
  return lines.join('\n');
}
