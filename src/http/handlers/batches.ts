import express, { type RequestHandler } from 'express';
import type { AppContext } from '../../context.js';
import { openBatchArchive } from '../../batches/archive.js';
import { readManifest } from '../../batches/manifest.js';
import { sha256 } from '../../invoices/submission.js';
import { callerOf, correlationIdOf } from '../auth.js';
import { batchProgress } from '../../batches/store.js';
import { runBatch, type BatchEntryInput } from '../batch-intake.js';
import { HttpError, validationError } from '../errors.js';
import { parseFormSubmission, parseJsonSubmission, type Parsed } from '../invoice-intake.js';
import { idempotencyKeyOf, idParam, queryOf } from '../params.js';
import { batchQuerySchema } from '../schemas.js';
import { hiddenCharactersIn } from '../text-guard.js';

const refused = (path: string, code: string, message: string): Parsed => ({
  ok: false,
  issues: [{ path, code, message }],
  wellFormed: {},
});

/**
 * A ZIP's entries: each manifest row with the file it names, then any file no row names (refused as such). Their
 * number is held against BATCH_MAX_ENTRIES before any file is inflated or anything written.
 */
async function zipEntries(zip: Buffer, ctx: AppContext): Promise<BatchEntryInput[]> {
  const { maxEntries } = ctx.config.batchLimits;
  const archive = await openBatchArchive(zip, ctx.config.batchLimits);
  const { manifest } = archive;
  const rows = readManifest(manifest, maxEntries);
  const named = new Set(rows.flatMap((r) => (r.file ? [r.file] : [])));
  const unnamed = archive.fileNames.filter((name) => !named.has(name)).length;
  if (rows.length + unnamed > maxEntries) {
    throw validationError(
      [
        {
          path: 'manifest',
          code: 'too_big',
          message: `${rows.length} rows and ${unnamed} files no row names make ${rows.length + unnamed} entries; at most ${maxEntries} (BATCH_MAX_ENTRIES).`,
        },
      ],
      'batch',
    );
  }
  const files = await archive.readFiles();
  const byName = new Map(files.map((f) => [f.name, f]));
  const entries: BatchEntryInput[] = rows.map((row) => ({
    fileName: row.file,
    manifestRow: row.row,
    parse: () => {
      const hidden = hiddenCharactersIn(row.fields);
      if (hidden.length > 0) return { ok: false, issues: hidden, wellFormed: {} };
      const file = row.file ? byName.get(row.file) : undefined;
      if (row.file && !file)
        return refused(
          'file',
          'file_not_in_archive',
          `The manifest names ${JSON.stringify(row.file)}, which is not in the archive.`,
        );
      if (file && 'problem' in file) return { ok: false, issues: [file.problem], wellFormed: {} };
      return parseFormSubmission(
        row.fields,
        file ? { name: file.name.split('/').at(-1)!, content: file.content } : null,
      );
    },
  }));
  for (const file of files.filter((f) => !named.has(f.name))) {
    entries.push({
      fileName: file.name,
      manifestRow: null,
      parse: () =>
        refused(
          'file',
          'not_in_manifest',
          `No row of ${manifest.name} names ${JSON.stringify(file.name)}: add one with its invoice fields.`,
        ),
    });
  }
  return entries;
}

/** A JSON batch: an array of invoice requests (as POST /v1/invoices takes them), or `{ "invoices": [...] }`. */
function jsonEntries(body: unknown, ctx: AppContext): BatchEntryInput[] {
  const items: unknown = Array.isArray(body) ? body : (body as { invoices?: unknown } | null)?.invoices;
  if (!Array.isArray(items) || items.length === 0) {
    throw validationError(
      [
        {
          path: 'invoices',
          code: 'invalid_type',
          message: 'Send a non-empty array of invoice requests, or { "invoices": [...] }.',
        },
      ],
      'batch',
    );
  }
  const { maxEntries } = ctx.config.batchLimits;
  if (items.length > maxEntries)
    throw validationError(
      [
        {
          path: 'invoices',
          code: 'too_big',
          message: `At most ${maxEntries} invoices in one batch (BATCH_MAX_ENTRIES).`,
        },
      ],
      'batch',
    );
  return items.map((item: unknown, i) => ({
    fileName: (item as { file?: { name?: unknown } } | null)?.file?.name?.toString() ?? null,
    manifestRow: i + 1,
    parse: () =>
      item !== null && typeof item === 'object' && !Array.isArray(item)
        ? parseJsonSubmission(item as Record<string, unknown>)
        : refused('', 'invalid_type', 'Each entry must be a JSON object.'),
  }));
}

/** POST /v1/batches: a ZIP (application/zip: files and a manifest) or a JSON list of invoice requests. */
export function createBatch(ctx: AppContext): RequestHandler[] {
  // The archive arrives whole; its declared contents are checked before anything is unpacked.
  const raw = express.raw({ type: 'application/zip', limit: ctx.config.batchLimits.maxTotalBytes });
  const handler: RequestHandler = async (req, res) => {
    const isZip = req.is('application/zip') !== false && Buffer.isBuffer(req.body);
    if (!isZip && !req.is('application/json')) {
      throw new HttpError(
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        'Send a batch as application/zip (files and a manifest) or application/json (a list of invoice requests).',
      );
    }
    const idempotencyKey = idempotencyKeyOf(req);
    const entries = isZip ? await zipEntries(req.body as Buffer, ctx) : jsonEntries(req.body, ctx);
    const requestHash = isZip ? sha256(req.body as Buffer) : sha256(JSON.stringify(req.body));
    const caller = callerOf(res);
    const { batch, replayed } = await runBatch(ctx, isZip ? 'zip' : 'json', entries, {
      caller,
      idempotencyKey,
      requestHash,
      correlationId: correlationIdOf(res),
    });
    const view = await batchProgress(ctx.orm.em.fork(), batch.id, caller);
    res
      .status(replayed ? 200 : 202)
      .location(`/v1/batches/${batch.id}`)
      .json(view);
  };
  return [raw, handler];
}

/** GET /v1/batches/:id: counts per state, and a page of the entries (each its invoice and state, or its refusal). */
export function getBatch(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const id = idParam(req.params.id, 'batch');
    const view = await batchProgress(ctx.orm.em.fork(), id, callerOf(res), queryOf(batchQuerySchema, req.query));
    if (!view) throw new HttpError(404, 'BATCH_NOT_FOUND', `No batch has the id ${id}.`);
    res.json(view);
  };
}
