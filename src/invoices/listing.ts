/**
 * The invoice lists users work from: filters, a stable sort, keyset (cursor) pagination, and the counts of the
 * dashboard. Filters arrive parsed (src/http/schemas.ts); this module turns them into queries.
 */
import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { firstHiddenCharacter } from '../shared/hidden-characters.js';
import { inScope, type Scope } from '../access/roles.js';
import { STATUS_MODEL, type Stage } from '../chorus/status-model.js';
import { Invoice } from '../db/entities/invoice.js';
import { SupplierAccount } from '../db/entities/supplier-account.js';
import { DomainError } from '../shared/domain-error.js';
import type { ActionReason } from './action-required.js';
import type { InvoiceState } from './states.js';

export const SORT_FIELDS = ['createdAt', 'updatedAt', 'issueDate', 'number', 'amountWithVat'] as const;
export type SortField = (typeof SORT_FIELDS)[number];

export interface InvoiceFilters {
  stage?: Stage[];
  status?: string[];
  state?: InvoiceState[];
  needsAction?: boolean;
  actionReason?: ActionReason[];
  recipientSiret?: string;
  supplierSiret?: string;
  /** The suppliers the caller may see (its key's scope). */
  supplierSirets?: readonly string[];
  engagementNumber?: string;
  marketNumber?: string;
  /** Invoices whose number starts with this, whatever the case. */
  numberStartsWith?: string;
  issuedFrom?: string;
  issuedTo?: string;
  depositedFrom?: Date;
  depositedTo?: Date;
  updatedFrom?: Date;
  updatedTo?: Date;
}

export interface PageRequest {
  sort: SortField;
  descending: boolean;
  limit: number;
  cursor?: string;
}

/** The raw statuses of each stage, from the status model. */
function statusesOf(stages: Stage[]): string[] {
  return Object.entries(STATUS_MODEL)
    .filter(([, meaning]) => stages.includes(meaning.stage))
    .map(([status]) => status);
}

function where(filters: InvoiceFilters): FilterQuery<Invoice> {
  const and: FilterQuery<Invoice>[] = [];
  if (filters.stage) and.push({ chorusStatus: { $in: statusesOf(filters.stage) } });
  if (filters.status) and.push({ chorusStatus: { $in: filters.status } });
  if (filters.state) and.push({ state: { $in: filters.state } });
  if (filters.needsAction !== undefined) and.push({ actionRequired: filters.needsAction ? { $ne: null } : null });
  if (filters.actionReason) and.push({ actionRequired: { $in: filters.actionReason } });
  if (filters.recipientSiret) and.push({ recipientSiret: filters.recipientSiret });
  if (filters.supplierSiret) and.push({ supplier: { siret: filters.supplierSiret } });
  if (filters.supplierSirets) and.push({ supplier: { siret: { $in: [...filters.supplierSirets] } } });
  if (filters.engagementNumber) and.push({ engagementNumber: filters.engagementNumber });
  if (filters.marketNumber) and.push({ marketNumber: filters.marketNumber });
  if (filters.numberStartsWith)
    and.push({ number: { $ilike: `${filters.numberStartsWith.replace(/[\\%_]/g, (c) => `\\${c}`)}%` } });
  if (filters.issuedFrom) and.push({ issueDate: { $gte: filters.issuedFrom } });
  if (filters.issuedTo) and.push({ issueDate: { $lte: filters.issuedTo } });
  if (filters.depositedFrom) and.push({ depositedAt: { $gte: filters.depositedFrom } });
  if (filters.depositedTo) and.push({ depositedAt: { $lte: filters.depositedTo } });
  if (filters.updatedFrom) and.push({ updatedAt: { $gte: filters.updatedFrom } });
  if (filters.updatedTo) and.push({ updatedAt: { $lte: filters.updatedTo } });
  return and.length === 0 ? {} : { $and: and };
}

type CursorValue = string;

function sortValue(invoice: Invoice, field: SortField): CursorValue {
  const value = invoice[field];
  return value instanceof Date ? value.toISOString() : String(value);
}

function encodeCursor(invoice: Invoice, page: PageRequest): string {
  return Buffer.from(
    JSON.stringify([page.sort, page.descending ? 1 : 0, sortValue(invoice, page.sort), invoice.id]),
  ).toString('base64url');
}

function decodeCursor(cursor: string, page: PageRequest): { value: string | Date; id: string } {
  const invalid = () =>
    new DomainError(
      'invalid',
      'INVALID_CURSOR',
      'The cursor is not one this API gave for this sort order; start again without it.',
      [
        {
          path: 'cursor',
          code: 'invalid_cursor',
          message: 'Use the nextCursor of the previous page, with the same sort.',
        },
      ],
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 4 ||
    parsed[0] !== page.sort ||
    parsed[1] !== (page.descending ? 1 : 0) ||
    typeof parsed[2] !== 'string' ||
    typeof parsed[3] !== 'string'
  )
    throw invalid();
  // Each part goes into SQL as a typed value: one that does not fit its column is a forged cursor, not a 500.
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(parsed[3])) throw invalid();
  if (firstHiddenCharacter(parsed[2], false) !== null || parsed[2].length > 100) throw invalid();
  if (
    page.sort === 'issueDate' &&
    (!/^\d{4}-\d{2}-\d{2}$/.test(parsed[2]) || Number.isNaN(Date.parse(`${parsed[2]}T00:00:00Z`)))
  )
    throw invalid();
  if (page.sort === 'amountWithVat' && !/^\d{1,15}(\.\d{1,2})?$/.test(parsed[2])) throw invalid();
  const value = page.sort === 'createdAt' || page.sort === 'updatedAt' ? new Date(parsed[2]) : parsed[2];
  if (value instanceof Date && Number.isNaN(value.getTime())) throw invalid();
  return { value, id: parsed[3] };
}

