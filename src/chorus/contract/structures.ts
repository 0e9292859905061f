/** The Structures API (`/cpro/structures/v1/...`), from the official Swagger `swagger-structures.json`. */
import { z } from 'zod';
import { dateTime, envelope, int64, listOf, request, response, TRI_SENS } from './common.js';
import { parametresRetour } from './factures.js';

const TYPES_IDENTIFIANT = ['SIRET', 'UE_HORS_FRANCE', 'HORS_UE', 'RIDET', 'TAHITI', 'AUTRE', 'PARTICULIER'] as const;

export const rechercherStructureRequest = request({
  parametres: request({
    nbResultatsParPage: int64(),
    pageResultatDemandee: int64(),
    triColonne: z.enum(['IdentifiantStructure', 'DesignationStructure', 'TypeIdentifiantStructure', 'Statut']),
    triSens: z.enum(TRI_SENS),
  }),
  restreindreStructuresPrivees: z.boolean(),
  structure: request({
    adresseCodePays: z.string(),
    adresseCodePostal: z.string(),
    adresseVille: z.string(),
    estMOA: z.boolean(),
    estMOAUniquement: z.boolean(),
    identifiantStructure: z.string(),
    libelleStructure: z.string(),
    nomStructure: z.string(),
    prenomStructure: z.string(),
    raisonSocialeStructure: z.string(),
    /** The filter says ACTIF/INACTIF; answers say ACTIVE/INACTIVE. */
    statutStructure: z.enum(['ACTIF', 'INACTIF']),
    typeIdentifiantStructure: z.enum(TYPES_IDENTIFIANT),
    typeStructure: z.enum(['PRIVEE', 'PUBLIQUE']),
  }),
});
export const structureItem = response(
  {
    idStructureCPP: int64(),
    identifiantStructure: z.string(),
    designationStructure: z.string(),
    statut: z.enum(['ACTIVE', 'INACTIVE']),
    typeIdentifiantStructure: z.enum(TYPES_IDENTIFIANT),
  },
  ['idStructureCPP'],
);
export const rechercherStructureResponse = response({
  ...envelope,
  listeStructures: listOf(structureItem),
  parametresRetour,
});

export const consulterStructureRequest = request({ codeLangue: z.string(), idStructureCPP: int64() });
export const structureParametres = response({
  codeServiceDoitEtreRenseigne: z.boolean(),
  numeroEJDoitEtreRenseigne: z.boolean(),
  gestionNumeroEJOuCodeService: z.boolean(),
  statutMiseEnPaiementNestPasRemonte: z.boolean(),
  connexionEDI: z.boolean(),
  estMoaUniquement: z.boolean(),
  estValideurDelegue: z.boolean(),
  getaMoa: z.boolean(),
  nonDiffusibleInsee: z.boolean(),
  recevoirDonneesViaEDI: z.boolean(),
});
export const consulterStructureResponse = response({
  ...envelope,
  informationGenerales: response({
    idStructureCPP: int64(),
    identifiantStructure: z.string(),
    typeIdentifiantStructure: z.enum(TYPES_IDENTIFIANT),
    raisonSocialeStructure: z.string(),
    dateExpirationMotPasseCompteTech: dateTime(),
  }),
  parametres: structureParametres,
});

export const rechercherServicesStructureRequest = request({
  idStructure: int64(),
  parametresRechercherServicesStructure: request({
    nbResultatsParPage: int64(),
    pageResultatDemandee: int64(),
    triColonne: z.enum(['CodeService', 'LibelleService', 'DateDbtService', 'DateFinService', 'EstActif']),
    triSens: z.enum(TRI_SENS),
  }),
});
export const serviceItem = response(
  {
    idService: int64(),
    codeService: z.string(),
    libelleService: z.string(),
    estActif: z.boolean(),
    statutService: z.string(),
  },
  ['idService', 'codeService'],
);
export const rechercherServicesStructureResponse = response({
  ...envelope,
  listeServices: listOf(serviceItem),
  parametresRetour,
});

export const consulterServiceStructureRequest = request({
  codeLangue: z.string(),
  idService: int64(),
  idStructure: int64(),
});
export const consulterServiceStructureResponse = response({
  ...envelope,
  informationsGenerales: response({
    codeService: z.string(),
    nomService: z.string(),
    descriptionService: z.string(),
  }),
  parametres: response({
    numeroEngagement: z.boolean(),
    miseEnPaiement: z.boolean(),
    dateDebutValidite: dateTime(),
    dateFinValidite: dateTime(),
  }),
});
