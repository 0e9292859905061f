/**
 * The intake's hot path in one round trip: a new invoice, its first timeline line and, when asked, the audit line
 * of the call, written by one SQL statement (one implicit transaction) instead of a unit of work of five queries.
 * It writes only when the way is clear: the supplier exists, and no invoice of that supplier holds the number
 * (outside `rejected`) or the idempotency key. In every other case it writes nothing and the caller takes the
 * careful path (intake.ts), which tells a replay from a conflict or an unknown supplier. A concurrent request
 * that wins the race makes the insert do nothing (ON CONFLICT on the unique indexes), never a half-written row.
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { clockOf } from '../db/clock.js';
import { auditRoute, auditTarget, type AuditLine } from '../access/audit.js';
import type { OptionalProps } from '@mikro-orm/core';
import type { Invoice } from '../db/entities/invoice.js';
import { actionRequiredOf } from './action-required.js';
import { receivedDetailsOf, storedFieldsOf, type InvoiceSubmission } from './submission.js';
import { WAITING_FOR_ACCOUNT_AT_INTAKE } from './lifecycle.js';

/** What the API shows of an invoice: an `Invoice` entity has it, and so has the plain record this path returns. */
export type InvoiceFields = Omit<
  Invoice,
  | 'supplier'
  | 'corrects'
  | 'correctedBy'
  | 'previous'
  | 'fileContent'
  | 'chorusHistorySeen'
  | 'overdueAlertedAt'
  | 'version'
  | typeof OptionalProps
> & {
  supplier: { id: string };
  corrects: { id: string } | null;
  correctedBy: { id: string } | null;
  previous: { id: string } | null;
};

export interface StatementInput {
  submission: InvoiceSubmission;
  idempotencyKey: string | null;
  fingerprint: string;
  message: string;
  /** The call's audit line, written with the invoice (status 202) when there is one. */
  audit: AuditLine | null;
}

const INVOICE_COLUMNS = [
  'id',
  'supplier_id',
  'number',
  'issue_date',
  'type',
  'billing_frame',
  'validator_siret',
  'recipient_siret',
  'service_code',
  'engagement_number',
  'market_number',
  'currency',
  'amount_without_vat',
  'vat_amount',
  'amount_with_vat',
  'file_name',
  'file_content',
  'file_size',
  'file_sha256',
  'syntaxe_flux',
  'deposit_mode',
  'vat_breakdown',
  'lines',
  'comment',
  'state',
  'idempotency_key',
  'request_hash',
  'action_required',
  'status_followed',
  'version',
  'created_at',
  'updated_at',
];

const STATEMENT = `
with supplier as (
  select id, paused_at from supplier_account where siret = ?
), clash as (
  select 1 from invoice i join supplier s on i.supplier_id = s.id
  where (i.number = ? and i.state <> 'rejected') or (?::varchar is not null and i.idempotency_key = ?)
  limit 1
), created as (
  insert into invoice (${INVOICE_COLUMNS.join(', ')})
  select ?, s.id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, 'queued', ?, ?,
         case when s.paused_at is null then ? else ? end, false, 1, ?, ?
  from supplier s where not exists (select 1 from clash)
  on conflict do nothing
  returning id, supplier_id, action_required
), timeline as (
  insert into invoice_event (invoice_id, at, type, source, message, details)
  select id, ?::timestamptz, 'received', 'intake', ?::text, ?::jsonb from created
  union all
  select c.id, ?::timestamptz, 'waiting-for-supplier-account', 'intake', ?::text, null from created c, supplier s
  where s.paused_at is not null
), audited as (
  insert into audit_entry (at, key_id, key_name, method, route, target, status)
  select ?, ?, ?, ?, ?, ?, 202 from created where ?
)
select supplier_id, action_required from created`;

/** pg numbers its parameters: $1, $2... in the order of the question marks. */
let position = 0;
const NUMBERED_STATEMENT = STATEMENT.replace(/\?/g, () => `$${++position}`);

/** The part of a pg client this module uses: a named (prepared) query. */
interface PreparedQueryClient {
  query<R>(query: { name: string; text: string; values: unknown[] }): Promise<{ rows: R[] }>;
}
const isPreparedQueryClient = (client: unknown): client is PreparedQueryClient =>
  typeof (client as { query?: unknown } | null)?.query === 'function';

