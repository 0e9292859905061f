import { describe, expect, it } from 'vitest';
import { meaningOf, STATUS_MODEL } from '../../src/chorus/status-model.js';
import { INVOICE_STATUSES } from '../../src/chorus/statuses.js';

describe('the status model', () => {
  it('maps every status of the official enum, and nothing else', () => {
    expect(Object.keys(STATUS_MODEL).sort()).toEqual([...INVOICE_STATUSES].sort());
  });

  it('tells the supplier what to do', () => {
    expect(meaningOf('REJETEE')).toEqual({ stage: 'rejected', final: true, action: 'issue-corrected-invoice' });
    expect(meaningOf('SUSPENDUE')).toEqual({ stage: 'on_hold', final: false, action: 'complete' });
    expect(meaningOf('A_RECYCLER')).toEqual({ stage: 'on_hold', final: false, action: 'recycle' });
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
