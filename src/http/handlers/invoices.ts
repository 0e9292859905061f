import type { Request, RequestHandler } from 'express';
import { assertSupplierVisible, auditLineOf, callerOf, markAudited } from '../auth.js';
import type { AppContext } from '../../context.js';
import { findInvoiceWithTimeline, receiveInvoice } from '../../invoices/intake.js';
import { retryDeposit } from '../../invoices/retry.js';
import { checkFileConsistency } from '../../invoices/file-consistency.js';
import { checkSubmission, frenchToday, type InvoiceSubmission } from '../../invoices/submission.js';
import { enqueueDepositAfterCommit } from '../../queues/enqueue.js';
import { HttpError, issuesFromZod, validationError } from '../errors.js';
import { idParam } from '../params.js';
import { invoiceView } from '../presenters.js';
import { idempotencyKeySchema, invoiceJsonSchema, invoiceMultipartFieldsSchema, multipartFileNameSchema } from '../schemas.js';

/** The submission from either encoding; the multipart parser has already run when `req.file` is set. */
function parseSubmission(req: Request): InvoiceSubmission {
  if (req.is('multipart/form-data')) {
    const fields = invoiceMultipartFieldsSchema.safeParse(req.body ?? {});
    const issues = fields.success ? [] : issuesFromZod(fields.error);
    const file = req.file;
    if (!file) {
      issues.push({ path: 'file', code: 'invalid_type', message: 'file is required: send it as a part named "file"' });
    } else {
      const name = multipartFileNameSchema.safeParse(file.originalname);
      if (!name.success) issues.push(...issuesFromZod(name.error, ['file', 'name']));
    }
    if (!fields.success || !file || issues.length > 0) throw validationError(issues, 'invoice');
    return { ...fields.data, file: { name: file.originalname, content: file.buffer } };
  }
  if (req.body === undefined || req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) {
    throw new HttpError(400, 'MALFORMED_BODY', 'The body must be a JSON object (Content-Type: application/json) or multipart/form-data.');
  }
  const parsed = invoiceJsonSchema.safeParse(req.body);
  if (!parsed.success) throw validationError(issuesFromZod(parsed.error), 'invoice');
  return parsed.data;
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
    const submission = parseSubmission(req);
    assertSupplierVisible(callerOf(res), submission.supplierSiret);
    const issues = checkSubmission(submission, frenchToday(ctx.clock.now()));
    if (issues.length > 0) throw validationError(issues, 'invoice');
    // Read in a worker thread, within the file limits: a hostile file cannot hold the event loop.
    const inspection = await ctx.fileChecker.inspect(submission.file.content, submission.syntaxeFlux);
    if (inspection.issues.length > 0) throw validationError(inspection.issues, 'invoice');
    const mismatches = checkFileConsistency(submission, inspection.data);
    if (mismatches.length > 0) throw validationError(mismatches, 'invoice');

    const outcome = await receiveInvoice(ctx.orm.em.fork(), submission, idempotencyKey, auditLineOf(req, res));
    const { invoice } = outcome;
    if (outcome.audited) markAudited(res);
    if (outcome.kind === 'created') {
      const { correlationId } = res.locals as { correlationId?: string };
      await enqueueDepositAfterCommit(ctx, { id: invoice.id, number: invoice.number, supplierId: invoice.supplier.id, ...(correlationId ? { correlationId } : {}) });
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
