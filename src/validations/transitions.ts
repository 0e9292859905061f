/**
 * The one writer of a validation row (src/db/entities/validation.ts), as src/invoices/lifecycle.ts is for invoices:
 * what Chorus Pro says of the invoice (its status, the stage it means, the timeline line, the alert it calls for) and
 * where the validator's decision stands. The inbox sync and the decision job both go through it, so the one that
 * learns first that silence approved an invoice tells it, and the other finds nothing new.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { notifyValidation } from '../alerts/notify.js';
import type { Notification } from '../db/entities/notification.js';
import type { DecisionState, Validation, ValidationStage } from '../db/entities/validation.js';
import { checkedMove, SEND_STATE_TABLE, type StateTable } from '../shared/state-table.js';
import { stageAfter } from './stages.js';
import { addEvent } from './timeline.js';

/**
 * How a validation's stage may move: from waiting (pending) or from a wrong validator to any decided stage; from any
 * stage back to waiting (back in the inbox: a corrected validator, the group's representative next).
 */
export const STAGE_TABLE: StateTable<ValidationStage> = {
  pending: ['pending', 'approved', 'refused', 'tacitly_approved', 'wrong_validator'],
  wrong_validator: ['wrong_validator', 'pending', 'approved', 'refused', 'tacitly_approved'],
  approved: ['approved', 'pending'],
  refused: ['refused', 'pending'],
  tacitly_approved: ['tacitly_approved', 'pending'],
};

/**
 * Where the decision asked through the API stands: none asked (`none`), then the send-once states; a decided row
 * back in the inbox, or a failed decision asked again, starts over.
 */
export const DECISION_TABLE: StateTable<DecisionState | 'none'> = {
  none: ['queued'],
  ...SEND_STATE_TABLE,
  done: ['none'],
  failed: ['queued', 'none'],
};

const STAGE_SENTENCE: Record<ValidationStage, string> = {
  pending: 'waits for the validator',
  approved: 'was approved by the validator',
  refused: 'was refused by the validator',
  tacitly_approved: 'was not decided before the deadline: Chorus Pro takes it as approved',
  wrong_validator: 'names the wrong validator: its supplier must correct it',
};

/**
 * Chorus Pro shows `status` for the validation's invoice: its stage, a timeline line, and the alert a move calls for
 * (`validation.tacitly_approved` when silence approved it). Nothing when the status is the one recorded.
 */
export function observeValidationStatus(
  em: EntityManager,
  validation: Validation,
  status: string,
  now: Date,
): Notification | null {
  if (status === validation.chorusStatus) return null;
  const previous = validation.stage;
  const stage = checkedMove(STAGE_TABLE, `Validation ${validation.id}`, previous, stageAfter(validation, status, now));
  validation.chorusStatus = status;
  validation.stage = stage;
  addEvent(
    validation,
    now,
    'status',
    `Chorus Pro status ${status}: invoice ${validation.invoiceNumber} ${STAGE_SENTENCE[stage]}.`,
  );
  if (stage !== 'tacitly_approved' || previous === 'tacitly_approved') return null;
  return notifyValidation(
    em,
    validation,
    'validation.tacitly_approved',
    {
      message: `Invoice ${validation.invoiceNumber} was neither approved nor refused before its deadline; Chorus Pro takes it as approved (${status}).`,
    },
    status,
  );
}

/** Moves the decision on; `none` forgets it (the row waits for a new one). */
export function moveDecision(
  validation: Validation,
  to: DecisionState | 'none',
  error: { code: string; message: string } | null = null,
): void {
  const moved = checkedMove(
    DECISION_TABLE,
    `The decision on validation ${validation.id}`,
    validation.decisionState ?? 'none',
    to,
  );
  validation.decisionState = moved === 'none' ? null : moved;
  if (moved === 'none') validation.decision = null;
  if (moved === 'done' || moved === 'failed' || moved === 'queued') validation.decisionError = error;
}
