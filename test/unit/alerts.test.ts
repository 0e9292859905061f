import { describe, expect, it } from 'vitest';
import { emailFor } from '../../src/alerts/messages.js';
import { signWebhook, verifyWebhookSignature } from '../../src/alerts/webhook-signature.js';
import { actionRequiredOf } from '../../src/invoices/action-required.js';

const invoice = {
  id: '5d1c8a43-3c1e-4b83-9d0f-0a3c0b2d9e11',
  number: 'F2026-0042',
  supplierSiret: '73282932000074',
  recipientSiret: '11000201100044',
  serviceCode: 'SERVICE-BTP',
  engagementNumber: 'BDC-4500012345',
  amountWithVat: '1200.00',
  currency: 'EUR',
  issueDate: '2026-11-20',
  state: 'integrated',
  chorusInvoiceId: '100001',
  chorusStatus: 'SUSPENDUE',
  stage: 'on_hold',
  stageLabel: 'Mise en attente',
  statusLabel: 'Suspendue',
};

describe('alert e-mails', () => {
  it('say what happened, the invoice, Chorus Pro’s reason and the next step, in French then English', () => {
    const mail = emailFor(
      {
        event: 'invoice.action_required',
        payload: {
          invoice,
          reason: 'suspended',
          message: 'm',
          chorusReason: 'RIB manquant',
          nextStep: { fr: 'Complétez-la.', en: 'Complete it.' },
        },
      },
      null,
    );
    expect(mail.subject).toBe('Facture F2026-0042 suspendue / Invoice F2026-0042 suspended');
    expect(mail.text.indexOf('Motif : RIB manquant')).toBeLessThan(mail.text.indexOf('Reason: RIB manquant'));
    for (const line of [
      'Bon de commande (BDC): BDC-4500012345',
      'Purchase order (BDC): BDC-4500012345',
      'Montant TTC: 1200.00 EUR',
      'Recipient (SIRET): 11000201100044 / service SERVICE-BTP',
      'Statut Chorus Pro: SUSPENDUE, Suspendue (étape : Mise en attente)',
      'Chorus Pro status: SUSPENDUE, Suspendue (stage: Mise en attente)',
      'À faire : Complétez-la.',
      'Next step: Complete it.',
    ]) {
      expect(mail.text).toContain(line);
    }
    expect(mail.text).not.toContain('/v1/invoices/');
  });

  it('tell every status change, for subscriptions that opted in, with a link when PUBLIC_URL is set', () => {
    const mail = emailFor(
      {
        event: 'invoice.status_changed',
        payload: {
          invoice: { ...invoice, chorusStatus: 'MISE_A_DISPOSITION' },
          from: 'EN_COURS_ACHEMINEMENT',
          to: 'MISE_A_DISPOSITION',
          at: '2026-11-21T10:00:00.000Z',
          comment: null,
        },
      },
      'https://relay.example.fr/',
    );
    expect(mail.subject).toBe('Facture F2026-0042 : MISE_A_DISPOSITION / Invoice F2026-0042: MISE_A_DISPOSITION');
    expect(mail.text).toContain('went from EN_COURS_ACHEMINEMENT to MISE_A_DISPOSITION on 2026-11-21T10:00:00.000Z');
    expect(mail.text).toContain(`https://relay.example.fr/v1/invoices/${invoice.id}`);
    expect(mail.text).not.toContain('Comment:');
  });

  it('give the due date, the interest estimate and the indemnity of an overdue payment', () => {
    const mail = emailFor(
      {
        event: 'invoice.payment_overdue',
        payload: {
          invoice,
          message: 'm',
          madeAvailableOn: '2026-10-01',
          delayDays: 30,
          dueOn: '2026-10-31',
          daysLate: 5,
          estimatedInterest: '1.67',
          indemnity: '40.00',
        },
      },
      null,
    );
    expect(mail.text).toContain('mise à disposition le 2026-10-01');
    expect(mail.text).toContain(
      'Estimated late-payment interest: 1.67; fixed indemnity: 40.00 EUR, due within 45 days of payment.',
    );
  });

  it('warn of an expiring technical-account password', () => {
    const mail = emailFor(
      {
        event: 'supplier.password_expiring',
        payload: {
          supplier: { siret: '73282932000074', chorusLogin: 'TECH_1' },
          message: 'expires soon',
          passwordExpiresOn: '2026-12-08',
        },
      },
      null,
    );
    expect(mail.subject).toContain('73282932000074');
    expect(mail.text).toContain('expire le 2026-12-08');
  });
});

