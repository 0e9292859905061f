import type { Request, RequestHandler } from 'express';
import { auditLineOf, callerOf, correlationIdOf, markAudited } from '../auth.js';
import type { AppContext } from '../../context.js';
import { findInvoiceWithTimeline } from '../../invoices/intake.js';
import { retryDeposit } from '../../invoices/retry.js';
import { HttpError } from '../errors.js';
import { DomainError, type Issue } from '../../shared/domain-error.js';
import type { InvoiceCheck } from '../schemas.js';
import type { InvoiceSubmission } from '../../invoices/submission.js';
import { idempotencyKeyOf, idParam } from '../params.js';
import { invoiceView } from '../presenters.js';
import { checkInvoice, parseFormSubmission, parseJsonSubmission, takeInvoice, type Parsed } from '../invoice-intake.js';
import type { RuleFinding, RulesVerdict } from '../../invoices/einvoice/en16931/findings.js';
import { RulesCheckError, uncheckedVerdict } from '../../invoices/einvoice/en16931/rules-checker.js';

/** The submission from either encoding; the multipart parser has already run when `req.file` is set. */
function parseSubmission(req: Request): Parsed {
  if (req.is('multipart/form-data')) {
    return parseFormSubmission(
      (req.body ?? {}) as Record<string, unknown>,
      req.file ? { name: req.file.originalname, content: req.file.buffer } : null,
    );
  }
  if (req.body === undefined || req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) {
    throw new HttpError(
      400,
      'MALFORMED_BODY',
      'The body must be a JSON object (Content-Type: application/json) or multipart/form-data.',
    );
  }
  return parseJsonSubmission(req.body as Record<string, unknown>);
}

/** POST /v1/invoices: 202 for a new invoice, 200 for the replay of an earlier request with the same Idempotency-Key. */
export function createInvoice(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const idempotencyKey = idempotencyKeyOf(req);
    const parsed = parseSubmission(req);
    const outcome = await takeInvoice(ctx, parsed, {
      caller: callerOf(res),
      idempotencyKey,
      audit: auditLineOf(req, res),
      correlationId: correlationIdOf(res),
    });
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
    res
      .status(202)
      .location(`/v1/invoices/${invoice.id}`)
      .json(invoiceView(invoice, invoice.supplier.getEntity().siret));
  };
}

type Finding = InvoiceCheck['errors'][number];

const fromIssue = (issue: Issue): Finding => ({ source: 'request', ...issue });
const fromRule = (finding: RuleFinding): Finding => ({
  source: 'en16931',
  path: finding.field ?? 'file',
  code: finding.severity === 'fatal' ? 'en16931_rule_broken' : 'en16931_warning',
  message: finding.message,
  rule: finding.rule,
  location: finding.location,
  businessTerms: finding.businessTerms,
  fix: finding.fix,
});

/**
 * POST /v1/invoices/validate: what POST /v1/invoices would say of this request, and what the EN 16931 rules say of
 * its file, at once (200 `{ valid, errors, warnings, en16931 }`); nothing is written, nothing is queued.
 */
export function validateInvoice(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const parsed = parseSubmission(req);
    let submission: InvoiceSubmission;
    try {
      submission = await checkInvoice(ctx, parsed, callerOf(res));
    } catch (error) {
      // What the intake would refuse as invalid (422) is this call's answer; anything else refuses the call itself.
      const invalid =
        (error instanceof HttpError && error.status === 422) ||
        (error instanceof DomainError && error.kind === 'invalid');
      if (!invalid) throw error;
      const refused: InvoiceCheck = { valid: false, errors: error.details.map(fromIssue), warnings: [], en16931: null };
      res.json(refused);
      return;
    }
    let verdict: RulesVerdict | null = null;
    if (submission.file && submission.syntaxeFlux && submission.depositMode === 'flux') {
      try {
        verdict = await ctx.rulesChecker.check(submission.file.content, submission.syntaxeFlux);
      } catch (error) {
        if (!(error instanceof RulesCheckError)) throw error;
        verdict = uncheckedVerdict(error.message);
      }
    }
    const errors = verdict?.errors.map(fromRule) ?? [];
    const answer: InvoiceCheck = {
      valid: errors.length === 0,
      errors,
      warnings: verdict?.warnings.map(fromRule) ?? [],
      en16931: verdict && {
        outcome: verdict.outcome,
        release: verdict.release,
        syntax: verdict.syntax,
        profile: verdict.profile,
        note: verdict.note,
      },
    };
    res.json(answer);
  };
}
