/**
 * The main contractor's side: GET /v1/validations (its inboxes, as JSON or a CSV export), GET /v1/validations/{id}, and
 * its decisions, POST /v1/validations/{id}/approve and /refuse (202 once stored; a job sends them to Chorus Pro).
 */
import type { RequestHandler } from 'express';
import type { AppContext } from '../../context.js';
import { requestDecision, type DecisionInput } from '../../validations/decisions.js';
import { findValidation, listValidations } from '../../validations/listing.js';
import { callerOf, correlationIdOf } from '../auth.js';
import { HttpError, issuesFromZod, validationError } from '../errors.js';
import { idParam, queryOf } from '../params.js';
import { CSV_BOM, csvLine, VALIDATION_CSV_COLUMNS, validationCsvRow, validationView } from '../presenters.js';
import { approveInputSchema, refuseInputSchema, validationListQuerySchema } from '../schemas.js';

/** A spreadsheet export takes the whole selection up to this many rows (an inbox holds far fewer). */
const CSV_MAX_ROWS = 10_000;

export function listValidationsHandler(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const query = queryOf(validationListQuerySchema, req.query);
    const wantsCsv = req.accepts(['application/json', 'text/csv']) === 'text/csv';
    if (!wantsCsv && req.accepts(['application/json']) === false)
      throw new HttpError(406, 'NOT_ACCEPTABLE', 'This list is available as application/json or text/csv.');
    const rows = await listValidations(
      ctx.orm.em.fork(),
      callerOf(res).scope,
      wantsCsv ? { ...query, limit: CSV_MAX_ROWS } : query,
    );
    if (wantsCsv) {
      res
        .status(200)
        .type('text/csv; charset=utf-8')
        .attachment('validations.csv')
        .send(CSV_BOM + csvLine(VALIDATION_CSV_COLUMNS) + rows.map((v) => csvLine(validationCsvRow(v))).join(''));
      return;
    }
    res.json({ data: rows.map((v) => validationView(v)) });
  };
}

export function getValidationHandler(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const id = idParam(req.params.id, 'validation');
    const validation = await findValidation(ctx.orm.em.fork(), id);
    if (!validation) throw new HttpError(404, 'VALIDATION_NOT_FOUND', `No validation has the id ${id}.`);
    res.json(validationView(validation, true));
  };
}

export function decideHandler(ctx: AppContext, action: 'approve' | 'refuse'): RequestHandler {
  return async (req, res) => {
    const id = idParam(req.params.id, 'validation');
    let input: DecisionInput;
    if (action === 'approve') {
      const parsed = approveInputSchema.safeParse(req.body ?? {});
      if (!parsed.success) throw validationError(issuesFromZod(parsed.error), 'approval');
      input = { action, comment: parsed.data.comment ?? null };
    } else {
      const parsed = refuseInputSchema.safeParse(req.body ?? {});
      if (!parsed.success) throw validationError(issuesFromZod(parsed.error), 'refusal');
      input = { action, reason: parsed.data.reason };
    }
    const correlationId = correlationIdOf(res);
    const validation = await requestDecision(ctx, id, input, correlationId);
    ctx.logger.info('Validator decision requested', { validationId: id, action, correlationId });
    res
      .status(202)
      .location(`/v1/validations/${id}`)
      .json({ id: validation.id, stage: validation.stage, decision: { action, state: validation.decisionState } });
  };
}
