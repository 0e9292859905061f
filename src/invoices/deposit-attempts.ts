/**
 * The one writer of deposit attempts (src/db/entities/deposit-attempt.ts): each move of an attempt's phase goes
 * through its table, with what the move records (when it ended, the flux number, why it failed).
 */
import type { DepositAttempt, DepositAttemptPhase } from '../db/entities/deposit-attempt.js';
import { checkedMove, type StateTable } from '../shared/state-table.js';

/**
 * prepared (written, certainly not sent) → sending (it may have left) → sent (Chorus Pro answered with its receipt)
 * or reconciled (the outcome was unknown and a look-up found the invoice); not_sent (it surely never arrived) and
 * refused (Chorus Pro said no) end an attempt from either of the first two.
 */
export const ATTEMPT_TABLE: StateTable<DepositAttemptPhase> = {
  prepared: ['sending', 'not_sent', 'refused'],
  sending: ['sent', 'reconciled', 'not_sent', 'refused'],
  sent: [],
  not_sent: [],
  refused: [],
  reconciled: [],
};

/** Moves an attempt on, recording when it ended and what it learnt. */
export function moveAttempt(
  attempt: DepositAttempt,
  to: DepositAttemptPhase,
  at: Date,
  fields: { fluxNumber?: string | null; error?: string } = {},
): void {
  attempt.phase = checkedMove(ATTEMPT_TABLE, `Deposit attempt ${attempt.number}`, attempt.phase, to);
  if (to !== 'sending') attempt.finishedAt = at;
  if (fields.fluxNumber !== undefined) attempt.fluxNumber = fields.fluxNumber;
  if (fields.error !== undefined) attempt.error = fields.error;
}

/** Whether the attempt is under way (it may be ended by a refusal, a wait or a failure that proves it never left). */
export const isUnderWay = (attempt: DepositAttempt | null): attempt is DepositAttempt =>
  attempt !== null && (attempt.phase === 'prepared' || attempt.phase === 'sending');

/** An attempt whose outcome stays unknown and that nobody will look up any more: it ended, still `sending`. */
export function endUnknown(attempt: DepositAttempt, at: Date): void {
  attempt.finishedAt = at;
}
