/**
 * A batch: each entry goes through the same intake as POST /v1/invoices (invoice-intake.ts) and gets its own
 * outcome, an invoice or the refusal with its field paths; a bad entry never stops the others. The batch and its
 * entries are recorded as they go (src/batches/store.ts), so GET /v1/batches/{id} tells each entry's fate even
 * after a crash midway.
 */
import type { Caller } from '../access/roles.js';
import { batchSentUnder, createBatch, recordEntry, type EntryError } from '../batches/store.js';
import type { AppContext } from '../context.js';
import type { Batch } from '../db/entities/batch.js';
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

function entryErrorOf(error: unknown): EntryError | null {
  if (error instanceof HttpError || error instanceof DomainError)
    return { code: error.code, message: error.message, details: [...error.details] as Issue[] };
  return null;
}

/** The earlier batch sent under this key, if its request was the same; 409 if it was another. */
async function replayOf(ctx: AppContext, call: BatchCall): Promise<Batch | null> {
  if (call.idempotencyKey === null) return null;
  const earlier = await batchSentUnder(ctx.orm.em, call.caller.keyId, call.idempotencyKey);
  if (!earlier) return null;
  if (earlier.requestHash !== call.requestHash) {
    throw new HttpError(
      409,
      'IDEMPOTENCY_KEY_REUSED',
      `The Idempotency-Key was already used for another batch (${earlier.id}); use a new key for a new batch.`,
    );
  }
  return earlier;
}

export async function runBatch(
  ctx: AppContext,
  source: Batch['source'],
  entries: BatchEntryInput[],
  call: BatchCall,
): Promise<{ batch: Batch; replayed: boolean }> {
  const earlier = await replayOf(ctx, call);
  if (earlier) return { batch: earlier, replayed: true };
  const em = ctx.orm.em.fork();
  const batch = await createBatch(em, {
    source,
    keyId: call.caller.keyId,
    idempotencyKey: call.idempotencyKey,
    requestHash: call.requestHash,
    entryCount: entries.length,
  });
  if (!batch) {
    // The same batch sent twice at once under one key: the second answers as the replay of the first.
    const winner = await replayOf(ctx, call);
    if (winner) return { batch: winner, replayed: true };
    throw new Error('A batch with this Idempotency-Key was being written, then could not be found');
  }
  for (const [i, entry] of entries.entries()) {
    let invoiceId: string | null = null;
    let failure: EntryError | null = null;
    try {
      const outcome = await takeInvoice(ctx, entry.parse(), {
        caller: call.caller,
        idempotencyKey: null,
        audit: null,
        correlationId: call.correlationId,
        batchId: batch.id,
      });
      invoiceId = outcome.invoice.id;
    } catch (error) {
      failure = entryErrorOf(error);
      if (!failure) {
        ctx.logger.error('A batch entry failed on our side', { batchId: batch.id, position: i + 1, error });
        failure = {
          code: 'INTERNAL_ERROR',
          message: 'Something went wrong on our side with this entry; send it again on its own.',
          details: [],
        };
      }
    }
    await recordEntry(em, {
      batchId: batch.id,
      position: i + 1,
      fileName: entry.fileName,
      manifestRow: entry.manifestRow,
      invoiceId,
      error: failure,
    });
  }
  ctx.logger.info('Batch received', { batchId: batch.id, entries: entries.length, correlationId: call.correlationId });
  return { batch, replayed: false };
}
