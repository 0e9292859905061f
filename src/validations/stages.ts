/**
 * The validation circuit's statuses, read as where a subcontractor's or co-contractor's invoice stands for its
 * validator (docs/chorus-pro-notes.md, "The validation circuit"; `_1` is the first validator, `_2` the group's
 * representative).
 */
import type { Validation, ValidationStage } from '../db/entities/validation.js';
import { DAY_MS } from '../shared/time.js';

export const VALIDATION_DELAY_DAYS = 15;

/**
 * When silence counts as approval: the deposit plus 15 days (R. 2193-16; docs/chorus-pro-notes.md, "The validation
 * circuit").
 */
export const deadlineOf = (depositedAt: Date): Date => new Date(depositedAt.getTime() + VALIDATION_DELAY_DAYS * DAY_MS);
/** Reminders before the deadline, in days. */
export const REMINDER_DAYS = [5, 1] as const;

/** The stage a status means, or null for a status past the circuit (DEPOSEE, MISE_A_DISPOSITION...). */
export function validationStageOf(status: string | null): ValidationStage | null {
  if (!status) return null;
  if (/^A_VALIDER_[12]$/.test(status)) return 'pending';
  if (/^VALIDEE_[12]$/.test(status)) return 'approved';
  if (/^REFUSEE_[12]$/.test(status)) return 'refused';
  if (/^ABSENCE_VALIDATION_[12]_HORS_DELAI$/.test(status)) return 'tacitly_approved';
  if (status === 'ERREUR_FOURNISSEUR_SUR_VALIDEUR' || status === 'ERREUR_COTRAITANT_SUR_VALIDEUR')
    return 'wrong_validator';
  return null;
}

/**
 * Where a validation stands once Chorus Pro shows `status`: the stage the status means; for a status past the
 * circuit (DEPOSEE, MISE_A_DISPOSITION...), the decision that sent it on, else, for one that was waiting, approval by
 * the validator before the deadline or by silence after it; otherwise the stage it had.
 */
export function stageAfter(
  validation: Pick<Validation, 'stage' | 'deadline' | 'decision' | 'decisionState'>,
  status: string,
  now: Date,
): ValidationStage {
  const meant = validationStageOf(status);
  if (meant) return meant;
  if (validation.decision && validation.decisionState !== 'failed')
    return validation.decision.action === 'refuse' ? 'refused' : 'approved';
  if (validation.stage === 'pending') return now >= validation.deadline ? 'tacitly_approved' : 'approved';
  return validation.stage;
}

/**
 * Who must act now: the validator while it is pending, the supplier when it named the wrong validator, nobody after.
 */
export function whoActs(stage: ValidationStage): 'validator' | 'supplier' | null {
  return stage === 'pending' ? 'validator' : stage === 'wrong_validator' ? 'supplier' : null;
}
