/**
 * Every Chorus Pro invoice status mapped to the stage users know from the portal (déposée, mise en attente,
 * rejetée, acceptée, mise à disposition, mise en paiement, terminée), whether it is final, and whether the
 * supplier must act, and how. A test checks that every status of the official enum is mapped.
 */
import type { InvoiceStatus } from './statuses.js';

export const STAGES = [
  'deposited',
  'on_hold',
  'rejected',
  'accepted',
  'made_available',
  'in_payment',
  'completed',
] as const;
export type Stage = (typeof STAGES)[number];

/** The portal's own words for each stage. */
export const STAGE_LABELS_FR: Record<Stage, string> = {
  deposited: 'Déposée',
  on_hold: 'Mise en attente',
  rejected: 'Rejetée',
  accepted: 'Acceptée',
  made_available: 'Mise à disposition',
  in_payment: 'Mise en paiement',
  completed: 'Terminée',
};

/**
 * What the supplier must do: issue a corrected invoice under a new number, complete it, recycle it, or name the
 * right validator (corriger/valideur/facture).
 */
export type SupplierAction = 'issue-corrected-invoice' | 'complete' | 'recycle' | 'correct-validator';

/**
 * Who holds the invoice while it is in this status, when someone must act: the supplier, its validator (a
 * subcontracted invoice), or, for a works document, the project manager (MOE) or the contracting authority (MOA).
 */
export const WAITING_FOR = ['supplier', 'validator', 'moe', 'moa'] as const;
export type WaitingFor = (typeof WAITING_FOR)[number];

export interface StatusMeaning {
  stage: Stage;
  final: boolean;
  action: SupplierAction | null;
  /** Who must act now; null when the invoice moves on by itself or the public side has it. */
  waitingFor: WaitingFor | null;
}

const S = (
  stage: Stage,
  final = false,
  action: SupplierAction | null = null,
  waitingFor: WaitingFor | null = action ? 'supplier' : null,
): StatusMeaning => ({
  stage,
  final,
  action,
  waitingFor,
});

