/**
 * A batch: each entry goes through the same intake as POST /v1/invoices (invoice-intake.ts) and gets its own
 * outcome, an invoice or the refusal with its field paths; a bad entry never stops the others. The batch and its
 * entries are recorded as they go, so GET /v1/batches/{id} tells each entry's fate even after a crash midway.
 */
import { UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import type { Caller } from '../access/roles.js';
import type { AppContext } from '../context.js';
import { Batch, BatchEntry } from '../db/entities/batch.js';
import { Invoice } from '../db/entities/invoice.js';
import { DomainError, type Issue } from '../shared/domain-error.js';
import { HttpError } from './errors.js';
import { takeInvoice, type Parsed } from './invoice-intake.js';

export interface BatchEntryInput {
  fileName: string | null;
  manifestRow: number | null;
  /** Parsed only when its turn comes: one entry's shape error is that entry's outcome. */
  parse(): Parsed;
}

export interface BatchCall {
  caller: Caller;
  idempotencyKey: string | null;
  requestHash: string;
  correlationId: string | undefined;
}

type EntryError = NonNullable<BatchEntry['error']>;

function entryErrorOf(error: unknown): EntryError | null {
  if (error instanceof HttpError || error instanceof DomainError) return { code: error.code, message: error.message, details: [...error.details] as Issue[] };
  return null;
}

/** The earlier batch sent under this key, if its request was the same; 409 if it was another. */
async function replayOf(ctx: AppContext, call: BatchCall): Promise<Batch | null> {
  if (call.idempotencyKey === null) return null;
  const earlier = await ctx.orm.em.fork().findOne(Batch, { keyId: call.caller.keyId, idempotencyKey: call.idempotencyKey });
  if (!earlier) return null;
  if (earlier.requestHash !== call.requestHash) {
    throw new HttpError(409, 'IDEMPOTENCY_KEY_REUSED', `The Idempotency-Key was already used for another batch (${earlier.id}); use a new key for a new batch.`);
  }
  return earlier;
}

export async function runBatch(ctx: AppContext, source: Batch['source'], entries: BatchEntryInput[], call: BatchCall): Promise<{ batch: Batch; replayed: boolean }> {
  const earlier = await replayOf(ctx, call);
  if (earlier) return { batch: earlier, replayed: true };
  const em = ctx.orm.em.fork();
  const batch = em.create(Batch, { source, keyId: call.caller.keyId, idempotencyKey: call.idempotencyKey, requestHash: call.requestHash, entryCount: entries.length });
  try {
    await em.flush();
  } catch (error) {
    // The same batch sent twice at once under one key: the second answers as the replay of the first.
    if (error instanceof UniqueConstraintViolationException) {
      const winner = await replayOf(ctx, call);
      if (winner) return { batch: winner, replayed: true };
    }
    throw error;
  }
  for (const [i, entry] of entries.entries()) {
    let invoiceId: string | null = null;
    let failure: EntryError | null = null;
    try {
      const outcome = await takeInvoice(ctx, entry.parse(), { caller: call.caller, idempotencyKey: null, audit: null, correlationId: call.correlationId, batchId: batch.id });
      invoiceId = outcome.invoice.id;
    } catch (error) {
      failure = entryErrorOf(error);
      if (!failure) {
        ctx.logger.error('A batch entry failed on our side', { batchId: batch.id, position: i + 1, error });
        failure = { code: 'INTERNAL_ERROR', message: 'Something went wrong on our side with this entry; send it again on its own.', details: [] };
      }
    }
    await em.insert(BatchEntry, {
      batch: batch.id,
      position: i + 1,
      fileName: entry.fileName,
      manifestRow: entry.manifestRow,
      invoice: invoiceId,
      error: failure,
    });
  }
  ctx.logger.info('Batch received', { batchId: batch.id, entries: entries.length, correlationId: call.correlationId });
  return { batch, replayed: false };
}

export interface BatchView {
  id: string;
  source: Batch['source'];
  createdAt: string;
  entryCount: number;
  /** `refused` for the entries that made no invoice, then the invoices by pipeline state. */
  counts: Record<string, number>;
  entries: Array<{
    position: number;
    file: string | null;
    manifestRow: number | null;
    invoiceId: string | null;
    number: string | null;
    state: string | null;
    chorusStatus: string | null;
    error: EntryError | null;
  }>;
}

/** The batch as GET /v1/batches/{id} shows it; null when unknown or not the caller's (an admin of all sees all). */
export async function batchView(ctx: AppContext, id: string, caller: Caller): Promise<BatchView | null> {
  const em = ctx.orm.em.fork();
  const batch = await em.findOne(Batch, id);
  if (!batch || (batch.keyId !== caller.keyId && caller.scope !== null)) return null;
  const entries = await em.find(BatchEntry, { batch }, { orderBy: { position: 'asc' } });
  const invoiceIds = entries.flatMap((e) => (e.invoice ? [e.invoice.id] : []));
  const invoices = new Map((await em.find(Invoice, { id: { $in: invoiceIds } }, { fields: ['id', 'number', 'state', 'chorusStatus'] })).map((i) => [i.id, i]));
  const counts: Record<string, number> = { refused: 0 };
  const rows = entries.map((e) => {
    const invoice = e.invoice ? invoices.get(e.invoice.id) : undefined;
    const state = invoice?.state ?? null;
    const bucket = e.error ? 'refused' : (state ?? 'unknown');
    counts[bucket] = (counts[bucket] ?? 0) + 1;
    return {
      position: e.position,
      file: e.fileName,
      manifestRow: e.manifestRow,
      invoiceId: e.invoice?.id ?? null,
      number: invoice?.number ?? null,
      state,
      chorusStatus: invoice?.chorusStatus ?? null,
      error: e.error,
    };
  });
  return { id: batch.id, source: batch.source, createdAt: batch.createdAt.toISOString(), entryCount: batch.entryCount, counts, entries: rows };
}
