/**
 * The Transverses endpoints we use. No official Swagger exists for them: fields come from the reference
 * (community pages and production clients): docs/chorus-pro-notes.md, "Fluxes and their report", and "Transverses and
 * engagements".
 */
import { z } from 'zod';
import { dateTime, envelope, int64, listOf, request, response } from './common.js';

export const consulterCRDetailleRequest = request({
  numeroFluxDepot: z.string(),
  /** Sent by some clients, not by the production ones: optional. */
  syntaxeFlux: z.string(),
  idUtilisateurCourant: int64(),
});
export const erreurDP = response({
  identifiantFournisseur: z.string(),
  identifiantDestinataire: z.string(),
  numeroDP: z.string(),
  libelleErreurDP: z.string(),
});
export const erreurTechnique = response({
  codeErreur: z.string(),
  libelleErreur: z.string(),
  natureErreur: z.string(),
});
export const consulterCRDetailleResponse = response({
  ...envelope,
  numeroFluxDepot: z.string(),
  codeInterfaceDepotFlux: z.string(),
  dateDepotFlux: dateTime(),
  dateHeureEtatCourantFlux: dateTime(),
  etatCourantDepotFlux: z.string(),
  nomFichier: z.string(),
  listeErreurDP: listOf(erreurDP),
  listeErreurTechnique: listOf(erreurTechnique),
});

export const recupererStructuresActivesFournisseurRequest = request({ idUtilisateurCourant: int64() });
export const recupererStructuresActivesFournisseurResponse = response({
  ...envelope,
  listeStructures: listOf(
    response({ idStructureCPP: int64(), identifiant: z.string(), designationStructure: z.string() }, [
      'idStructureCPP',
    ]),
  ),
});

/** `ajouter/fichier`: an attachment uploaded before it is referred to by id (completer, soumettre). Max 10 Mo. */
export const ajouterFichierRequest = request({
  pieceJointeFichier: z.string(),
  pieceJointeNom: z.string().max(50),
  pieceJointeTypeMime: z.string(),
  pieceJointeExtension: z.string(),
  idUtilisateurCourant: int64(),
});
export const ajouterFichierResponse = response({ ...envelope, pieceJointeId: int64() });

/**
 * `recuperer/formatflux` (body `{}`): the flux formats the account may deposit, `listeFormatFlux[{formatFlux}]`
 * (docs/chorus-pro-notes.md, "Transverses and engagements"). Asked at run time for works documents, whose E4/E5 codes
 * are unconfirmed.
 */
export const recupererFormatFluxRequest = request({});
export const recupererFormatFluxResponse = response({
  ...envelope,
  listeFormatFlux: listOf(response({ formatFlux: z.string() })),
});

/**
 * `recuperer/cadrefacturation {typeDemandePaiement}`: the billing frames of a type of payment request (FACTURE gives
 * A1, A2, A9, A12: docs/chorus-pro-notes.md, "Transverses and engagements"). The answer's list name is unconfirmed:
 * `listeCadreFacturation` with `codeCadreFacturation` items, as the other `recuperer/*` lists are named.
 */
export const recupererCadreFacturationRequest = request({ typeDemandePaiement: z.string() });
export const recupererCadreFacturationResponse = response({
  ...envelope,
  listeCadreFacturation: listOf(response({ codeCadreFacturation: z.string() })),
});