/**
 * On a connection of the ORM's pool, as a named statement: PostgreSQL parses and plans it once per connection,
 * then each intake sends only its values (the file as binary), not 1.5 KB of SQL to plan again.
 */
async function runPrepared<R>(em: EntityManager, values: unknown[]): Promise<R[]> {
  const client = em.getKnex().client as {
    acquireConnection(): Promise<unknown>;
    releaseConnection(connection: unknown): Promise<unknown>;
  };
  const connection = await client.acquireConnection();
  try {
    if (!isPreparedQueryClient(connection)) throw new Error('The database pool gave a connection without query()');
    const result = await connection.query<R>({ name: 'chorus_relay_intake_v3', text: NUMBERED_STATEMENT, values });
    return result.rows;
  } finally {
    await client.releaseConnection(connection);
  }
}

/**
 * Creates the invoice if the way is clear, and returns what was written (a plain record for the answer and the
 * deposit job: building an entity here cost more than the insert); null when nothing was written, for the careful
 * path to explain why.
 */
export async function createInOneStatement(em: EntityManager, input: StatementInput): Promise<InvoiceFields | null> {
  const { submission: s, idempotencyKey, fingerprint, audit } = input;
  const id = randomUUID();
  const now = clockOf(em).now();
  const stored = storedFieldsOf(s);
  const json = (value: unknown) => (value === null ? null : JSON.stringify(value));
  const reason = (supplierPaused: boolean) =>
    actionRequiredOf({ state: 'queued', chorusStatus: null, correctedBy: null, supplierPaused });
  const params = [
    s.supplierSiret,
    s.number,
    idempotencyKey,
    idempotencyKey,
    id,
    s.number,
    s.issueDate,
    s.type,
    s.billingFrame,
    s.validatorSiret,
    s.recipientSiret,
    s.serviceCode,
    s.engagementNumber,
    s.marketNumber,
    s.currency,
    stored.amountWithoutVat,
    stored.vatAmount,
    stored.amountWithVat,
    stored.fileName,
    stored.fileContent,
    stored.fileSize,
    stored.fileSha256,
    stored.syntaxeFlux,
    stored.depositMode,
    json(stored.vatBreakdown),
    json(stored.lines),
    stored.comment,
    idempotencyKey,
    fingerprint,
    reason(false),
    reason(true),
    now,
    now,
    now,
    input.message,
    JSON.stringify(receivedDetailsOf(s)),
    now,
    WAITING_FOR_ACCOUNT_AT_INTAKE,
    now,
    audit?.keyId ?? '',
    audit?.keyName ?? '',
    audit?.method ?? '',
    auditRoute(audit?.route ?? ''),
    auditTarget(audit?.target ?? null),
    audit !== null,
  ];
  const [row] = await runPrepared<{ supplier_id: string; action_required: Invoice['actionRequired'] }>(em, params);
  if (!row) return null;
  return {
    id,
    supplier: { id: row.supplier_id },
    number: s.number,
    issueDate: s.issueDate,
    type: s.type,
    billingFrame: s.billingFrame,
    validatorSiret: s.validatorSiret,
    recipientSiret: s.recipientSiret,
    serviceCode: s.serviceCode,
    engagementNumber: s.engagementNumber,
    marketNumber: s.marketNumber,
    currency: s.currency,
    amountWithoutVat: stored.amountWithoutVat,
    vatAmount: stored.vatAmount,
    amountWithVat: stored.amountWithVat,
    depositMode: stored.depositMode,
    fileName: stored.fileName,
    fileSize: stored.fileSize,
    fileSha256: stored.fileSha256,
    syntaxeFlux: stored.syntaxeFlux,
    vatBreakdown: stored.vatBreakdown,
    lines: stored.lines,
    comment: stored.comment,
    chorusAttachmentId: null,
    state: 'queued',
    chorusFluxNumber: null,
    chorusInvoiceId: null,
    chorusStatus: null,
    chorusStatusAt: null,
    lastError: null,
    idempotencyKey,
    requestHash: fingerprint,
    actionRequired: row.action_required,
    depositedAt: null,
    madeAvailableAt: null,
    statusFollowed: false,
    corrects: null,
    correctedBy: null,
    previous: null,
    worksAmounts: null,
    eventSequence: 0,
    createdAt: now,
    updatedAt: now,
  };
}
