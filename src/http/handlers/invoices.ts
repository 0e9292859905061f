import type { Request, RequestHandler } from 'express';
import { assertSupplierVisible, auditLineOf, callerOf, correlationIdOf, markAudited } from '../auth.js';
import type { AppContext } from '../../context.js';
import { findInvoiceWithTimeline, receiveInvoice } from '../../invoices/intake.js';
import { retryDeposit } from '../../invoices/retry.js';
import { checkFileConsistency } from '../../invoices/file-consistency.js';
import { checkSubmission, frenchToday, type CheckedFields, type InvoiceSubmission } from '../../invoices/submission.js';
import type { Issue } from '../../shared/domain-error.js';
import { enqueueDepositAfterCommit } from '../../queues/enqueue.js';
import { withCorrelation } from '../../queues/jobs.js';
import { HttpError, issuesFromZod, validationError } from '../errors.js';
import { idParam } from '../params.js';
import { invoiceView } from '../presenters.js';
import { idempotencyKeySchema, invoiceFieldsSchema, invoiceFileSchema, invoiceJsonSchema, invoiceMultipartFieldsSchema, multipartFileNameSchema } from '../schemas.js';

type Parsed =
  | { ok: true; submission: InvoiceSubmission }
  /** `wellFormed`: the fields the rules of checkSubmission and the file checker need, those that did parse. */
  | { ok: false; issues: Issue[]; wellFormed: CheckedFields };

/** The fields that parse on their own, when the request as a whole does not: the other rules still look at them. */
function wellFormedFields(body: Record<string, unknown>, file: { name: string; content: Buffer } | null | undefined): CheckedFields {
  const { shape } = invoiceFieldsSchema;
  const fields: CheckedFields = {};
  const issueDate = shape.issueDate.safeParse(body.issueDate);
  if (issueDate.success) fields.issueDate = issueDate.data;
  const [net, vat, gross] = [shape.amountWithoutVat.safeParse(body.amountWithoutVat), shape.vatAmount.safeParse(body.vatAmount), shape.amountWithVat.safeParse(body.amountWithVat)];
  if (net.success && vat.success && gross.success) Object.assign(fields, { amountWithoutVat: net.data, vatAmount: vat.data, amountWithVat: gross.data });
  const each = {
    depositMode: shape.depositMode.safeParse(body.depositMode),
    syntaxeFlux: shape.syntaxeFlux.safeParse(body.syntaxeFlux),
    billingFrame: shape.billingFrame.safeParse(body.billingFrame),
    type: shape.type.safeParse(body.type),
    vatBreakdown: shape.vatBreakdown.safeParse(body.vatBreakdown),
    lines: shape.lines.safeParse(body.lines),
  };
  if (each.depositMode.success) fields.depositMode = each.depositMode.data;
  if (each.syntaxeFlux.success) fields.syntaxeFlux = each.syntaxeFlux.data;
  if (each.billingFrame.success) fields.billingFrame = each.billingFrame.data;
  if (each.type.success) fields.type = each.type.data;
  if (each.vatBreakdown.success) fields.vatBreakdown = each.vatBreakdown.data;
  if (each.lines.success) fields.lines = each.lines.data;
  if (file !== undefined) fields.file = file;
  return fields;
}

/** The submission from either encoding; the multipart parser has already run when `req.file` is set. */
function parseSubmission(req: Request): Parsed {
  if (req.is('multipart/form-data')) {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const fields = invoiceMultipartFieldsSchema.safeParse(body);
    const issues = fields.success ? [] : issuesFromZod(fields.error);
    const file = req.file;
    if (!file) {
      if (body.depositMode !== 'data') issues.push({ path: 'file', code: 'invalid_type', message: 'file is required: send it as a part named "file"' });
    } else {
      const name = multipartFileNameSchema.safeParse(file.originalname);
      if (!name.success) issues.push(...issuesFromZod(name.error, ['file', 'name']));
    }
    const given = file ? { name: file.originalname, content: file.buffer } : null;
    if (fields.success && issues.length === 0) return { ok: true, submission: { ...fields.data, file: given } };
    return { ok: false, issues, wellFormed: wellFormedFields(body, given) };
  }
  if (req.body === undefined || req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) {
    throw new HttpError(400, 'MALFORMED_BODY', 'The body must be a JSON object (Content-Type: application/json) or multipart/form-data.');
  }
  const parsed = invoiceJsonSchema.safeParse(req.body);
  if (parsed.success) return { ok: true, submission: parsed.data };
  const body = req.body as Record<string, unknown>;
  const file = invoiceFileSchema.safeParse(body.file);
  return {
    ok: false,
    issues: issuesFromZod(parsed.error),
    wellFormed: wellFormedFields(
      body,
      file.success ? { name: file.data.name, content: file.data.contentBase64 } : body.file === undefined || body.file === null ? null : undefined,
    ),
  };
}

