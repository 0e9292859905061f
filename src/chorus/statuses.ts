/** Chorus Pro's invoice statuses and flux states, as the official Swagger and the reference spell them. */
import { INVOICE_STATUSES, type InvoiceStatus } from './contract/vocabulary.js';

export { INVOICE_STATUSES, type InvoiceStatus };

/** `etatCourantDepotFlux` (consulterCRDetaille): where a deposited flux stands. */
export const FLUX_STATES = [
  'IN_RECU',
  'IN_TRAITE_SE_CPP',
  // Not in the reference's list of twelve; seen right after deposits by Pastell and live tests
  // (docs/chorus-pro-notes.md, "Fluxes and their report").
  'IN_DEPOT_PORTAIL_EN_ATTENTE_TRAITEMENT_SE_CPP',
  'IN_EN_ATTENTE_TRAITEMENT_CPP',
  'IN_EN_COURS_TRAITEMENT_CPP',
  'IN_EN_ATTENTE_RETRAITEMENT_CPP',
  'IN_INTEGRE',
  'IN_INTEGRE_PARTIEL',
  'IN_REJETE',
  'IN_INCIDENTE',
  'QP_RECEVABLE',
  'QP_RECEVABLE_AVEC_ERREUR',
  'QP_IRRECEVABLE',
] as const;
export type FluxState = (typeof FLUX_STATES)[number];

/** Once a flux is in one of these, its report will not change. */
export const FINAL_FLUX_STATES: readonly FluxState[] = [
  'IN_INTEGRE',
  'IN_INTEGRE_PARTIEL',
  'IN_REJETE',
  'IN_INCIDENTE',
  'QP_IRRECEVABLE',
];
