/**
 * A supplier's answer to an invoice held at Chorus Pro: recycle it (A_RECYCLER: new recipient, service code or
 * engagement number) or complete it (SUSPENDUE: a comment and an attachment). The request is stored first, with
 * a timeline line, then a `follow-ups` job sends it; like deposits, a lost job is added back by the sweeper and an
 * unknown outcome is settled by reading the invoice's status at Chorus Pro before calling again.
 */
import { LockMode } from '@mikro-orm/postgresql';
import type { AppContext } from '../context.js';
import {
  FollowUp,
  type CompleteRequest,
  type CorrectValidatorRequest,
  type FollowUpKind,
  type RecycleRequest,
} from '../db/entities/follow-up.js';
import { Invoice } from '../db/entities/invoice.js';
import { enqueueFollowUp } from '../queues/enqueue.js';
import { DomainError } from '../shared/domain-error.js';
import { checkedMove, SEND_STATE_TABLE, type SendState } from '../shared/state-table.js';
import { record } from './lifecycle.js';

/** The Chorus statuses each follow-up answers. */
export const FOLLOW_UP_FROM: Record<FollowUpKind, readonly string[]> = {
  recycle: ['A_RECYCLER'],
  complete: ['SUSPENDUE'],
  'correct-validator': ['ERREUR_FOURNISSEUR_SUR_VALIDEUR', 'ERREUR_COTRAITANT_SUR_VALIDEUR'],
};

/** The error code of a request for an invoice that is not in one of those statuses. */
const NOT_IN_STATUS: Record<FollowUpKind, string> = {
  recycle: 'INVOICE_NOT_TO_RECYCLE',
  complete: 'INVOICE_NOT_SUSPENDED',
  'correct-validator': 'INVOICE_VALIDATOR_NOT_IN_ERROR',
};

/** How sentences name each follow-up: what it does to the invoice, and the request itself. */
export const FOLLOW_UP_WORDS: Record<FollowUpKind, { done: string; noun: string }> = {
  recycle: { done: 'recycled', noun: 'recycling' },
  complete: { done: 'completed', noun: 'completion' },
  'correct-validator': { done: 'given a new validator', noun: 'new validator' },
};

/** The one writer of a follow-up's state (the send-once table of src/shared/state-table.ts). */
export function moveFollowUp(
  followUp: FollowUp,
  to: SendState,
  error: { code: string; message: string } | null = null,
): void {
  followUp.state = checkedMove(SEND_STATE_TABLE, `Follow-up ${followUp.id}`, followUp.state, to);
  if (to === 'done' || to === 'failed') followUp.error = error;
}

export interface CompletionInput {
  comment: string;
  attachment: { name: string; mimeType: string; content: Buffer } | null;
}

async function request(
  ctx: AppContext,
  invoiceId: string,
  kind: FollowUpKind,
  body: RecycleRequest | CompleteRequest | CorrectValidatorRequest,
  attachment: Buffer | null,
  /** The timeline's sentence for the request. */
  requested: string,
  correlationId: string | undefined,
): Promise<{ invoice: Invoice; followUp: FollowUp }> {
  const em = ctx.orm.em.fork();
  const { invoice, followUp } = await em.transactional(async (tx) => {
    // Locked so that two concurrent requests cannot both pass the check below.
    const invoice = await tx.findOne(Invoice, invoiceId, {
      populate: ['supplier'],
      lockMode: LockMode.PESSIMISTIC_WRITE,
    });
    if (!invoice) throw new DomainError('not-found', 'INVOICE_NOT_FOUND', `No invoice has the id ${invoiceId}.`);
    const expected = FOLLOW_UP_FROM[kind];
    if (invoice.state !== 'integrated' || !invoice.chorusStatus || !expected.includes(invoice.chorusStatus)) {
      throw new DomainError(
        'conflict',
        NOT_IN_STATUS[kind],
        `Invoice ${invoice.number} has the Chorus Pro status ${invoice.chorusStatus ?? '(none yet)'}; only an invoice in ${expected.join(' or ')} can be ${FOLLOW_UP_WORDS[kind].done}.`,
      );
    }
    const pending = await tx.findOne(FollowUp, { invoice, state: { $in: ['queued', 'sending'] } });
    if (pending) {
      throw new DomainError(
        'conflict',
        'FOLLOW_UP_IN_PROGRESS',
        `A ${pending.kind} of invoice ${invoice.number} is already on its way (follow-up ${pending.id}).`,
        [],
        {
          followUpId: pending.id,
        },
      );
    }
    const followUp = tx.create(FollowUp, { invoice, kind, request: body, attachmentContent: attachment });
    record(tx, invoice, 'follow-up-requested', 'intake', {
      message: requested,
      details: { followUpId: followUp.id, kind, request: body },
    });
    // The invoice row changes too (its version), so a concurrent status sync and this request serialise.
    invoice.updatedAt = ctx.clock.now();
    return { invoice, followUp };
  });
  try {
    await enqueueFollowUp(ctx.queues, { id: followUp.id, kind, invoiceNumber: invoice.number }, correlationId);
  } catch (error) {
    ctx.logger.warn('Follow-up job not enqueued; the sweeper will add it', {
      followUpId: followUp.id,
      error: error instanceof Error ? error.message : String(error),
    });
  }
  return { invoice, followUp };
}

/** `correlationId`: the request's X-Request-Id, carried into the follow-up's job. */
export function requestRecycle(ctx: AppContext, invoiceId: string, routing: RecycleRequest, correlationId?: string) {
  return request(ctx, invoiceId, 'recycle', routing, null, 'Recycling requested with new routing data.', correlationId);
}

export function requestCompletion(ctx: AppContext, invoiceId: string, input: CompletionInput, correlationId?: string) {
  const extension = input.attachment
    ? (/\.([A-Za-z0-9]{1,8})$/.exec(input.attachment.name)?.[1] ?? 'PDF').toUpperCase()
    : '';
  const body: CompleteRequest = {
    comment: input.comment,
    attachment: input.attachment
      ? { name: input.attachment.name, mimeType: input.attachment.mimeType, extension }
      : null,
  };
  return request(
    ctx,
    invoiceId,
    'complete',
    body,
    input.attachment?.content ?? null,
    `Completion requested: ${input.comment}`,
    correlationId,
  );
}

/**
 * ERREUR_FOURNISSEUR_SUR_VALIDEUR (or _COTRAITANT_): the supplier names the right validator
 * (`corriger/valideur/facture`).
 */
export function requestValidatorCorrection(
  ctx: AppContext,
  invoiceId: string,
  validatorSiret: string,
  correlationId?: string,
) {
  return request(
    ctx,
    invoiceId,
    'correct-validator',
    { validatorSiret },
    null,
    `New validator requested: ${validatorSiret}.`,
    correlationId,
  );
}
