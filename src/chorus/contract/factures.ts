/** The Factures API (`/cpro/factures/v1/...`), from the official Swagger `swagger-factures.json`. */
import { z } from 'zod';
import {
  CADRES_FACTURATION,
  CADRES_FACTURATION_SOUMETTRE,
  FORMATS_DEPOT_PDF,
  INVOICE_STATUSES,
  INVOICE_TYPES,
  MODES_DEPOT_SOUMETTRE,
  MODES_PAIEMENT,
  SYNTAXE_FLUX,
  TYPES_TVA,
} from './vocabulary.js';
import { dateTime, double, envelope, int32, int64, listOf, request, response, TRI_SENS } from './common.js';

const MODES_DEPOT = [
  'SAISIE_WEB',
  'PORTAIL_PDF',
  'EDI_XML_STRUCT',
  'EDI_MIXTE',
  'EDI_PDF_ARCHIVE',
  'SAISIE_PORTAIL',
  'SAISIE_API',
  'DEPOT_PDF_PORTAIL',
  'DEPOT_PDF_SIGNE_PORTAIL',
  'DEPOT_PDF_API',
  'DEPOT_PDF_SIGNE_API',
  'EDI',
  'UPLOAD_PORTAIL',
  'UPLOAD_API',
  'EDI_NUMERISATION',
] as const;
const TRI_COLONNES_FACTURE = [
  'TypeDemandePaiement',
  'CodeFournisseur',
  'TypeIdentifiantFournisseur',
  'DesignationFournisseur',
  'CodeServiceFournisseur',
  'NomServiceFournisseur',
  'CodeDestinataire',
  'DesignationDestinataire',
  'CodeServiceExecutant',
  'NomServiceExecutant',
  'TypeFacture',
  'NumeroFacture',
  'DateFacture',
  'DateDepot',
  'MontantHT',
  'MontantTTC',
  'MontantAPayer',
  'Devise',
  'Statut',
  'NumeroMarche',
  'NumeroBonCommande',
  'NumeroFluxDepot',
  'TypeIdentifiantValideur1',
  'CodeValideur1',
  'RaisonSocialeValideur1',
  'NomValideur1',
  'PrenomValideur1',
  'DateValidation1',
  'TypeIdentifiantValideur2',
  'CodeValideur2',
  'RaisonSocialeValideur2',
  'NomValideur2',
  'PrenomValideur2',
  'DateValidation2',
  'NumeroFactureOrigine',
  'ModeDepot',
  'CoordBancairesFournisseurCleIban',
  'CoordBancairesFournisseurCleRib',
  'CoordBancairesFournisseurCodeBanque',
  'CoordBancairesFournisseurCodePays',
  'CoordBancairesFournisseurCompteBancaire',
  'CoordBancairesFournisseurNomCb',
  'AffactureurCode',
  'AffactureurTypeIdentifiant',
  'AffactureurRaisonSociale',
  'NomPrenomUtilisateurCreateur',
] as const;

/** `TriColonne` is an object with no declared properties in the Swagger. */
const triColonneGenerique = () => z.looseObject({});
/** The generic paging fields every `ParamRecherche*` object carries. */
const generic = {
  champsDeTri: triColonneGenerique(),
  ordreTriGenerique: z.enum(TRI_SENS),
  taillePageGenerique: int64(),
  indexPageGenerique: int64(),
};

// deposer/flux

export const deposerFluxRequest = request({
  idUtilisateurCourant: int64(),
  fichierFlux: z.string(),
  nomFichier: z.string(),
  syntaxeFlux: z.enum(SYNTAXE_FLUX),
  avecSignature: z.boolean(),
});
export const deposerFluxResponse = response({
  ...envelope,
  numeroFluxDepot: z.string(),
  dateDepot: dateTime(),
  syntaxeFlux: z.string(),
});

// rechercher/fournisseur

