/**
 * Every Chorus Pro endpoint we call, in one table: its path, its request and response schemas, and the
 * official Swagger definitions they come from (checked by test/unit/chorus-contract.test.ts).
 */
import type { z } from 'zod';
import * as f from './factures.js';
import * as s from './structures.js';
import * as t from './transverses.js';
import * as e from './engagements.js';

export type ChorusApi = 'factures' | 'structures' | 'transverses' | 'engagementsJuridiques';

export interface Endpoint<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  api: ChorusApi;
  path: string;
  request: Req;
  response: Res;
  /** Definitions in the official Swagger; null for Transverses and Engagements, which have none here. */
  swagger: { request: string; response: string } | null;
  /** Writes: `GCU_MSG_01_000` on success; reads of Transverses: `TRA_MSG_00.000`. */
  successLibelle: string;
}

function endpoint<Req extends z.ZodType, Res extends z.ZodType>(e: Endpoint<Req, Res>): Endpoint<Req, Res> {
  return e;
}

export const ENDPOINTS = {
  deposerFlux: endpoint({
    api: 'factures',
    path: '/cpro/factures/v1/deposer/flux',
    request: f.deposerFluxRequest,
    response: f.deposerFluxResponse,
    swagger: { request: 'DeposerFluxFactureParam', response: 'WsRetourDeposerFluxFacture' },
    successLibelle: 'GCU_MSG_01_000',
  }),
  deposerPdf: endpoint({
    api: 'factures',
    path: '/cpro/factures/v1/deposer/pdf',
    request: f.deposerPdfRequest,
    response: f.deposerPdfResponse,
    swagger: { request: 'DeposerPdfFactureParam', response: 'WsRetourDeposerPdfFacture' },
    successLibelle: 'GCU_MSG_01_000',
  }),
  soumettre: endpoint({
    api: 'factures',
    path: '/cpro/factures/v1/soumettre',
    request: f.soumettreRequest,
    response: f.soumettreResponse,
    swagger: { request: 'SoumettreFactureParam', response: 'WsRetourSoumettreFacture' },
    successLibelle: 'GCU_MSG_01_000',
  }),
  rechercherFactureParFournisseur: endpoint({
    api: 'factures',
    path: '/cpro/factures/v1/rechercher/fournisseur',
    request: f.rechercherFactureParFournisseurRequest,
    response: f.rechercherFactureParFournisseurResponse,
    swagger: { request: 'RechercherFactureParFournisseurParam', response: 'WsRetourRechercherFactureParFournisseur' },
    successLibelle: 'GCU_MSG_01_000',
  }),
  consulterFactureParFournisseur: endpoint({
    api: 'factures',
    path: '/cpro/factures/v1/consulter/fournisseur',
    request: f.consulterFactureParFournisseurRequest,
    response: f.consulterFactureParFournisseurResponse,
    swagger: { request: 'ConsulterFactureParFournisseurParam', response: 'WsRetourFacturesEmises' },
    successLibelle: 'GCU_MSG_01_000',
  }),
  consulterHistoriqueFacture: endpoint({
    api: 'factures',
    path: '/cpro/factures/v1/consulter/historique',
    request: f.consulterHistoriqueFactureRequest,
    response: f.consulterHistoriqueFactureResponse,
    swagger: { request: 'ConsulterHistoriqueFactureParam', response: 'WsRetourConsulterHistoriqueFacture' },
    successLibelle: 'GCU_MSG_01_000',
  }),
  recyclerFacture: endpoint({
    api: 'factures',
    path: '/cpro/factures/v1/recycler',
    request: f.recyclerFactureRequest,
    response: f.recyclerFactureResponse,
    swagger: { request: 'RecyclerFactureParam', response: 'WsRetourRecyclerFacture' },
    successLibelle: 'GCU_MSG_01_000',
  }),
  completerFacture: endpoint({
    api: 'factures',
    path: '/cpro/factures/v1/completer',
    request: f.completerFactureRequest,
    response: f.completerFactureResponse,
    swagger: { request: 'CompleterFactureParam', response: 'WsRetourCompleterFacture' },
    successLibelle: 'GCU_MSG_01_000',
  }),
  traiterFactureRecue: endpoint({
    api: 'factures',
    path: '/cpro/factures/v1/traiter/recue',
    request: f.traiterFactureRecueRequest,
    response: f.traiterFactureRecueResponse,
    swagger: { request: 'TraiterUneFactureRecueParam', response: 'WsRetourTraiterFacture' },
    successLibelle: 'GCU_MSG_01_000',
  }),
  rechercherFactureATraiterParValideur: endpoint({
    api: 'factures',
    path: '/cpro/factures/v1/rechercher/aTraiter/valideur',
    request: f.rechercherFactureATraiterParValideurRequest,
    response: f.rechercherFactureATraiterParValideurResponse,
    swagger: {
      request: 'RechercherFactureATraiterParValideurParam',
      response: 'WsRetourRechercherFactureATraiterParValideur',
    },
    successLibelle: 'GCU_MSG_01_000',
  }),
  consulterFactureParValideur: endpoint({
    api: 'factures',
    path: '/cpro/factures/v1/consulter/valideur',
    request: f.consulterFactureParValideurRequest,
    response: f.consulterFactureParValideurResponse,
    swagger: { request: 'ConsulterFactureParValideurParam', response: 'WsRetourFacturesEmises' },
    successLibelle: 'GCU_MSG_01_000',
  }),
  traiterFactureAValider: endpoint({
    api: 'factures',
    path: '/cpro/factures/v1/traiter/factureAValider',
    request: f.traiterFactureAValiderRequest,
    response: f.traiterFactureAValiderResponse,
    swagger: { request: 'TraiterFactureAValiderParam', response: 'WsRetourTraiterFactureAValider' },
    successLibelle: 'GCU_MSG_01_000',
  }),
  corrigerValideurFacture: endpoint({
    api: 'factures',
    path: '/cpro/factures/v1/corriger/valideur/facture',
    request: f.corrigerValideurFactureRequest,
    response: f.corrigerValideurFactureResponse,
    swagger: { request: 'CorrigerValideurFactureParam', response: 'WsRetourCorrigerValideurFacture' },
    successLibelle: 'GCU_MSG_01_000',
  }),
  rechercherStructure: endpoint({
    api: 'structures',
    path: '/cpro/structures/v1/rechercher',
    request: s.rechercherStructureRequest,
    response: s.rechercherStructureResponse,
    swagger: { request: 'RechercherStructureParam', response: 'WsRetourRechercherStructure' },
    successLibelle: 'GCU_MSG_01_000',
  }),
  consulterStructure: endpoint({
    api: 'structures',
    path: '/cpro/structures/v1/consulter',
    request: s.consulterStructureRequest,
    response: s.consulterStructureResponse,
    swagger: { request: 'ConsulterStructureAvecTVAIntraComParam', response: 'WsRetourConsulterStructureTVAIntraCom' },
    successLibelle: 'GCU_MSG_01_000',
  }),
  rechercherServicesStructure: endpoint({
    api: 'structures',
    path: '/cpro/structures/v1/rechercher/services',
    request: s.rechercherServicesStructureRequest,
    response: s.rechercherServicesStructureResponse,
    swagger: { request: 'RechercherServicesStructureParam', response: 'WsRetourRechercherServicesStructure' },
    successLibelle: 'GCU_MSG_01_000',
  }),
  consulterServiceStructure: endpoint({
    api: 'structures',
    path: '/cpro/structures/v1/consulter/service',
    request: s.consulterServiceStructureRequest,
    response: s.consulterServiceStructureResponse,
    swagger: { request: 'ConsulterServiceStructureParam', response: 'WsRetourConsulterServiceStructure' },
    successLibelle: 'GCU_MSG_01_000',
  }),
  consulterCRDetaille: endpoint({
    api: 'transverses',
    path: '/cpro/transverses/v1/consulterCRDetaille',
    request: t.consulterCRDetailleRequest,
    response: t.consulterCRDetailleResponse,
    swagger: null,
    successLibelle: 'TRA_MSG_00.000',
  }),
  recupererStructuresActivesFournisseur: endpoint({
    api: 'transverses',
    path: '/cpro/transverses/v1/recuperer/structures/actives/fournisseur',
    request: t.recupererStructuresActivesFournisseurRequest,
    response: t.recupererStructuresActivesFournisseurResponse,
    swagger: null,
    successLibelle: 'TRA_MSG_00.000',
  }),
  recupererFormatFlux: endpoint({
    api: 'transverses',
    path: '/cpro/transverses/v1/recuperer/formatflux',
    request: t.recupererFormatFluxRequest,
    response: t.recupererFormatFluxResponse,
    swagger: null,
    successLibelle: 'TRA_MSG_00.000',
  }),
  recupererCadreFacturation: endpoint({
    api: 'transverses',
    path: '/cpro/transverses/v1/recuperer/cadrefacturation',
    request: t.recupererCadreFacturationRequest,
    response: t.recupererCadreFacturationResponse,
    swagger: null,
    successLibelle: 'TRA_MSG_00.000',
  }),
  ajouterFichier: endpoint({
    api: 'transverses',
    path: '/cpro/transverses/v1/ajouter/fichier',
    request: t.ajouterFichierRequest,
    response: t.ajouterFichierResponse,
    swagger: null,
    successLibelle: 'GCU_MSG_01_000',
  }),
  rechercherEngagementJuridique: endpoint({
    api: 'engagementsJuridiques',
    path: '/cpro/engagementsJuridiques/v1/rechercher',
    request: e.rechercherEngagementJuridiqueRequest,
    response: e.rechercherEngagementJuridiqueResponse,
    swagger: null,
    successLibelle: 'GCU_MSG_01_000',
  }),
} as const;

export type EndpointName = keyof typeof ENDPOINTS;
export type RequestOf<N extends EndpointName> = z.input<(typeof ENDPOINTS)[N]['request']>;
export type ResponseOf<N extends EndpointName> = z.output<(typeof ENDPOINTS)[N]['response']>;

/** `GET`, with the same two auth headers; its body shape is unconfirmed, so only the HTTP status counts. */
export const HEALTH_CHECK_PATH = '/cpro/transverses/v1/health-check';