export const STATUS_MODEL: Record<InvoiceStatus, StatusMeaning> = {
  BROUILLON: S('deposited'),
  DEPOSEE: S('deposited'),
  EN_COURS_ACHEMINEMENT: S('deposited'),
  INTERPRETEE_OCR: S('deposited'),
  EN_COURS_TRAITEMENT_PIVOT_S: S('deposited'),
  ASSOCIEE: S('deposited'),
  TECHNIQUE_INCONNU: S('deposited'),
  // Validation circuits (frames A2, A9, A12) and works invoices (MOE: project manager, MOA: contracting authority).
  // _1 is the first validator (the holder, or a co-contractor for its subcontractor), _2 the group's representative;
  // the validator has 15 days, and its silence validates (ABSENCE_VALIDATION_*_HORS_DELAI: docs/chorus-pro-notes.md,
  // "The validation circuit").
  A_VALIDER_1: S('deposited', false, null, 'validator'),
  A_VALIDER_2: S('deposited', false, null, 'validator'),
  VALIDEE_1: S('deposited'),
  VALIDEE_2: S('deposited'),
  // Works documents (docs/chorus-pro-notes.md, "Works documents"; the transitions are inferred from the names): the MOE
  // reviews the supplier's draft within 7 days of MISE_A_DISPOSITION_MOE, then the MOA takes it into account and pays.
  A_VALIDER_MOE: S('deposited', false, null, 'moe'),
  A_ASSOCIER_MOE: S('deposited', false, null, 'moe'),
  A_ASSOCIER_MOA: S('deposited', false, null, 'moa'),
  A_ASSOCIER_FOURNISSEUR: S('deposited', false, null, 'supplier'),
  TRANSMISE_MOA: S('deposited', false, null, 'moa'),
  DUPLIQUE_APRES_REFUS: S('deposited'),
  ABSENCE_VALIDATION_1_HORS_DELAI: S('on_hold'),
  ABSENCE_VALIDATION_2_HORS_DELAI: S('on_hold'),
  // The supplier (or the co-contractor) named the wrong validator: it corrects it.
  ERREUR_FOURNISSEUR_SUR_VALIDEUR: S('on_hold', false, 'correct-validator'),
  ERREUR_COTRAITANT_SUR_VALIDEUR: S('on_hold', false, 'correct-validator'),
  // A party declared a routing or party error on a works document: the document must be recycled by its depositor
  // (docs/chorus-pro-notes.md, "Works documents"; recyclerFactureTravaux on "ERREUR MOA"); the MOE's own error on the
  // MOA is the MOE's.
  ERREUR_FOURNISSEUR_SUR_MOE: S('on_hold', false, null, 'supplier'),
  ERREUR_MOE_SUR_FOURNISSEUR: S('on_hold', false, null, 'supplier'),
  ERREUR_MOA_SUR_FOURNISSEUR: S('on_hold', false, null, 'supplier'),
  ERREUR_FOURNISSEUR_SUR_MOA: S('on_hold', false, null, 'supplier'),
  ERREUR_MOE_SUR_MOA: S('on_hold', false, null, 'moe'),
  ERREUR_DESTINATAIRE_PD: S('on_hold', false, null, 'supplier'),
  ERREUR_DESTINATAIRE_EA: S('on_hold', false, null, 'supplier'),
  ERREUR_DE_MOE: S('on_hold', false, null, 'supplier'),
  ERREUR_DE_MOA: S('on_hold', false, null, 'supplier'),
  NON_CONFORME: S('on_hold'),
  // The recipient waits for the supplier.
  SUSPENDUE: S('on_hold', false, 'complete'),
  A_COMPLETER: S('on_hold', false, 'complete'),
  COMPLETEE: S('on_hold'),
  A_RECYCLER: S('on_hold', false, 'recycle'),
  EN_ATTENTE_RECYCLAGE_FOURNISSEUR: S('on_hold', false, 'recycle'),
  // Refused: the number is spent; a corrected invoice needs a new one.
  REJETEE: S('rejected', true, 'issue-corrected-invoice'),
  REFUSEE_1: S('rejected', true, 'issue-corrected-invoice'),
  REFUSEE_2: S('rejected', true, 'issue-corrected-invoice'),
  REFUSEE_MOE: S('rejected', true, 'issue-corrected-invoice'),
  REFUSEE_MOA: S('rejected', true, 'issue-corrected-invoice'),
  REFUSEE_FOURNISSEUR: S('rejected', true),
  SERVICE_FAIT: S('accepted'),
  PRISE_EN_COMPTE_DESTINATAIRE: S('accepted'),
  PRISE_EN_COMPTE_MOE: S('accepted'),
  PRISE_EN_COMPTE_MOA: S('accepted'),
  MISE_A_DISPOSITION: S('made_available'),
  MISE_A_DISPOSITION_MOE: S('made_available', false, null, 'moe'),
  MISE_A_DISPOSITION_MOA: S('made_available', false, null, 'moa'),
  MANDATEE: S('in_payment'),
  MISE_A_DISPOSITION_COMPTABLE: S('in_payment'),
  COMPTABILISEE: S('in_payment'),
  MISE_EN_PAIEMENT: S('completed', true),
  REMPLACEE_PAR_A22: S('completed', true),
  ABANDONNEE: S('completed', true),
  SUPPRIMEE: S('completed', true),
};

/**
 * Statuses newer than our copy of the Swagger that other clients know (docs/chorus-pro-notes.md, "Works documents"):
 * the MOE let its regulatory delay pass; whether Chorus Pro then forwards the document to the MOA is unconfirmed.
 */
const NEWER_STATUSES: Record<string, StatusMeaning> = {
  ABSENCE_VALIDATION_MOE_DELAI_REGLEMENTAIRE: S('on_hold', false, null, 'moe'),
};

/**
 * The meaning of a raw status; null for a code Chorus Pro added after our enum and unknown to us (shown raw, never
 * guessed).
 */
export function meaningOf(status: string | null): StatusMeaning | null {
  if (status === null) return null;
  return (STATUS_MODEL as Record<string, StatusMeaning | undefined>)[status] ?? NEWER_STATUSES[status] ?? null;
}

/**
 * Each status in French words, as the code spells it (accents restored): what the portal's user reads beside our
 * stage, so that the stage "Mise en paiement" shown for `MANDATEE` says which step it is.
 */
