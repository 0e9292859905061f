/**
 * Where a validation stands once Chorus Pro shows a status (docs/chorus-pro-notes.md, "The validation circuit"): the
 * circuit's statuses name their stage; past the circuit, the decision sent, else approval before the deadline or by
 * silence after it.
 */
import { describe, expect, it } from 'vitest';
import { stageAfter } from '../../src/validations/stages.js';

const DAY = 86_400_000;
const deadline = new Date('2026-12-15T10:00:00Z');
const waiting = { stage: 'pending' as const, deadline, decision: null, decisionState: null };
const decided = (action: 'approve' | 'refuse', decisionState: 'sending' | 'done' | 'failed') => ({
  ...waiting,
  decision: { id: 'd', action, text: action === 'refuse' ? 'motif' : null, requestedAt: '2026-12-01T00:00:00Z' },
  decisionState,
});

describe('the stage of a validation after a status', () => {
  it('is the one the circuit status names, whatever was decided', () => {
    expect(stageAfter(waiting, 'VALIDEE_1', deadline)).toBe('approved');
    expect(stageAfter(decided('approve', 'done'), 'REFUSEE_2', deadline)).toBe('refused');
    expect(stageAfter(waiting, 'ABSENCE_VALIDATION_1_HORS_DELAI', deadline)).toBe('tacitly_approved');
    expect(stageAfter(waiting, 'ERREUR_FOURNISSEUR_SUR_VALIDEUR', deadline)).toBe('wrong_validator');
  });

  it('past the circuit, is what the decision sent, or approval before the deadline, or silence after it', () => {
    expect(stageAfter(decided('approve', 'sending'), 'DEPOSEE', new Date(deadline.getTime() + DAY))).toBe('approved');
    expect(stageAfter(waiting, 'MISE_A_DISPOSITION', new Date(deadline.getTime() - DAY))).toBe('approved');
    expect(stageAfter(waiting, 'MISE_A_DISPOSITION', new Date(deadline.getTime() + 1))).toBe('tacitly_approved');
    // A decision that failed (the invoice had moved on) says nothing of how it ended.
    expect(stageAfter(decided('approve', 'failed'), 'DEPOSEE', new Date(deadline.getTime() + DAY))).toBe(
      'tacitly_approved',
    );
    expect(stageAfter({ ...waiting, stage: 'refused' }, 'DEPOSEE', deadline)).toBe('refused');
  });
});