export const rechercherFactureParFournisseurRequest = request({
  idUtilisateurCourant: int64(),
  listeDestinataire: z.array(
    request({ idDestinataire: int64(), listeIdServiceExecutant: z.array(int64()), raisonSocialeStuctDmd: z.string() }),
  ),
  rechercheSirenDestinataire: z.boolean(),
  numeroFacture: z.string(),
  periodeDateDepotDu: dateTime(),
  periodeDateDepotAu: dateTime(),
  typeFacture: z.enum(INVOICE_TYPES),
  idFournisseur: int64(),
  idServiceFournisseur: int64(),
  idStructureValideur: int64(),
  cadreFacturation: z.enum(CADRES_FACTURATION),
  statutCourant: z.array(z.string()),
  periodeDateFactureDu: dateTime(),
  periodeDateFactureAu: dateTime(),
  montantHTMin: double(),
  montantHTMax: double(),
  montantTTCMin: double(),
  montantTTCMax: double(),
  montantApayerMin: double(),
  montantApayerMax: double(),
  coordonneeBancaire: int64(),
  idUtilisateurCreateur: z.array(int64()),
  numeroMarche: z.string(),
  numeroBonCommande: z.string(),
  numeroFactureOrigine: z.string(),
  modeDepot: z.enum(MODES_DEPOT),
  numeroFluxDepot: z.string(),
  rechercheFactureParFournisseur: request({
    nbResultatsMaximum: int64(),
    pageResultatDemandee: int64(),
    nbResultatsParPage: int64(),
    triSens: z.enum(TRI_SENS),
    triColonne: z.enum(TRI_COLONNES_FACTURE),
    ...generic,
  }),
  recupererTaille: z.boolean(),
  periodeDateHeureEtatCourantDu: dateTime(),
  periodeDateHeureEtatCourantAu: dateTime(),
  rejetTraite: z.boolean(),
});

export const parametresRetour = response({
  pageCourante: int32(),
  pages: int32(),
  nbResultatsParPage: int32(),
  total: int32(),
});

export const factureFournisseurItem = response(
  {
    identifiantFactureCPP: int64(),
    numeroFacture: z.string(),
    numeroFluxDepot: z.string(),
    statut: z.string(),
    dateHeureEtatCourant: dateTime(),
    commentaireEtatCourant: z.string(),
    typeFacture: z.string(),
    dateFacture: dateTime(),
    dateDepot: dateTime(),
    montantHT: double(),
    montantTTC: double(),
    montantAPayer: double(),
    devise: z.string(),
    codeFournisseur: z.string(),
    idDestinataire: int64(),
    codeDestinataire: z.string(),
    designationDestinataire: z.string(),
    idServiceExecutant: int64(),
    codeServiceExecutant: z.string(),
    numeroMarche: z.string(),
    numeroBonCommande: z.string(),
    rejetTraite: z.boolean(),
  },
  ['identifiantFactureCPP', 'statut'],
);
export const rechercherFactureParFournisseurResponse = response({
  ...envelope,
  parametresRetour,
  listeFactures: listOf(factureFournisseurItem),
});

// consulter/fournisseur

/**
 * The paging of an invoice's VAT summary, attachments and lines, as consulter/fournisseur and consulter/valideur take
 * them.
 */
const vatSummaryPaging = () =>
  request({
    pageResultatDemandeeListeRecapitulatifTVA: int32(),
    nbResultatsParPageListeListeRecapitulatifTVA: int32(),
    triSensListeRecapitulatifTVA: z.enum(TRI_SENS),
    triColonneListeRecapitulatifTVA: z.enum([
      'LigneTvaMontantTvaParTaux',
      'LigneTvaTauxRefCode',
      'LigneTvaTauxRefLibelle',
      'LigneTvaTauxRefValeur',
      'LigneTvaTauxManuel',
      'LigneTvaMontantBaseHtParTaux',
    ]),
    ...generic,
  });
