/**
 * A validator's decision through the API (approve, or refuse with a reason): stored first with a timeline line,
 * then a `validations` job sends it to Chorus Pro (`traiter/factureAValider`) once. As for deposits, a lost job is
 * added back by the sweeper, and an unknown outcome is settled by reading the invoice's status before calling again.
 */
import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/postgresql';
import type { AppContext } from '../context.js';
import { Validation, type ValidationDecision } from '../db/entities/validation.js';
import { enqueueValidationDecision } from '../queues/enqueue.js';
import { DomainError } from '../shared/domain-error.js';
import { addEvent } from './timeline.js';
import { moveDecision } from './transitions.js';

export type DecisionInput = { action: 'approve'; comment: string | null } | { action: 'refuse'; reason: string };

export async function requestDecision(
  ctx: AppContext,
  validationId: string,
  input: DecisionInput,
  correlationId?: string,
): Promise<Validation> {
  const em = ctx.orm.em.fork();
  const validation = await em.transactional(async (tx) => {
    // Locked so that two concurrent decisions cannot both pass the checks below.
    const validation = await tx.findOne(Validation, validationId, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!validation)
      throw new DomainError('not-found', 'VALIDATION_NOT_FOUND', `No validation has the id ${validationId}.`);
    if (validation.decisionState === 'queued' || validation.decisionState === 'sending') {
      throw new DomainError(
        'conflict',
        'DECISION_IN_PROGRESS',
        `A decision on invoice ${validation.invoiceNumber} is already on its way (${validation.decision?.action ?? '?'}).`,
      );
    }
    if (validation.stage !== 'pending') {
      throw new DomainError(
        'conflict',
        'VALIDATION_NOT_PENDING',
        `Invoice ${validation.invoiceNumber} no longer waits for a decision: it is ${validation.stage.replace('_', ' ')} (Chorus Pro status ${validation.chorusStatus}).`,
      );
    }
    const now = ctx.clock.now();
    const decision: ValidationDecision = {
      id: randomUUID(),
      action: input.action,
      text: input.action === 'refuse' ? input.reason : input.comment,
      requestedAt: now.toISOString(),
    };
    validation.decision = decision;
    moveDecision(validation, 'queued');
    addEvent(
      validation,
      now,
      'decision-requested',
      input.action === 'approve' ? 'Approval requested.' : `Refusal requested: ${input.reason}`,
    );
    return validation;
  });
  try {
    await enqueueValidationDecision(
      ctx.queues,
      {
        id: validation.id,
        decisionId: validation.decision!.id,
        action: validation.decision!.action,
        invoiceNumber: validation.invoiceNumber,
      },
      correlationId,
    );
  } catch (error) {
    ctx.logger.warn('Decision job not enqueued; the sweeper will add it', {
      validationId: validation.id,
      error: error instanceof Error ? error.message : String(error),
    });
  }
  return validation;
}
