import type { Request, RequestHandler } from 'express';
import { auditLineOf, callerOf, correlationIdOf, markAudited } from '../auth.js';
import type { AppContext } from '../../context.js';
import { findInvoiceWithTimeline } from '../../invoices/intake.js';
import { retryDeposit } from '../../invoices/retry.js';
import { HttpError } from '../errors.js';
import { idempotencyKeyOf, idParam } from '../params.js';
import { invoiceView } from '../presenters.js';
import { parseFormSubmission, parseJsonSubmission, takeInvoice, type Parsed } from '../invoice-intake.js';

/** The submission from either encoding; the multipart parser has already run when `req.file` is set. */
function parseSubmission(req: Request): Parsed {
  if (req.is('multipart/form-data')) {
    return parseFormSubmission((req.body ?? {}) as Record<string, unknown>, req.file ? { name: req.file.originalname, content: req.file.buffer } : null);
  }
  if (req.body === undefined || req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) {
    throw new HttpError(400, 'MALFORMED_BODY', 'The body must be a JSON object (Content-Type: application/json) or multipart/form-data.');
  }
  return parseJsonSubmission(req.body as Record<string, unknown>);
}

/** POST /v1/invoices: 202 for a new invoice, 200 for the replay of an earlier request with the same Idempotency-Key. */
export function createInvoice(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const idempotencyKey = idempotencyKeyOf(req);
    const parsed = parseSubmission(req);
    const outcome = await takeInvoice(ctx, parsed, { caller: callerOf(res), idempotencyKey, audit: auditLineOf(req, res), correlationId: correlationIdOf(res) });
    const { invoice, submission } = outcome;
    if (outcome.audited) markAudited(res);
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