const attachmentsPaging = () =>
  request({
    pageResultatDemandeeListePieceJointe: int64(),
    nbResultatsParPageListePieceJointe: int64(),
    triSensListePiecesJointes: z.enum(TRI_SENS),
    triColonneListePiecesJointes: z.enum([
      'PieceJointeTypeCode',
      'PieceJointeTypeLibelle',
      'PieceJointeDesignation',
      'PieceJointeNumeroLigneFacture',
      'PieceJointeExtension',
    ]),
    ...generic,
  });
const linesPaging = () =>
  request({
    pageResultatDemandeeLignesPoste: int32(),
    nbResultatsParPageLignesPoste: int32(),
    triSensListeLignesPoste: z.enum(TRI_SENS),
    triColonneListeLignesPoste: z.enum([
      'LignePosteNumero',
      'LignePosteReference',
      'LignePosteDenomination',
      'LignePosteQuantite',
      'LignePosteUniteCode',
      'LignePosteUniteLibelle',
      'LignePosteMontantUnitaireHT',
      'LignePosteMontantRemiseHT',
      'LignePosteTauxTva',
      'LignePosteTauxTvaManuel',
      'LignePosteMontantHtApresRemise',
      'LignePosteMontantTva',
      'LignePosteMontantTtcApresRemise',
    ]),
    ...generic,
  });

export const consulterFactureParFournisseurRequest = request({
  idUtilisateurCourant: int64(),
  identifiantFactureCPP: int64(),
  codeLangue: z.string(),
  getpLigneRecapTva: vatSummaryPaging(),
  getpListePiecesJointes: attachmentsPaging(),
  getpLignesPoste: linesPaging(),
});
export const consulterFactureParFournisseurResponse = response({
  ...envelope,
  facture: response({
    identifiantFactureCPP: int64(),
    numeroFacture: z.string(),
    statutFacture: z.string(),
    commentaire: z.string(),
    destinataire: response({ codeDestinataire: z.string(), codeServiceExecutant: z.string() }),
    references: response({ numeroBonCommande: z.string(), numeroMarche: z.string(), dateFacture: dateTime() }),
    montantTotal: response({ montantHtTotal: double(), montantTVA: double(), montantTtcTotal: double() }),
  }),
});

// consulter/historique

export const consulterHistoriqueFactureRequest = request({
  idUtilisateurCourant: int64(),
  idFacture: int64(),
  idEspace: int64(),
  nbResultatsMaximum: int32(),
  paramRechercheHistoStatuts: request({
    pageResultatDemandeeListeHistoStatut: int32(),
    nbResultatsParPageListeHistoStatut: int32(),
    triSensListeHistoStatut: z.enum(TRI_SENS),
    triColonneListeHistoStatut: z.enum([
      'HistoStatutCode',
      'HistoStatutDatePassage',
      'HistoStatutCommentaire',
      'HistoStatutUtilisateurPrenom',
      'HistoStatutUtilisateurNom',
      'HistoStatutUtilisateurEmail',
      'HistoStatutUtilisateurTelephone',
    ]),
    ...generic,
  }),
  paramRechercheHistoEvenementsComplementaires: request({
    pageResultatDemandeeListeHistoEvenement: int32(),
    nbResultatsParPageListeHistoEvenement: int32(),
    triSensListeHistoEvenement: z.enum(TRI_SENS),
    triColonneListeHistoEvenement: z.enum(['EvenementLibelle', 'EvenementQui', 'EvenementDateHeure']),
    ...generic,
  }),
  paramRechercheHistoActionsUtilisateurs: request({
    pageResultatDemandeeListeHistoAction: int32(),
    triSensListeHistoAction: z.enum(TRI_SENS),
    triColonneListeHistoAction: z.enum([
      'HistoActionDateHeure',
      'HistoActionCode',
      'HistoAction',
      'HistoActionUtilisateurPrenom',
      'HistoActionUtilisateurNom',
      'HistoActionUtilisateurEmail',
      'HistoActionUtilisateurTelephone',
    ]),
    ...generic,
    nbResultatsParPageListeHistoAction: int32(),
  }),
});
export const histoStatut = response(
  {
    histoStatutId: int64(),
    histoStatutCode: z.string(),
    histoStatutDatePassage: z.union([dateTime(), z.number()]),
    histoStatutCommentaire: z.string(),
  },
  ['histoStatutCode'],
);
export const consulterHistoriqueFactureResponse = response({
  ...envelope,
  idFacture: int64(),
  numeroFacture: z.string(),
  statutCourantCode: z.string(),
  historiquesDesStatuts: response({
    histoStatut: listOf(histoStatut),
    pageCouranteHistoStatut: int32(),
    pagesHistoStatut: int32(),
    nbResultatsParPageHistoStatut: int32(),
    totalHistoStatut: int32(),
  }),
});

