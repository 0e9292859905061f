/**
 * One invoice request through the intake, whatever brought it (POST /v1/invoices, or an entry of a batch): parsed
 * once, every problem told at once, the file read within limits, stored, its deposit job added.
 */
import type { AuditLine } from '../access/audit.js';
import type { Caller } from '../access/roles.js';
import type { AppContext } from '../context.js';
import { checkAgainstContracts, roleOf, validatorOf } from '../contracts/profile.js';
import { receiveInvoice, type IntakeOutcome } from '../invoices/intake.js';
import { checkFileConsistency } from '../invoices/file-consistency.js';
import { checkSubmission, frenchToday, type CheckedFields, type InvoiceSubmission } from '../invoices/submission.js';
import type { Issue } from '../shared/domain-error.js';
import { enqueueDepositAfterCommit } from '../queues/enqueue.js';
import { withCorrelation } from '../queues/jobs.js';
import { assertSupplierVisible } from './auth.js';
import { issuesFromZod, validationError } from './errors.js';
import {
  invoiceFieldsSchema,
  invoiceFileSchema,
  invoiceJsonSchema,
  invoiceMultipartFieldsSchema,
  multipartFileNameSchema,
} from './schemas.js';

export type Parsed =
  | { ok: true; submission: InvoiceSubmission }
  /** `wellFormed`: the fields the rules of checkSubmission and the file checker need, those that did parse. */
  | { ok: false; issues: Issue[]; wellFormed: CheckedFields };

/** The fields that parse on their own, when the request as a whole does not: the other rules still look at them. */
function wellFormedFields(
  body: Record<string, unknown>,
  file: { name: string; content: Buffer } | null | undefined,
): CheckedFields {
  const { shape } = invoiceFieldsSchema;
  const fields: CheckedFields = {};
  const issueDate = shape.issueDate.safeParse(body.issueDate);
  if (issueDate.success) fields.issueDate = issueDate.data;
  const [net, vat, gross] = [
    shape.amountWithoutVat.safeParse(body.amountWithoutVat),
    shape.vatAmount.safeParse(body.vatAmount),
    shape.amountWithVat.safeParse(body.amountWithVat),
  ];
  if (net.success && vat.success && gross.success)
    Object.assign(fields, { amountWithoutVat: net.data, vatAmount: vat.data, amountWithVat: gross.data });
  const each = {
    depositMode: shape.depositMode.safeParse(body.depositMode),
    syntaxeFlux: shape.syntaxeFlux.safeParse(body.syntaxeFlux),
    billingFrame: shape.billingFrame.safeParse(body.billingFrame),
    type: shape.type.safeParse(body.type),
    vatBreakdown: shape.vatBreakdown.safeParse(body.vatBreakdown),
    lines: shape.lines.safeParse(body.lines),
    validatorSiret: shape.validatorSiret.safeParse(body.validatorSiret),
    worksAmounts: shape.worksAmounts.safeParse(body.worksAmounts),
    previousInvoiceId: shape.previousInvoiceId.safeParse(body.previousInvoiceId),
  };
  if (each.depositMode.success) fields.depositMode = each.depositMode.data;
  if (each.syntaxeFlux.success) fields.syntaxeFlux = each.syntaxeFlux.data;
  if (each.billingFrame.success) fields.billingFrame = each.billingFrame.data;
  if (each.type.success) fields.type = each.type.data;
  if (each.vatBreakdown.success) fields.vatBreakdown = each.vatBreakdown.data;
  if (each.lines.success) fields.lines = each.lines.data;
  if (each.validatorSiret.success) fields.validatorSiret = each.validatorSiret.data;
  if (each.worksAmounts.success) fields.worksAmounts = each.worksAmounts.data;
  if (each.previousInvoiceId.success) fields.previousInvoiceId = each.previousInvoiceId.data;
  if (file !== undefined) fields.file = file;
  return fields;
}

/** Form fields (multipart, or a batch's manifest row) and the file that came with them, if any. */
export function parseFormSubmission(
  body: Record<string, unknown>,
  file: { name: string; content: Buffer } | null,
): Parsed {
  const fields = invoiceMultipartFieldsSchema.safeParse(body);
  const issues = fields.success ? [] : issuesFromZod(fields.error);
  if (file) {
    const name = multipartFileNameSchema.safeParse(file.name);
    if (!name.success) issues.push(...issuesFromZod(name.error, ['file', 'name']));
  }
  if (fields.success && issues.length === 0) return { ok: true, submission: { ...fields.data, file } };
  return { ok: false, issues, wellFormed: wellFormedFields(body, file) };
}