export const STATUS_LABELS_FR: Record<InvoiceStatus, string> = {
  BROUILLON: 'Brouillon',
  A_VALIDER_1: 'À valider (1er valideur)',
  ERREUR_FOURNISSEUR_SUR_VALIDEUR: 'Erreur du fournisseur sur le valideur',
  REFUSEE_1: 'Refusée par le 1er valideur',
  VALIDEE_1: 'Validée par le 1er valideur',
  ABSENCE_VALIDATION_1_HORS_DELAI: 'Absence de validation (1er valideur) hors délai',
  A_VALIDER_2: 'À valider (2e valideur)',
  ERREUR_COTRAITANT_SUR_VALIDEUR: 'Erreur du cotraitant sur le valideur',
  REFUSEE_2: 'Refusée par le 2e valideur',
  VALIDEE_2: 'Validée par le 2e valideur',
  ABSENCE_VALIDATION_2_HORS_DELAI: 'Absence de validation (2e valideur) hors délai',
  DEPOSEE: 'Déposée',
  ERREUR_FOURNISSEUR_SUR_MOE: 'Erreur du fournisseur sur la MOE',
  EN_COURS_ACHEMINEMENT: 'En cours d’acheminement',
  MISE_A_DISPOSITION: 'Mise à disposition',
  A_RECYCLER: 'À recycler',
  SUSPENDUE: 'Suspendue',
  REJETEE: 'Rejetée',
  MANDATEE: 'Mandatée',
  MISE_EN_PAIEMENT: 'Mise en paiement',
  COMPTABILISEE: 'Comptabilisée',
  MISE_A_DISPOSITION_COMPTABLE: 'Mise à disposition du comptable',
  ABANDONNEE: 'Abandonnée',
  SUPPRIMEE: 'Supprimée',
  ASSOCIEE: 'Associée',
  EN_COURS_TRAITEMENT_PIVOT_S: 'En cours de traitement (pivot)',
  A_VALIDER_MOE: 'À valider par la MOE',
  REFUSEE_MOE: 'Refusée par la MOE',
  EN_ATTENTE_RECYCLAGE_FOURNISSEUR: 'En attente de recyclage par le fournisseur',
  ERREUR_MOE_SUR_FOURNISSEUR: 'Erreur de la MOE sur le fournisseur',
  ERREUR_MOA_SUR_FOURNISSEUR: 'Erreur de la MOA sur le fournisseur',
  INTERPRETEE_OCR: 'Interprétée (OCR)',
  COMPLETEE: 'Complétée',
  ERREUR_FOURNISSEUR_SUR_MOA: 'Erreur du fournisseur sur la MOA',
  ERREUR_MOE_SUR_MOA: 'Erreur de la MOE sur la MOA',
  ERREUR_DESTINATAIRE_PD: 'Erreur de destinataire (PD)',
  ERREUR_DESTINATAIRE_EA: 'Erreur de destinataire (EA)',
  SERVICE_FAIT: 'Service fait',
  NON_CONFORME: 'Non conforme',
  A_ASSOCIER_MOE: 'À associer par la MOE',
  ERREUR_DE_MOE: 'Erreur de MOE',
  MISE_A_DISPOSITION_MOE: 'Mise à disposition de la MOE',
  PRISE_EN_COMPTE_MOE: 'Prise en compte par la MOE',
  A_ASSOCIER_MOA: 'À associer par la MOA',
  ERREUR_DE_MOA: 'Erreur de MOA',
  REFUSEE_MOA: 'Refusée par la MOA',
  A_ASSOCIER_FOURNISSEUR: 'À associer par le fournisseur',
  REFUSEE_FOURNISSEUR: 'Refusée par le fournisseur',
  A_COMPLETER: 'À compléter',
  TRANSMISE_MOA: 'Transmise à la MOA',
  PRISE_EN_COMPTE_DESTINATAIRE: 'Prise en compte par le destinataire',
  REMPLACEE_PAR_A22: 'Remplacée par un A22',
  DUPLIQUE_APRES_REFUS: 'Dupliquée après refus',
  MISE_A_DISPOSITION_MOA: 'Mise à disposition de la MOA',
  PRISE_EN_COMPTE_MOA: 'Prise en compte par la MOA',
  TECHNIQUE_INCONNU: 'Technique inconnu',
};

const NEWER_STATUS_LABELS_FR: Record<keyof typeof NEWER_STATUSES, string> = {
  ABSENCE_VALIDATION_MOE_DELAI_REGLEMENTAIRE: 'Absence de validation de la MOE dans le délai réglementaire',
};

/** A status in French words; null for a code unknown to us (shown raw, never guessed). */
export function statusLabelOf(status: string | null): string | null {
  if (status === null) return null;
  return (
    (STATUS_LABELS_FR as Record<string, string | undefined>)[status] ??
    (NEWER_STATUS_LABELS_FR as Record<string, string | undefined>)[status] ??
    null
  );
}