/** One page, in a total order (the sort field, then the id), and the cursor of the next one if there is one. */
export async function listInvoices(
  em: EntityManager,
  filters: InvoiceFilters,
  page: PageRequest,
): Promise<{ invoices: Invoice[]; nextCursor: string | null }> {
  const base = where(filters);
  const conditions: FilterQuery<Invoice>[] = [base];
  if (page.cursor) {
    const { value, id } = decodeCursor(page.cursor, page);
    const op = page.descending ? '$lt' : '$gt';
    conditions.push({ $or: [{ [page.sort]: { [op]: value } }, { [page.sort]: value, id: { [op]: id } }] });
  }
  const direction = page.descending ? 'desc' : 'asc';
  const invoices = await em.find(
    Invoice,
    { $and: conditions },
    { orderBy: [{ [page.sort]: direction }, { id: direction }], limit: page.limit + 1, populate: ['supplier'] },
  );
  const more = invoices.length > page.limit;
  const shown = more ? invoices.slice(0, page.limit) : invoices;
  return { invoices: shown, nextCursor: more ? encodeCursor(shown.at(-1)!, page) : null };
}

/** Every matching invoice, page after page: the CSV export streams these without holding them all. */
export async function* eachInvoice(
  em: EntityManager,
  filters: InvoiceFilters,
  sort: Omit<PageRequest, 'limit' | 'cursor'>,
): AsyncGenerator<Invoice> {
  let cursor: string | undefined;
  for (;;) {
    const fork = em.fork();
    const { invoices, nextCursor } = await listInvoices(fork, filters, {
      ...sort,
      limit: 1000,
      ...(cursor ? { cursor } : {}),
    });
    yield* invoices;
    if (!nextCursor) return;
    cursor = nextCursor;
  }
}

export interface InvoiceStats {
  total: number;
  byStage: Record<Stage | 'not_in_chorus' | 'unknown_status', number>;
  byState: Record<string, number>;
  needsAction: { total: number; byReason: Record<string, number> };
}

/** Invoices waiting for their supplier, by reason (an index-only count: the board asks it on every refresh). */
export async function needsActionCounts(em: EntityManager): Promise<Record<string, number>> {
  const rows = await em
    .getConnection()
    .execute<Array<{ action_required: string; n: string }>>(
      'select action_required, count(*) as n from invoice where action_required is not null group by action_required',
    );
  return Object.fromEntries(rows.map((row) => [row.action_required, Number(row.n)]));
}

/** Counts for a dashboard, optionally for one supplier and one market. */
export async function invoiceStats(
  em: EntityManager,
  supplierSiret?: string,
  scope: Scope = null,
  marketNumber?: string,
): Promise<InvoiceStats> {
  const supplierFilter =
    supplierSiret && inScope(scope, supplierSiret)
      ? await em.findOne(SupplierAccount, { siret: supplierSiret }, { fields: ['id'] })
      : null;
  if (supplierSiret && !supplierFilter)
    throw new DomainError(
      'not-found',
      'SUPPLIER_NOT_FOUND',
      `No supplier account is registered for SIRET ${supplierSiret}.`,
    );
  const conn = em.getConnection();
  // One supplier, the suppliers of the caller's scope, or all.
  const filter = supplierFilter
    ? { sql: 'where supplier_id = ?', params: [supplierFilter.id] }
    : scope !== null
      ? {
          sql: 'where supplier_id in (select id from supplier_account where siret in (?))',
          params: [scope.length > 0 ? [...scope] : ['']],
        }
      : { sql: '', params: [] };
  const market = marketNumber ? `${filter.sql ? ' and' : 'where'} market_number = ?` : '';
  const params = marketNumber ? [...filter.params, marketNumber] : filter.params;
  const rows = await conn.execute<
    Array<{ state: string; chorus_status: string | null; action_required: string | null; n: string }>
  >(
    `select state, chorus_status, action_required, count(*) as n from invoice ${filter.sql}${market} group by state, chorus_status, action_required`,
    params,
  );
  const stats: InvoiceStats = {
    total: 0,
    byStage: {
      deposited: 0,
      on_hold: 0,
      rejected: 0,
      accepted: 0,
      made_available: 0,
      in_payment: 0,
      completed: 0,
      not_in_chorus: 0,
      unknown_status: 0,
    },
    byState: {},
    needsAction: { total: 0, byReason: {} },
  };
  for (const row of rows) {
    const n = Number(row.n);
    stats.total += n;
    const stage =
      row.chorus_status === null
        ? 'not_in_chorus'
        : ((STATUS_MODEL as Record<string, { stage: Stage } | undefined>)[row.chorus_status]?.stage ??
          'unknown_status');
    stats.byStage[stage] += n;
    stats.byState[row.state] = (stats.byState[row.state] ?? 0) + n;
    if (row.action_required) {
      stats.needsAction.total += n;
      stats.needsAction.byReason[row.action_required] = (stats.needsAction.byReason[row.action_required] ?? 0) + n;
    }
  }
  return stats;
}
