/** POST /v1/invoices/{id}/recycle, /complete and /correct-validator: 202 once the request is stored and on its way. */
import type { RequestHandler } from 'express';
import type { AppContext } from '../../context.js';
import { correlationIdOf } from '../auth.js';
import { requestCompletion, requestRecycle, requestValidatorCorrection } from '../../invoices/follow-ups.js';
import { issuesFromZod, validationError } from '../errors.js';
import { idParam } from '../params.js';
import { completeInputSchema, correctValidatorInputSchema, recycleInputSchema } from '../schemas.js';

export function recycleInvoice(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const id = idParam(req.params.id, 'invoice');
    const parsed = recycleInputSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw validationError(issuesFromZod(parsed.error), 'recycling request');
    const { recipientSiret, serviceCode, engagementNumber, comment } = parsed.data;
    const correlationId = correlationIdOf(res);
    const routing = {
      recipientSiret: recipientSiret ?? null,
      serviceCode: serviceCode ?? null,
      engagementNumber: engagementNumber ?? null,
      comment: comment ?? null,
    };
    const { followUp } = await requestRecycle(ctx, id, routing, correlationId);
    ctx.logger.info('Recycling requested', { invoiceId: id, followUpId: followUp.id, correlationId });
    res
      .status(202)
      .location(`/v1/invoices/${id}`)
      .json({ followUpId: followUp.id, kind: followUp.kind, state: followUp.state });
  };
}

export function completeInvoice(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const id = idParam(req.params.id, 'invoice');
    const parsed = completeInputSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw validationError(issuesFromZod(parsed.error), 'completion');
    const { comment, attachment } = parsed.data;
    const correlationId = correlationIdOf(res);
    const input = {
      comment,
      attachment: attachment
        ? { name: attachment.name, mimeType: attachment.mimeType, content: attachment.contentBase64 }
        : null,
    };
    const { followUp } = await requestCompletion(ctx, id, input, correlationId);
    ctx.logger.info('Completion requested', { invoiceId: id, followUpId: followUp.id, correlationId });
    res
      .status(202)
      .location(`/v1/invoices/${id}`)
      .json({ followUpId: followUp.id, kind: followUp.kind, state: followUp.state });
  };
}

export function correctValidatorHandler(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const id = idParam(req.params.id, 'invoice');
    const parsed = correctValidatorInputSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw validationError(issuesFromZod(parsed.error), 'validator correction');
    const correlationId = correlationIdOf(res);
    const { followUp } = await requestValidatorCorrection(ctx, id, parsed.data.validatorSiret, correlationId);
    ctx.logger.info('Validator correction requested', { invoiceId: id, followUpId: followUp.id, correlationId });
    res
      .status(202)
      .location(`/v1/invoices/${id}`)
      .json({ followUpId: followUp.id, kind: followUp.kind, state: followUp.state });
  };
}