/** A JSON request object (POST /v1/invoices, or an entry of a JSON batch), the file in base64. */
export function parseJsonSubmission(body: Record<string, unknown>): Parsed {
  const parsed = invoiceJsonSchema.safeParse(body);
  if (parsed.success) return { ok: true, submission: parsed.data };
  const file = invoiceFileSchema.safeParse(body.file);
  return {
    ok: false,
    issues: issuesFromZod(parsed.error),
    wellFormed: wellFormedFields(
      body,
      file.success
        ? { name: file.data.name, content: file.data.contentBase64 }
        : body.file === undefined || body.file === null
          ? null
          : undefined,
    ),
  };
}

/**
 * The contract profile of the invoice's market, if any: its service code and validator fill blank ones, and its rules
 * apply.
 */
async function withContract(
  ctx: AppContext,
  submission: InvoiceSubmission,
  caller: Caller,
): Promise<{ submission: InvoiceSubmission; issues: Issue[] }> {
  if (!submission.marketNumber) return { submission, issues: [] };
  const { contract, issues } = checkAgainstContracts(
    submission,
    await ctx.contracts.forMarket(ctx.orm.em, submission.marketNumber),
    caller.scope,
  );
  if (!contract) return { submission, issues };
  const serviceCode = submission.serviceCode ?? contract.buyer.serviceCode ?? null;
  const validatorSiret =
    submission.validatorSiret ??
    validatorOf(contract, roleOf(contract, submission.supplierSiret), submission.billingFrame);
  return { submission: { ...submission, serviceCode, validatorSiret }, issues };
}

export interface IntakeCall {
  caller: Caller;
  idempotencyKey: string | null;
  audit: AuditLine | null;
  correlationId: string | undefined;
  /** The batch the request is an entry of: its deposit job is named after it in Bull Board. */
  batchId?: string;
}

/**
 * Every check of the intake, nothing written: the fields and their rules, the supplier's visibility, the contract
 * profile, and the file read within limits and compared with the fields. A refusal is thrown (HttpError 422 with every
 * problem, or 403); what passes comes back ready to store.
 */
export async function checkInvoice(ctx: AppContext, parsed: Parsed, caller: Caller): Promise<InvoiceSubmission> {
  const today = frenchToday(ctx.clock.now());
  if (!parsed.ok) {
    // Every problem in one answer: the rules and the file checker look at the fields that did parse.
    const { wellFormed } = parsed;
    const more = checkSubmission(wellFormed, today);
    const fileIssues =
      wellFormed.file &&
      wellFormed.syntaxeFlux &&
      (wellFormed.depositMode ?? 'flux') === 'flux' &&
      !more.some((i) => i.path === 'file')
        ? (await ctx.fileChecker.inspect(wellFormed.file.content, wellFormed.syntaxeFlux)).issues
        : [];
    throw validationError([...parsed.issues, ...more, ...fileIssues], 'invoice');
  }
  assertSupplierVisible(caller, parsed.submission.supplierSiret);
  const { submission, issues: contractIssues } = await withContract(ctx, parsed.submission, caller);
  const issues = [...contractIssues, ...checkSubmission(submission, today)];
  if (issues.length > 0) throw validationError(issues, 'invoice');
  if (submission.file && submission.syntaxeFlux) {
    // Read in a worker thread, within the file limits: a hostile file cannot hold the event loop.
    const inspection = await ctx.fileChecker.inspect(submission.file.content, submission.syntaxeFlux);
    if (inspection.issues.length > 0) throw validationError(inspection.issues, 'invoice');
    const mismatches = checkFileConsistency(submission, inspection.data);
    if (mismatches.length > 0) throw validationError(mismatches, 'invoice');
  }
  return submission;
}

/**
 * Checks, reads the file, stores the invoice and adds its deposit job. A refusal is thrown (HttpError or DomainError,
 * nothing written); a replay under the same Idempotency-Key comes back as `replayed`.
 */
export async function takeInvoice(
  ctx: AppContext,
  parsed: Parsed,
  call: IntakeCall,
): Promise<IntakeOutcome & { submission: InvoiceSubmission }> {
  const submission = await checkInvoice(ctx, parsed, call.caller);

  const outcome = await receiveInvoice(ctx.orm.em, submission, call.idempotencyKey, call.audit);
  const { invoice } = outcome;
  const { correlationId, batchId } = call;
  if (outcome.kind === 'created') {
    const job = withCorrelation(
      { id: invoice.id, number: invoice.number, supplierId: invoice.supplier.id, ...(batchId ? { batchId } : {}) },
      correlationId,
    );
    await enqueueDepositAfterCommit(ctx, job);
    ctx.logger.info('Invoice received', {
      invoiceId: invoice.id,
      number: invoice.number,
      supplierSiret: submission.supplierSiret,
      correlationId,
      ...(batchId ? { batchId } : {}),
    });
  } else {
    ctx.logger.info('Invoice request replayed under the same Idempotency-Key', { invoiceId: invoice.id });
  }
  return { ...outcome, submission };
}