/** The invoice references of recycler (`reference`) and soumettre (`references`): the same eight fields. */
const invoiceReferences = () =>
  request({
    deviseFacture: z.string(),
    typeFacture: z.enum(['AVOIR', 'FACTURE']),
    typeTva: z.enum(TYPES_TVA),
    motifExonerationTva: z.string(),
    numeroMarche: z.string(),
    numeroBonCommande: z.string(),
    numeroFactureOrigine: z.string(),
    modePaiement: z.enum(MODES_PAIEMENT),
  });

/** An additional attachment of completer and soumettre (soumettre adds its link id). */
const ADDITIONAL_ATTACHMENT = {
  pieceJointeComplementaireDesignation: z.string(),
  pieceJointeComplementaireType: z.string(),
  pieceJointeComplementaireNumeroLigneFacture: int32(),
  pieceJointeComplementaireId: int64(),
};

// recycler

export const recyclerFactureRequest = request({
  idUtilisateurCourant: int64(),
  identifiantFactureCPP: int64(),
  destinataire: request({ codeDestinataire: z.string(), codeServiceExecutant: z.string() }),
  commentaire: z.string(),
  reference: invoiceReferences(),
});
export const recyclerFactureResponse = response({
  ...envelope,
  identifiantFactureCPP: int64(),
  numeroFacture: z.string(),
  statutFacture: z.string(),
  dateDepot: dateTime(),
});

// completer

export const completerFactureRequest = request({
  idUtilisateurCourant: int64(),
  identifiantFactureCPP: int64(),
  pieceJointeComplementaire: z.array(request(ADDITIONAL_ATTACHMENT)),
  commentaire: z.string(),
});
export const completerFactureResponse = response({
  ...envelope,
  identifiantFactureCPP: int64(),
  numeroFacture: z.string(),
  dateTraitement: dateTime(),
});

// traiter/recue: the recipient's side, used by the simulator's back door

export const traiterFactureRecueRequest = request({
  idUtilisateurCourant: int64(),
  idFacture: int64(),
  nouveauStatut: z.enum(INVOICE_STATUSES),
  motif: z.string(),
  numeroDPMandat: z.string(),
});
export const traiterFactureRecueResponse = response({
  ...envelope,
  idFacture: int64(),
  numeroFacture: z.string(),
  dateTraitement: dateTime(),
  nouveauStatut: z.string(),
});

// deposer/pdf: a PDF that Chorus Pro reads (OCR); the invoice waits as INTERPRETEE_OCR until soumettre

export const deposerPdfRequest = request({
  idUtilisateurCourant: int64(),
  fichierFacture: z.string(),
  nomFichier: z.string(),
  formatDepot: z.enum(FORMATS_DEPOT_PDF),
});
/** What Chorus Pro read in the PDF. The Swagger lists no codeRetour here (a loose object keeps one if it comes). */
export const deposerPdfResponse = response({
  numeroFacture: z.string(),
  dateFacture: dateTime(),
  codeDestinataire: z.string(),
  codeServiceExecutant: z.string(),
  codeFournisseur: z.string(),
  codeDeviseFacture: z.string(),
  typeFacture: z.string(),
  typeTva: z.string(),
  numeroBonCommande: z.string(),
  montantTtcAvantRemiseGlobalTTC: double(),
  montantAPayer: double(),
  montantHtTotal: double(),
  montantTVA: double(),
  pieceJointeId: int64(),
});

