/**
 * Why an invoice waits for its supplier, derived from where it stands; kept on the row (`actionRequired`) so that
 * lists, filters and the dashboard read it without recomputing.
 */
import { meaningOf } from '../chorus/status-model.js';
import { STATES_WAITING_ON_ACCOUNT, type InvoiceState } from './states.js';

export const ACTION_REASONS = [
  'precheck_failed',
  'rejected_at_integration',
  'deposit_failed',
  'rejected_by_recipient',
  'refused_by_validator',
  'suspended',
  'to_recycle',
  'wrong_validator',
  'supplier_account_refused',
] as const;
export type ActionReason = (typeof ACTION_REASONS)[number];

/** What to do, in the user's words, French first (the portal's language) then English. */
/** Reasons for which an invoice is answered by a corrected one (correctsInvoiceId). */
export const CORRECTABLE_REASONS: ReadonlySet<ActionReason> = new Set<ActionReason>([
  'rejected_at_integration',
  'rejected_by_recipient',
  'refused_by_validator',
  'precheck_failed',
]);

export const NEXT_STEP: Record<ActionReason, { fr: string; en: string }> = {
  precheck_failed: {
    fr: 'Le contrôle avant dépôt a arrêté la facture, sans rien envoyer à Chorus Pro (la raison est dans lastError) : si Chorus Pro a changé depuis (structure, service), relancez le dépôt ; sinon, déposez la facture corrigée en la liant à celle-ci (correctsInvoiceId).',
    en: 'The pre-check stopped the invoice before anything reached Chorus Pro (the reason is in lastError): if Chorus Pro changed since (structure, service), retry the deposit; otherwise submit the corrected invoice linked to this one (correctsInvoiceId).',
  },

  // Chorus Pro checks a number's uniqueness among integrated invoices only: a flux refused at integration may come
  // back under the same number once fixed.
  rejected_at_integration: {
    fr: 'Chorus Pro a refusé le flux à l’intégration : corrigez le fichier puis déposez-le de nouveau, sous le même numéro (POST /v1/invoices).',
    en: 'Chorus Pro refused the flux at integration: fix the file, then submit it again under the same number (POST /v1/invoices).',
  },
  deposit_failed: {
    fr: 'Le dépôt a échoué définitivement : vérifiez la cause puis relancez-le.',
    en: 'The deposit failed for good: check the cause, then retry it.',
  },
  rejected_by_recipient: {
    fr: 'Le destinataire a rejeté la facture : émettez une facture corrigée sous un nouveau numéro, liée à celle-ci.',
    en: 'The recipient rejected the invoice: issue a corrected invoice under a new number, linked to this one.',
  },
  // A subcontractor's invoice refused by its validator (the main contractor or the group's representative): the
  // recipient never saw it, and the subcontractor must hear who refused it.
  refused_by_validator: {
    fr: 'Votre valideur (l’entreprise principale ou le mandataire du groupement) a refusé la facture ; son motif est dans le commentaire de Chorus Pro : émettez une facture corrigée sous un nouveau numéro, liée à celle-ci.',
    en: 'Your validator (the main contractor, or the group’s representative) refused the invoice; its reason is in Chorus Pro’s comment: issue a corrected invoice under a new number, linked to this one.',
  },
  suspended: {
    fr: 'Le destinataire a suspendu la facture : complétez-la (commentaire et pièce jointe).',
    en: 'The recipient suspended the invoice: complete it (comment and attachment).',
  },
  supplier_account_refused: {
    fr: 'Chorus Pro refuse le compte technique du fournisseur (mot de passe expiré ou changé) : enregistrez ses nouveaux identifiants (POST /v1/suppliers) ; les factures en attente repartiront.',
    en: 'Chorus Pro refuses the supplier’s technical account (password expired or changed): register its new credentials (POST /v1/suppliers); waiting invoices then resume.',
  },
  wrong_validator: {
    fr: 'Le valideur indiqué sur la facture n’est pas le bon (titulaire ou cotraitant) : corrigez-le dans Chorus Pro (« modifier le valideur »).',
    en: 'The validator named on the invoice is not the right one (the holder or co-contractor): correct it in Chorus Pro ("modify the validator").',
  },
  to_recycle: {
    fr: 'La facture est à recycler : indiquez le bon destinataire, code service ou numéro d’engagement.',
    en: 'The invoice must be recycled: give the right recipient, service code or engagement number.',
  },
};

const BY_STATE: Partial<Record<InvoiceState, ActionReason>> = {
  precheck_failed: 'precheck_failed',
  rejected: 'rejected_at_integration',
  needs_attention: 'deposit_failed',
};

/** The validation circuit's refusals: `_1` by the first validator, `_2` by the group's representative. */
const REFUSED_BY_VALIDATOR: readonly string[] = ['REFUSEE_1', 'REFUSEE_2'];

const BY_SUPPLIER_ACTION = {
  'issue-corrected-invoice': 'rejected_by_recipient',
  complete: 'suspended',
  recycle: 'to_recycle',
  'correct-validator': 'wrong_validator',
} as const;

export function actionRequiredOf(invoice: {
  state: InvoiceState;
  chorusStatus: string | null;
  correctedBy: unknown;
  supplierPaused: boolean;
}): ActionReason | null {
  // A corrected invoice under a new number answers a rejection: the old one no longer waits for anything.
  if (invoice.correctedBy) return null;
  const byState = BY_STATE[invoice.state];
  if (byState) return byState;
  if (invoice.supplierPaused && STATES_WAITING_ON_ACCOUNT.includes(invoice.state)) return 'supplier_account_refused';
  if (invoice.state !== 'integrated') return null;
  if (invoice.chorusStatus !== null && REFUSED_BY_VALIDATOR.includes(invoice.chorusStatus))
    return 'refused_by_validator';
  const action = meaningOf(invoice.chorusStatus)?.action;
  return action ? BY_SUPPLIER_ACTION[action] : null;
}