function idempotencyKeyOf(req: Request): string | null {
  const header = req.get('idempotency-key');
  if (header === undefined) return null;
  const parsed = idempotencyKeySchema.safeParse(header);
  if (!parsed.success) throw validationError(issuesFromZod(parsed.error, ['Idempotency-Key']), 'Idempotency-Key header');
  return parsed.data;
}

/** POST /v1/invoices: 202 for a new invoice, 200 for the replay of an earlier request with the same Idempotency-Key. */
export function createInvoice(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const idempotencyKey = idempotencyKeyOf(req);
    const today = frenchToday(ctx.clock.now());
    const parsed = parseSubmission(req);
    if (!parsed.ok) {
      // Every problem in one answer: the rules and the file checker look at the fields that did parse.
      const { wellFormed } = parsed;
      const more = checkSubmission(wellFormed, today);
      const fileIssues =
        wellFormed.file && wellFormed.syntaxeFlux && (wellFormed.depositMode ?? 'flux') === 'flux' && !more.some((i) => i.path === 'file')
          ? (await ctx.fileChecker.inspect(wellFormed.file.content, wellFormed.syntaxeFlux)).issues
          : [];
      throw validationError([...parsed.issues, ...more, ...fileIssues], 'invoice');
    }
    const { submission } = parsed;
    assertSupplierVisible(callerOf(res), submission.supplierSiret);
    const issues = checkSubmission(submission, today);
    if (issues.length > 0) throw validationError(issues, 'invoice');
    if (submission.file && submission.syntaxeFlux) {
      // Read in a worker thread, within the file limits: a hostile file cannot hold the event loop.
      const inspection = await ctx.fileChecker.inspect(submission.file.content, submission.syntaxeFlux);
      if (inspection.issues.length > 0) throw validationError(inspection.issues, 'invoice');
      const mismatches = checkFileConsistency(submission, inspection.data);
      if (mismatches.length > 0) throw validationError(mismatches, 'invoice');
    }

    const outcome = await receiveInvoice(ctx.orm.em, submission, idempotencyKey, auditLineOf(req, res));
    const { invoice } = outcome;
    if (outcome.audited) markAudited(res);
    if (outcome.kind === 'created') {
      const correlationId = correlationIdOf(res);
      await enqueueDepositAfterCommit(ctx, withCorrelation({ id: invoice.id, number: invoice.number, supplierId: invoice.supplier.id }, correlationId));
      ctx.logger.info('Invoice received', { invoiceId: invoice.id, number: invoice.number, supplierSiret: submission.supplierSiret, correlationId });
    } else {
      ctx.logger.info('Invoice request replayed under the same Idempotency-Key', { invoiceId: invoice.id });
    }
    res
      .status(outcome.kind === 'created' ? 202 : 200)
      .location(`/v1/invoices/${invoice.id}`)
      .json(invoiceView(invoice, submission.supplierSiret));
  };
}

/** GET /v1/invoices/:id, with the timeline. */
export function getInvoice(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const id = idParam(req.params.id, 'invoice');
    const found = await findInvoiceWithTimeline(ctx.orm.em.fork(), id);
    if (found === null) throw new HttpError(404, 'INVOICE_NOT_FOUND', `No invoice has the id ${id}.`);
    res.json(invoiceView(found.invoice, found.invoice.supplier.getEntity().siret, found.events, found.followUps));
  };
}

/** POST /v1/invoices/:id/retry: 202 when the invoice is back in the deposit queue. */
export function retryInvoice(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const id = idParam(req.params.id, 'invoice');
    const invoice = await retryDeposit(ctx, id);
    ctx.logger.info('Deposit retry requested', { invoiceId: invoice.id });
    res.status(202).location(`/v1/invoices/${invoice.id}`).json(invoiceView(invoice, invoice.supplier.getEntity().siret));
  };
}