// soumettre: one invoice from data (SAISIE_API) or from a PDF deposited before (DEPOT_PDF_API)

export const soumettreRequest = request({
  idUtilisateurCourant: int64(),
  modeDepot: z.enum(MODES_DEPOT_SOUMETTRE),
  numeroFactureSaisi: z.string(),
  dateFacture: dateTime(),
  destinataire: request({ codeDestinataire: z.string(), codeServiceExecutant: z.string() }),
  fournisseur: request({
    idFournisseur: int64(),
    idServiceFournisseur: int64(),
    codeCoordonneesBancairesFournisseur: int64(),
  }),
  cadreDeFacturation: request({
    codeCadreFacturation: z.enum(CADRES_FACTURATION_SOUMETTRE),
    codeStructureValideur: z.string(),
    codeServiceValideur: z.string(),
  }),
  references: invoiceReferences(),
  lignePoste: z.array(
    request({
      lignePosteNumero: int32(),
      lignePosteReference: z.string(),
      lignePosteDenomination: z.string(),
      lignePosteQuantite: double(),
      lignePosteUnite: z.string(),
      lignePosteMontantUnitaireHT: double(),
      lignePosteMontantRemiseHT: double(),
      lignePosteTauxTva: z.string(),
      lignePosteTauxTvaManuel: double(),
    }),
  ),
  ligneTva: z.array(
    request({
      ligneTvaTaux: z.string(),
      ligneTvaMontantBaseHtParTaux: double(),
      ligneTvaMontantTvaParTaux: double(),
      ligneTvaTauxManuel: double(),
    }),
  ),
  montantTotal: request({
    montantHtTotal: double(),
    montantTVA: double(),
    montantTtcTotal: double(),
    montantRemiseGlobaleTTC: double(),
    motifRemiseGlobaleTTC: z.string(),
    montantAPayer: double(),
  }),
  /** An object in the Swagger; one client sends an array (unconfirmed): we send the Swagger's object. */
  pieceJointePrincipale: request({ pieceJointePrincipaleDesignation: z.string(), pieceJointePrincipaleId: int64() }),
  pieceJointeComplementaire: z.array(
    request({ ...ADDITIONAL_ATTACHMENT, pieceJointeComplementaireIdLiaison: int64() }),
  ),
  commentaire: z.string(),
});
export const soumettreResponse = response({
  ...envelope,
  identifiantFactureCPP: int64(),
  numeroFacture: z.string(),
  statutFacture: z.string(),
  dateDepot: dateTime(),
  identifiantStructure: z.string(),
  empreinteCertificatDepot: z.string(),
});

// The validator's side (sub-contracting and co-contracting, frames A9 and A12): docs/chorus-pro-notes.md, "The
// validation circuit"

const VALIDATOR_SORT_COLUMNS = [
  'IdFacture',
  'TypeDemandePaiement',
  'IdFournisseur',
  'IdentifiantFournisseur',
  'TypeIdentifiantFournisseur',
  'DesignationFournisseur',
  'CodeServiceFournisseur',
  'NomServiceFournisseur',
  'IdMoe',
  'TypeIdentifiantMoe',
  'IdentifiantMoe',
  'DesignationMoe',
  'IdServiceMoe',
  'CodeServiceMoe',
  'NomServiceMoe',
  'IdMoa',
  'TypeIdentifiantMoa',
  'IdentifiantMoa',
  'DesignationMoa',
  'IdServiceMoa',
  'CodeServiceMoa',
  'NomServiceMoa',
  'IdDestinataire',
  'TypeIdentifiantDestinataire',
  'IdentifiantDestinataire',
  'DesignationDestinataire',
  'IdServiceExecutant',
  'CodeServiceExecutant',
  'NomServiceExecutant',
  'IdValideur',
  'TypeIdentifiantValideur',
  'IdentifiantValideur',
  'DesignationValideur',
  'TypeFacture',
  'TypeFactureTravaux',
  'NumeroFacture',
  'DateFacture',
  'DateDepot',
  'MontantHT',
  'MontantTTC',
  'MontantAPayer',
  'Devise',
  'Statut',
  'NumeroMarche',
  'NumeroEngagement',
] as const;
const TYPES_IDENTIFIANT = ['SIRET', 'UE_HORS_FRANCE', 'HORS_UE', 'RIDET', 'TAHITI', 'AUTRE', 'PARTICULIER'] as const;

