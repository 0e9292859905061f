/** POST /v1/invoices/{id}/recycle and /complete: 202 once the request is stored and on its way. */
import type { RequestHandler } from 'express';
import type { AppContext } from '../../context.js';
import { requestCompletion, requestRecycle } from '../../invoices/follow-ups.js';
import { HttpError, issuesFromZod, validationError } from '../errors.js';
import { completeInputSchema, recycleInputSchema } from '../schemas.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function invoiceId(raw: unknown): string {
  const id = String(raw);
  if (!UUID.test(id)) throw new HttpError(404, 'INVOICE_NOT_FOUND', `No invoice has the id ${id}.`);
  return id;
}

export function recycleInvoice(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const id = invoiceId(req.params.id);
    const parsed = recycleInputSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw validationError(issuesFromZod(parsed.error), 'recycling request');
    const { recipientSiret, serviceCode, engagementNumber, comment } = parsed.data;
    const { followUp } = await requestRecycle(ctx, id, { recipientSiret: recipientSiret ?? null, serviceCode: serviceCode ?? null, engagementNumber: engagementNumber ?? null, comment: comment ?? null });
    ctx.logger.info('Recycling requested', { invoiceId: id, followUpId: followUp.id });
    res.status(202).location(`/v1/invoices/${id}`).json({ followUpId: followUp.id, kind: followUp.kind, state: followUp.state });
  };
}

export function completeInvoice(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const id = invoiceId(req.params.id);
    const parsed = completeInputSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw validationError(issuesFromZod(parsed.error), 'completion');
    const { comment, attachment } = parsed.data;
    const { followUp } = await requestCompletion(ctx, id, {
      comment,
      attachment: attachment ? { name: attachment.name, mimeType: attachment.mimeType, content: attachment.contentBase64 } : null,
    });
    ctx.logger.info('Completion requested', { invoiceId: id, followUpId: followUp.id });
    res.status(202).location(`/v1/invoices/${id}`).json({ followUpId: followUp.id, kind: followUp.kind, state: followUp.state });
  };
}
