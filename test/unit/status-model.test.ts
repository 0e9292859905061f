import { describe, expect, it } from 'vitest';
import { meaningOf, STATUS_MODEL, statusLabelOf } from '../../src/chorus/status-model.js';
import { INVOICE_STATUSES } from '../../src/chorus/statuses.js';

describe('the status model', () => {
  it('maps every status of the official enum, and nothing else', () => {
    expect(Object.keys(STATUS_MODEL).sort()).toEqual([...INVOICE_STATUSES].sort());
  });

  it('names every status of the official enum in French, so a stage shows which step it is', () => {
    expect(INVOICE_STATUSES.filter((status) => !statusLabelOf(status))).toEqual([]);
    // One stage, two steps: the label tells them apart.
    expect(meaningOf('MANDATEE')?.stage).toBe(meaningOf('COMPTABILISEE')?.stage);
    expect([statusLabelOf('MANDATEE'), statusLabelOf('COMPTABILISEE')]).toEqual(['Mandatée', 'Comptabilisée']);
    expect(statusLabelOf('UN_STATUT_NOUVEAU')).toBeNull();
  });

  it('tells the supplier what to do', () => {
    expect(meaningOf('REJETEE')).toEqual({
      stage: 'rejected',
      final: true,
      action: 'issue-corrected-invoice',
      waitingFor: 'supplier',
    });
    expect(meaningOf('SUSPENDUE')).toEqual({
      stage: 'on_hold',
      final: false,
      action: 'complete',
      waitingFor: 'supplier',
    });
    expect(meaningOf('A_RECYCLER')).toEqual({
      stage: 'on_hold',
      final: false,
      action: 'recycle',
      waitingFor: 'supplier',
    });
  });

  // docs/chorus-pro-notes.md, "The validation circuit": a subcontractor's or co-contractor's invoice waits for its
  // validator (the holder, or the co-contractor, then the group's representative), 15 days, silence validating; a wrong
  // validator is the supplier's to correct (corriger/valideur/facture); a refusal spends the number.
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

  // docs/chorus-pro-notes.md, "Works documents" (its table is inferred from the names): the MOE holds a document made
  // available to it or waiting for its validation or association, the MOA one transmitted or made available to it; a
  // party's error sends it back to be recycled by its depositor; a refusal stops the circuit.
  it('tells who must act on a works document, the MOE, the MOA or the supplier', () => {
    const who = (s: string) => [s, meaningOf(s)?.stage, meaningOf(s)?.waitingFor];
    expect(
      ['MISE_A_DISPOSITION_MOE', 'A_VALIDER_MOE', 'A_ASSOCIER_MOE', 'ABSENCE_VALIDATION_MOE_DELAI_REGLEMENTAIRE'].map(
        who,
      ),
    ).toEqual([
      ['MISE_A_DISPOSITION_MOE', 'made_available', 'moe'],
      ['A_VALIDER_MOE', 'deposited', 'moe'],
      ['A_ASSOCIER_MOE', 'deposited', 'moe'],
      ['ABSENCE_VALIDATION_MOE_DELAI_REGLEMENTAIRE', 'on_hold', 'moe'],
    ]);
    expect(['TRANSMISE_MOA', 'MISE_A_DISPOSITION_MOA', 'A_ASSOCIER_MOA'].map((s) => meaningOf(s)?.waitingFor)).toEqual([
      'moa',
      'moa',
      'moa',
    ]);
    expect(
      ['PRISE_EN_COMPTE_MOE', 'PRISE_EN_COMPTE_MOA'].map((s) => [meaningOf(s)?.stage, meaningOf(s)?.waitingFor]),
    ).toEqual([
      ['accepted', null],
      ['accepted', null],
    ]);
    expect(
      ['ERREUR_DE_MOA', 'ERREUR_FOURNISSEUR_SUR_MOE', 'A_ASSOCIER_FOURNISSEUR', 'REFUSEE_MOE'].map(
        (s) => meaningOf(s)?.waitingFor,
      ),
    ).toEqual(['supplier', 'supplier', 'supplier', 'supplier']);
    expect(meaningOf('REFUSEE_MOA')).toMatchObject({ stage: 'rejected', final: true });
  });

  it('follows the ordinary path to payment', () => {
    expect(
      ['DEPOSEE', 'EN_COURS_ACHEMINEMENT', 'MISE_A_DISPOSITION', 'SERVICE_FAIT', 'MANDATEE', 'MISE_EN_PAIEMENT'].map(
        (s) => meaningOf(s)?.stage,
      ),
    ).toEqual(['deposited', 'deposited', 'made_available', 'accepted', 'in_payment', 'completed']);
    expect(meaningOf('MISE_EN_PAIEMENT')?.final).toBe(true);
    expect(meaningOf('MANDATEE')?.final).toBe(false);
  });

  it('shows an unknown code raw instead of guessing', () => {
    expect(meaningOf('NOUVEAU_STATUT_2027')).toBeNull();
    expect(meaningOf(null)).toBeNull();
  });
});
