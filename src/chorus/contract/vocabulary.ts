/**
 * The enumerations of the official Chorus Pro Swagger (`swagger-factures.json`), as it spells them. They are
 * facts of the contract, shared by the client and the simulator; test/unit/chorus-contract.test.ts compares
 * each list with the Swagger.
 */

/** `WsRetourConsulterHistoriqueFacture.statutCourantCode`, in Swagger order. */
export const INVOICE_STATUSES = [
  'BROUILLON',
  'A_VALIDER_1',
  'ERREUR_FOURNISSEUR_SUR_VALIDEUR',
  'REFUSEE_1',
  'VALIDEE_1',
  'ABSENCE_VALIDATION_1_HORS_DELAI',
  'A_VALIDER_2',
  'ERREUR_COTRAITANT_SUR_VALIDEUR',
  'REFUSEE_2',
  'VALIDEE_2',
  'ABSENCE_VALIDATION_2_HORS_DELAI',
  'DEPOSEE',
  'ERREUR_FOURNISSEUR_SUR_MOE',
  'EN_COURS_ACHEMINEMENT',
  'MISE_A_DISPOSITION',
  'A_RECYCLER',
  'SUSPENDUE',
  'REJETEE',
  'MANDATEE',
  'MISE_EN_PAIEMENT',
  'COMPTABILISEE',
  'MISE_A_DISPOSITION_COMPTABLE',
  'ABANDONNEE',
  'SUPPRIMEE',
  'ASSOCIEE',
  'EN_COURS_TRAITEMENT_PIVOT_S',
  'A_VALIDER_MOE',
  'REFUSEE_MOE',
  'EN_ATTENTE_RECYCLAGE_FOURNISSEUR',
  'ERREUR_MOE_SUR_FOURNISSEUR',
  'ERREUR_MOA_SUR_FOURNISSEUR',
  'INTERPRETEE_OCR',
  'COMPLETEE',
  'ERREUR_FOURNISSEUR_SUR_MOA',
  'ERREUR_MOE_SUR_MOA',
  'ERREUR_DESTINATAIRE_PD',
  'ERREUR_DESTINATAIRE_EA',
  'SERVICE_FAIT',
  'NON_CONFORME',
  'A_ASSOCIER_MOE',
  'ERREUR_DE_MOE',
  'MISE_A_DISPOSITION_MOE',
  'PRISE_EN_COMPTE_MOE',
  'A_ASSOCIER_MOA',
  'ERREUR_DE_MOA',
  'REFUSEE_MOA',
  'A_ASSOCIER_FOURNISSEUR',
  'REFUSEE_FOURNISSEUR',
  'A_COMPLETER',
  'TRANSMISE_MOA',
  'PRISE_EN_COMPTE_DESTINATAIRE',
  'REMPLACEE_PAR_A22',
  'DUPLIQUE_APRES_REFUS',
  'MISE_A_DISPOSITION_MOA',
  'PRISE_EN_COMPTE_MOA',
  'TECHNIQUE_INCONNU',
] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

/** `DeposerFluxFactureParam.syntaxeFlux`: the 13 values `deposer/flux` accepts. */
export const SYNTAXE_FLUX = [
  'IN_DP_E1_UBL_INVOICE',
  'IN_DP_E1_CII',
  'IN_DP_E1_PES_FACTURE',
  'IN_DP_E1_XCBL',
  'IN_DP_E2_UBL_INVOICE_MIN',
  'IN_DP_E2_CII_MIN',
  'IN_DP_E2_PES_FACTURE_MIN',
  'IN_DP_E2_CPP_FACTURE_MIN',
  'IN_DP_PDFARCHIVE_UBL_INVOICE_MUG',
  'IN_DP_PDFARCHIVE_CII_MUG',
  'IN_DP_E1_CII_16B',
  'IN_DP_E2_CII_MIN_16B',
  'IN_DP_E2_CII_FACTURX',
] as const;
export type SyntaxeFlux = (typeof SYNTAXE_FLUX)[number];

/**
 * `WsRetourDeposerFluxFacture.syntaxeFlux`: what `deposer/flux` answers, the input list without the two PDFARCHIVE
 * values.
 */
