import { describe, expect, it } from 'vitest';
import { meaningOf, STATUS_MODEL } from '../../src/chorus/status-model.js';
import { INVOICE_STATUSES } from '../../src/chorus/statuses.js';

describe('the status model', () => {
  it('maps every status of the official enum, and nothing else', () => {
    expect(Object.keys(STATUS_MODEL).sort()).toEqual([...INVOICE_STATUSES].sort());
  });

  it('tells the supplier what to do', () => {
    expect(meaningOf('REJETEE')).toEqual({ stage: 'rejected', final: true, action: 'issue-corrected-invoice', waitingFor: 'supplier' });
    expect(meaningOf('SUSPENDUE')).toEqual({ stage: 'on_hold', final: false, action: 'complete', waitingFor: 'supplier' });
    expect(meaningOf('A_RECYCLER')).toEqual({ stage: 'on_hold', final: false, action: 'recycle', waitingFor: 'supplier' });
  });

  // research 2026-11-30 §1.3: a subcontractor's or co-contractor's invoice waits for its validator (the holder, or
  // the co-contractor, then the group's representative), 15 days, silence validating; a wrong validator is the
  // supplier's to correct (corriger/valideur/facture); a refusal spends the number.
  it('tells who must act in the validation circuit of subcontracted and co-contracted invoices', () => {
    const circuit = [
      'A_VALIDER_1',
      'A_VALIDER_2',
      'VALIDEE_1',
      'VALIDEE_2',
      'ABSENCE_VALIDATION_1_HORS_DELAI',
      'ERREUR_FOURNISSEUR_SUR_VALIDEUR',
      'ERREUR_COTRAITANT_SUR_VALIDEUR',
      'REFUSEE_1',
      'REFUSEE_2',
    ];
    expect(circuit.map((s) => [s, meaningOf(s)?.waitingFor, meaningOf(s)?.action])).toEqual([
      ['A_VALIDER_1', 'validator', null],
      ['A_VALIDER_2', 'validator', null],
      ['VALIDEE_1', null, null],
      ['VALIDEE_2', null, null],
      ['ABSENCE_VALIDATION_1_HORS_DELAI', null, null],
      ['ERREUR_FOURNISSEUR_SUR_VALIDEUR', 'supplier', 'correct-validator'],
      ['ERREUR_COTRAITANT_SUR_VALIDEUR', 'supplier', 'correct-validator'],
      ['REFUSEE_1', 'supplier', 'issue-corrected-invoice'],
      ['REFUSEE_2', 'supplier', 'issue-corrected-invoice'],
    ]);
  });

  it('follows the ordinary path to payment', () => {
    expect(['DEPOSEE', 'EN_COURS_ACHEMINEMENT', 'MISE_A_DISPOSITION', 'SERVICE_FAIT', 'MANDATEE', 'MISE_EN_PAIEMENT'].map((s) => meaningOf(s)?.stage)).toEqual([
      'deposited',
      'deposited',
      'made_available',
      'accepted',
      'in_payment',
      'completed',
    ]);
    expect(meaningOf('MISE_EN_PAIEMENT')?.final).toBe(true);
    expect(meaningOf('MANDATEE')?.final).toBe(false);
  });

  it('shows an unknown code raw instead of guessing', () => {
    expect(meaningOf('NOUVEAU_STATUT_2027')).toBeNull();
    expect(meaningOf(null)).toBeNull();
  });
});
