/**
 * Chorus Pro codes that our users know by name, as the official Swagger spells them
 * (`swagger-factures.json`; a contract test compares these lists with it).
 */

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

/** What the bytes of a deposited file must look like for each `syntaxeFlux`. */
export type FileKind = 'pdf' | 'xml' | 'pdf-or-xml';
export function expectedFileKind(syntaxeFlux: SyntaxeFlux): FileKind {
  if (syntaxeFlux === 'IN_DP_E2_CII_FACTURX') return 'pdf';
  // The PDFARCHIVE ("MUG") variants are not documented well enough to know whether Chorus wants the PDF or the XML.
  if (syntaxeFlux.startsWith('IN_DP_PDFARCHIVE_')) return 'pdf-or-xml';
  return 'xml';
}

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

export const BILLING_FRAMES = CADRES_FACTURATION.map((code) => code.slice(0, code.indexOf('_'))) as readonly string[];
