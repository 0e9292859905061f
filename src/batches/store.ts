/**
 * Batches in PostgreSQL: the batch row, one row per entry as each is taken, and the batch as it stands (each
 * entry with its invoice's state).
 */
import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import type { Scope } from '../access/roles.js';
import { Batch, BatchEntry } from '../db/entities/batch.js';
import { Invoice } from '../db/entities/invoice.js';

export type EntryError = NonNullable<BatchEntry['error']>;

export async function batchSentUnder(em: EntityManager, keyId: string, idempotencyKey: string): Promise<Batch | null> {
  return em.fork().findOne(Batch, { keyId, idempotencyKey });
}

/** The new batch's row; null when another request under the same key wrote it first. */
export async function createBatch(
  em: EntityManager,
  fields: Pick<Batch, 'source' | 'keyId' | 'idempotencyKey' | 'requestHash' | 'entryCount'>,
): Promise<Batch | null> {
  const batch = em.create(Batch, fields);
  try {
    await em.flush();
    return batch;
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) return null;
    throw error;
  }
}

export async function recordEntry(
  em: EntityManager,
  entry: {
    batchId: string;
    position: number;
    fileName: string | null;
    manifestRow: number | null;
    invoiceId: string | null;
    error: EntryError | null;
  },
): Promise<void> {
  await em.insert(BatchEntry, {
    batch: entry.batchId,
    position: entry.position,
    fileName: entry.fileName,
    manifestRow: entry.manifestRow,
    invoice: entry.invoiceId,
    error: entry.error,
  });
}

export interface BatchProgress {
  id: string;
  source: Batch['source'];
  createdAt: string;
  entryCount: number;
  /** `refused` for the entries that made no invoice, then the invoices by pipeline state: every entry, not the page. */
  counts: Record<string, number>;
  /** The `after` of the next page of entries; null on the last. */
  nextCursor: string | null;
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

/**
 * The batch as it stands, one page of its entries (`limit` from position `after`); null when unknown or not the
 * caller's (an admin of every supplier sees all). The counts cover every entry, counted in the database.
 */
export async function batchProgress(
  em: EntityManager,
  id: string,
  caller: { keyId: string; scope: Scope },
  page: { limit: number; after: number } = { limit: 100, after: 0 },
): Promise<BatchProgress | null> {
  const batch = await em.findOne(Batch, id);
  if (!batch || (batch.keyId !== caller.keyId && caller.scope !== null)) return null;
  const buckets = await em.getConnection().execute<Array<{ bucket: string; n: string }>>(
    `select case when e.error is not null then 'refused' else coalesce(i.state, 'unknown') end as bucket, count(*) as n
       from batch_entry e left join invoice i on i.id = e.invoice_id where e.batch_id = ? group by 1`,
    [batch.id],
  );
  const counts: Record<string, number> = {
    refused: 0,
    ...Object.fromEntries(buckets.map((b) => [b.bucket, Number(b.n)])),
  };
  const entries = await em.find(
    BatchEntry,
    { batch, position: { $gt: page.after } },
    { orderBy: { position: 'asc' }, limit: page.limit + 1 },
  );
  const shown = entries.slice(0, page.limit);
  const invoiceIds = shown.flatMap((e) => (e.invoice ? [e.invoice.id] : []));
  const invoices = new Map(
    (await em.find(Invoice, { id: { $in: invoiceIds } }, { fields: ['id', 'number', 'state', 'chorusStatus'] })).map(
      (i) => [i.id, i],
    ),
  );
  const rows = shown.map((e) => {
    const invoice = e.invoice ? invoices.get(e.invoice.id) : undefined;
    return {
      position: e.position,
      file: e.fileName,
      manifestRow: e.manifestRow,
      invoiceId: e.invoice?.id ?? null,
      number: invoice?.number ?? null,
      state: invoice?.state ?? null,
      chorusStatus: invoice?.chorusStatus ?? null,
      error: e.error,
    };
  });
  return {
    id: batch.id,
    source: batch.source,
    createdAt: batch.createdAt.toISOString(),
    entryCount: batch.entryCount,
    counts,
    entries: rows,
    nextCursor: entries.length > page.limit ? String(shown.at(-1)!.position) : null,
  };
}