describe('webhook signatures', () => {
  const body = '{"id":"n1","type":"invoice.action_required"}';
  it('verify with the secret, and fail on another body, secret or an old timestamp', () => {
    const now = 1_800_000_000;
    const header = signWebhook('whsec_test-secret-0123456789abcd', now, body);
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature('whsec_test-secret-0123456789abcd', header, body, { nowSeconds: now + 10 })).toBe(
      true,
    );
    expect(verifyWebhookSignature('whsec_test-secret-0123456789abcd', header, `${body} `, { nowSeconds: now })).toBe(
      false,
    );
    expect(verifyWebhookSignature('whsec_other-secret-0123456789abcd', header, body, { nowSeconds: now })).toBe(false);
    expect(verifyWebhookSignature('whsec_test-secret-0123456789abcd', header, body, { nowSeconds: now + 301 })).toBe(
      false,
    );
    expect(verifyWebhookSignature('whsec_test-secret-0123456789abcd', 'garbage', body, { nowSeconds: now })).toBe(
      false,
    );
  });
});

describe('actionRequiredOf', () => {
  it.each([
    [{ state: 'precheck_failed', chorusStatus: null }, 'precheck_failed'],
    [{ state: 'rejected', chorusStatus: null }, 'rejected_at_integration'],
    [{ state: 'needs_attention', chorusStatus: null }, 'deposit_failed'],
    [{ state: 'integrated', chorusStatus: 'REJETEE' }, 'rejected_by_recipient'],
    [{ state: 'integrated', chorusStatus: 'REFUSEE_MOA' }, 'rejected_by_recipient'],
    [{ state: 'integrated', chorusStatus: 'REFUSEE_1' }, 'refused_by_validator'],
    [{ state: 'integrated', chorusStatus: 'REFUSEE_2' }, 'refused_by_validator'],
    [{ state: 'integrated', chorusStatus: 'SUSPENDUE' }, 'suspended'],
    [{ state: 'integrated', chorusStatus: 'A_RECYCLER' }, 'to_recycle'],
    [{ state: 'integrated', chorusStatus: 'ERREUR_FOURNISSEUR_SUR_VALIDEUR' }, 'wrong_validator'],
    [{ state: 'integrated', chorusStatus: 'A_VALIDER_1' }, null],
    [{ state: 'integrated', chorusStatus: 'MISE_A_DISPOSITION' }, null],
    [{ state: 'integrated', chorusStatus: 'UN_STATUT_NOUVEAU' }, null],
    [{ state: 'queued', chorusStatus: null }, null],
  ] as const)('%o -> %s', (invoice, expected) => {
    expect(actionRequiredOf({ ...invoice, correctedBy: null, supplierPaused: false })).toBe(expected);
  });

  it.each(['queued', 'depositing', 'awaiting_report'] as const)(
    'is the refused supplier account for an invoice %s while the account is paused',
    (state) => {
      expect(actionRequiredOf({ state, chorusStatus: null, correctedBy: null, supplierPaused: true })).toBe(
        'supplier_account_refused',
      );
    },
  );

  it("keeps the invoice's own reason over the paused account", () => {
    expect(
      actionRequiredOf({ state: 'precheck_failed', chorusStatus: null, correctedBy: null, supplierPaused: true }),
    ).toBe('precheck_failed');
    expect(
      actionRequiredOf({ state: 'integrated', chorusStatus: 'SUSPENDUE', correctedBy: null, supplierPaused: true }),
    ).toBe('suspended');
  });

  it('is nothing once a corrected invoice answers the rejection', () => {
    expect(
      actionRequiredOf({
        state: 'integrated',
        chorusStatus: 'REJETEE',
        correctedBy: { id: 'x' },
        supplierPaused: false,
      }),
    ).toBeNull();
  });
});