export const SYNTAXE_FLUX_ANSWERED: readonly SyntaxeFlux[] = SYNTAXE_FLUX.filter(
  (value) => !value.startsWith('IN_DP_PDFARCHIVE_'),
);

/** `RechercherDemandePaiementParam.typeFacture`. */
export const INVOICE_TYPES = ['FACTURE', 'AVOIR', 'ACOMPTE'] as const;
export type InvoiceType = (typeof INVOICE_TYPES)[number];

/**
 * Cadres de facturation, `RechercherFactureParValideurParam.cadreFacturation` (A1 to A25).
 * Users and the portal name them by their prefix ("A1", "A9"...), so the API takes the prefix.
 */
export const CADRES_FACTURATION = [
  'A1_FACTURE_FOURNISSEUR',
  'A2_FACTURE_FOURNISSEUR_DEJA_PAYEE',
  'A3_MEMOIRE_JUSTICE',
  'A4_PROJET_DECOMPTE_MENSUEL_FOURNISSEUR',
  'A5_ETAT_ACOMPTE_FOURNISSEUR',
  'A6_ETAT_ACOMPTE_VALIDE_FOURNISSEUR',
  'A7_PROJET_DECOMPTE_FINAL_FOURNISSEUR',
  'A8_DECOMPTE_GENERAL_DEFINITIF_FOURNISSEUR',
  'A9_FACTURE_SOUSTRAITANT',
  'A10_PROJET_DECOMPTE_MENSUEL_SOUSTRAITANT',
  'A11_PROJET_DECOMPTE_FINAL_SOUSTRAITANT',
  'A12_FACTURE_COTRAITANT',
  'A13_PROJET_DECOMPTE_MENSUEL_COTRAITANT',
  'A14_PROJET_DECOMPTE_FINAL_COTRAITANT',
  'A15_ETAT_ACOMPTE_MOE',
  'A16_ETAT_ACOMPTE_VALIDE_MOE',
  'A17_PROJET_DECOMPTE_GENERAL_MOE',
  'A18_DECOMPTE_GENERAL_MOE',
  'A19_ETAT_ACOMPTE_VALIDE_MOA',
  'A20_DECOMPTE_GENERAL_MOA',
  'A21_DEMANDE_REMBOURSEMENT_TIC',
  'A22_PROJET_DECOMPTE_GENERAL_FOURNISSEUR_PROCEDURE_TACITE',
  'A23_DECOMPTE_GENERAL_DEFINITIF_TACITE_FOURNISSEUR',
  'A24_DECOMPTE_GENERAL_DEFINITIF_TACITE_MOE',
  'A25_DECOMPTE_GENERAL_DEFINITIF_MOE_PROCEDURE_TACITE',
] as const;
export type CadreFacturation = (typeof CADRES_FACTURATION)[number];

/**
 * `SoumettreFactureCadreDeFacturation.codeCadreFacturation`: the four frames an invoice submitted from data may use.
 */
export const CADRES_FACTURATION_SOUMETTRE = [
  'A1_FACTURE_FOURNISSEUR',
  'A2_FACTURE_FOURNISSEUR_DEJA_PAYEE',
  'A9_FACTURE_SOUSTRAITANT',
  'A12_FACTURE_COTRAITANT',
] as const;

/** `SoumettreFactureParam.modeDepot`: from data (SAISIE_API) or from a PDF read by Chorus Pro. */
export const MODES_DEPOT_SOUMETTRE = ['SAISIE_API', 'DEPOT_PDF_API', 'DEPOT_PDF_SIGNE_API'] as const;

/** `DeposerPdfFactureParam.formatDepot` */
export const FORMATS_DEPOT_PDF = ['PDF_NON_SIGNE', 'PDF_SIGNE_PADES', 'PDF_SIGNE_XADES'] as const;

/** `typeTva` of soumettre, deposer/pdf and recycler. */
export const TYPES_TVA = ['TVA_SUR_DEBIT', 'TVA_SUR_ENCAISSEMENT', 'EXONERATION', 'SANS_TVA'] as const;

/** `modePaiement` of soumettre and recycler. */
export const MODES_PAIEMENT = ['CHEQUE', 'PRELEVEMENT', 'VIREMENT', 'ESPECE', 'AUTRE', 'REPORT'] as const;