export const rechercherFactureATraiterParValideurRequest = request({
  idUtilisateurCourant: int64(),
  idStructure: int64(),
  typeIdentifiantStructure: z.enum(TYPES_IDENTIFIANT),
  identifiantStructure: z.string(),
  pagination: request({
    pageResultatDemandee: int64(),
    nbResultatsParPage: int64(),
    triSens: z.enum(TRI_SENS),
    triColonne: z.enum(VALIDATOR_SORT_COLUMNS),
    ...generic,
  }),
});
export const factureValideurItem = response(
  {
    idFacture: int64(),
    typeDemandePaiement: z.string(),
    identifiantFournisseur: z.string(),
    designationFournisseur: z.string(),
    identifiantDestinataire: z.string(),
    designationDestinataire: z.string(),
    codeServiceExecutant: z.string(),
    idValideur: int64(),
    identifiantValideur: z.string(),
    typeFacture: z.string(),
    numeroFacture: z.string(),
    dateFacture: dateTime(),
    dateDepot: dateTime(),
    devise: z.string(),
    statut: z.string(),
    numeroMarche: z.string(),
    numeroEngagement: z.string(),
  },
  ['idFacture'],
);
export const rechercherFactureATraiterParValideurResponse = response({
  ...envelope,
  parametresRetour,
  listeFactures: listOf(factureValideurItem),
});

/** The same paging objects as consulter/fournisseur, under other names. */
export const consulterFactureParValideurRequest = request({
  idUtilisateurCourant: int64(),
  identifiantFactureCPP: int64(),
  codeLangue: z.string(),
  rechercheLigneTvaRecap: vatSummaryPaging(),
  recherchePj: attachmentsPaging(),
  rechercheLignePoste: linesPaging(),
});
export const consulterFactureParValideurResponse = response({
  ...envelope,
  facture: response({
    identifiantFactureCPP: int64(),
    numeroFacture: z.string(),
    statutFacture: z.string(),
    montantTotal: response({ montantHtTotal: double(), montantTtcTotal: double(), montantAPayer: double() }),
    cadreDeFacturation: response({
      codeCadreFacturation: z.string(),
      idValideur1: int64(),
      codeValideur1: z.string(),
      dateValidation1: dateTime(),
      idValideur2: int64(),
      codeValideur2: z.string(),
      dateValidation2: dateTime(),
    }),
  }),
});

/**
 * `action` and `typeValideur` are plain strings in the Swagger; the values are documented nowhere official.
 * We send go-choruspro's `VALIDATION` and `REFUS` (docs/chorus-pro-notes.md, "The validation circuit") and leave
 * `typeValideur` out.
 */
export const traiterFactureAValiderRequest = request({
  idFacture: int64(),
  action: z.string(),
  typeValideur: z.string(),
  idValideur: int64(),
  motifRefus: z.string(),
  complementInfo: z.string(),
});
export const traiterFactureAValiderResponse = response({
  ...envelope,
  idFacture: int64(),
  numeroFacture: z.string(),
  dateTraitement: dateTime(),
  statutFacture: z.string(),
});

export const corrigerValideurFactureRequest = request({
  idFacture: int64(),
  idStructure: int64(),
  typeIdentifiantStructure: z.enum(TYPES_IDENTIFIANT),
  identifiantStructure: z.string(),
});
export const corrigerValideurFactureResponse = response({
  ...envelope,
  idFacture: int64(),
});
