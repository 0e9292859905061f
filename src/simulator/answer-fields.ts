/**
 * What production writes in each answer: every property its definition declares, `null` when unset (its Java
 * backend serialises them all). The property names and their nesting are the official Swagger's (the contract
 * test compares them); the Transverses and Engagements answers, which have no Swagger, list the fields the
 * reference pages show. `null` is a plain value, an object a nested definition, `[x]` a list of `x`.
 */
import type { EndpointName } from '../chorus/contract/endpoints.js';

export type Fields = { readonly [property: string]: Fields | readonly [Fields | null] | null };

const WsRetourDeposerFluxFacture: Fields = {
  codeRetour: null,
  libelle: null,
  numeroFluxDepot: null,
  dateDepot: null,
  syntaxeFlux: null,
};
const WsRetourDeposerPdfFacture: Fields = {
  numeroFacture: null,
  dateFacture: null,
  codeDestinataire: null,
  codeServiceExecutant: null,
  codeFournisseur: null,
  codeDeviseFacture: null,
  typeFacture: null,
  typeTva: null,
  numeroBonCommande: null,
  montantTtcAvantRemiseGlobalTTC: null,
  montantAPayer: null,
  montantHtTotal: null,
  montantTVA: null,
  pieceJointeId: null,
};
const WsRetourSoumettreFacture: Fields = {
  codeRetour: null,
  libelle: null,
  identifiantFactureCPP: null,
  numeroFacture: null,
  statutFacture: null,
  dateDepot: null,
  identifiantStructure: null,
  empreinteCertificatDepot: null,
};
const ParametresRetour: Fields = { nbResultatsParPage: null, pageCourante: null, pages: null, total: null };
const RetourRechercherFactureParFournisseur: Fields = {
  identifiantFactureCPP: null,
  typeDemandePaiement: null,
  codeFournisseur: null,
  typeIdentifiantFournisseur: null,
  designationFournisseur: null,
  codeServiceFournisseur: null,
  nomServiceFournisseur: null,
  idDestinataire: null,
  codeDestinataire: null,
  designationDestinataire: null,
  idServiceExecutant: null,
  codeServiceExecutant: null,
  nomServiceExecutant: null,
  typeFacture: null,
  numeroFacture: null,
  dateFacture: null,
  dateDepot: null,
  montantHT: null,
  montantTTC: null,
  montantAPayer: null,
  devise: null,
  statut: null,
  numeroMarche: null,
  numeroBonCommande: null,
  numeroFluxDepot: null,
  typeIdentifiantValideur1: null,
  codeValideur1: null,
  raisonSocialeValideur1: null,
  nomValideur1: null,
  prenomValideur1: null,
  dateValidation1: null,
  typeIdentifiantValideur2: null,
  codeValideur2: null,
  raisonSocialeValideur2: null,
  nomValideur2: null,
  prenomValideur2: null,
  dateValidation2: null,
  numeroFactureOrigine: null,
  modeDepot: null,
  coordBancairesFournisseurCleIban: null,
  coordBancairesFournisseurCleRib: null,
  coordBancairesFournisseurCodeBanque: null,
  coordBancairesFournisseurCodePays: null,
  coordBancairesFournisseurCompteBancaire: null,
  coordBancairesFournisseurNomCb: null,
  affactureurCode: null,
  affactureurTypeIdentifiant: null,
  affactureurRaisonSociale: null,
  nomPrenomUtilisateurCreateur: null,
  taille: null,
  dateHeureEtatCourant: null,
  commentaireEtatCourant: null,
  rejetTraite: null,
};
const WsRetourRechercherFactureParFournisseur: Fields = {
  codeRetour: null,
  libelle: null,
  parametresRetour: ParametresRetour,
  listeFactures: [RetourRechercherFactureParFournisseur],
};
const DestinataireFactureEmise: Fields = {
  idDestinataire: null,
  codeDestinataire: null,
  libelleDestinataire: null,
  idServiceExecutant: null,
  codeServiceExecutant: null,
  libelleServiceExecutant: null,
  miseEnPaiementDestinataire: null,
  adresseDestinataireId: null,
  adresseDestinataireDetail: null,
  adresseDestinataireComplement1: null,
  adresseDestinataireComplement2: null,
  adresseDestinataireCodePostal: null,
  adresseDestinataireVille: null,
  adresseDestinataireCodePays: null,
  adresseDestinataireLibellePays: null,
  designationDestinataire: null,
};
const Affactureur: Fields = {
  affactureurId: null,
  affactureurCode: null,
  affactureurTypeIdentifiant: null,
  affactureurRaisonSociale: null,
  affactureurCodePays: null,
};
const FournisseurFactureEmise: Fields = {
  idFournisseur: null,
  typeIdentifiantFournisseur: null,
  codeFournisseur: null,
  raisonSocialeFournisseur: null,
  nomFournisseur: null,
  prenomFournisseur: null,
  idServiceFournisseur: null,
  codeServiceFournisseur: null,
  libelleServiceFournisseur: null,
  adresseFournisseurId: null,
  adresseFournisseurDetail: null,
  adresseFournisseurComplement1: null,
  adresseFournisseurComplement2: null,
  adresseFournisseurCodePostal: null,
  adresseFournisseurVille: null,
  adresseFournisseurCodePays: null,
  adresseFournisseurLibellePays: null,
  numeroRcsFournisseur: null,
  coordBancairesFournisseurCleIban: null,
  coordBancairesFournisseurCleRib: null,
  coordBancairesFournisseurCodeBanque: null,
  coordBancairesCodeGuichet: null,
  coordBancairesBicSwift: null,
  coordBancairesFournisseurCodePays: null,
  coordBancairesFournisseurCompteBancaire: null,
  coordBancairesFournisseurId: null,
  coordBancairesFournisseurType: null,
  coordBancairesFournisseurLibelle: null,
  affactureur: Affactureur,
  designationFournisseur: null,
};
const CadreDeFacturationOutput: Fields = {
  codeCadreFacturation: null,
  idValideur1: null,
  typeIdentifiantValideur1: null,
  codeValideur1: null,
  raisonSocialeValideur1: null,
  nomValideur1: null,
  prenomValideur1: null,
  dateValidation1: null,
  idValideur2: null,
  typeIdentifiantValideur2: null,
  codeValideur2: null,
  raisonSocialeValideur2: null,
  nomValideur2: null,
  prenomValideur2: null,
  dateValidation2: null,
  idMoe: null,
  typeIdentifiantMoe: null,
  identifiantMoe: null,
  raisonSocialeMoe: null,
  nomMoe: null,
  prenomMoe: null,
  idServiceMoe: null,
  codeServiceMoe: null,
  nomServiceMoe: null,
  idMoa: null,
  typeIdentifiantMoa: null,
  identifiantMoa: null,
  raisonSocialeMoa: null,
  idServiceMoa: null,
  codeServiceMoa: null,
  nomServiceMoa: null,
  designationValideur2: null,
  designationMoe: null,
  designationMoa: null,
};
const References: Fields = {
  dateFacture: null,
  dateDepot: null,
  codeDeviseFacture: null,
  libelleDeviseFacture: null,
  typeFacture: null,
  typeFactureTravaux: null,
  typeTva: null,
  motifExonerationTva: null,
  libelleMotifExonerationTva: null,
  numeroMarche: null,
  numeroBonCommande: null,
  numeroFactureOrigine: null,
  modePaiement: null,
  dateCreationFacture: null,
  dateEcheancePaiement: null,
  tailleTotalePiecesJointes: null,
  numeroDpMandat: null,
};
const LigneTva: Fields = {
  ligneTvaTauxRefId: null,
  ligneTvaTauxRefCode: null,
  ligneTvaTauxRefLibelle: null,
  ligneTvaTauxRefValeur: null,
  ligneTvaTauxManuel: null,
  ligneTvaMontantBaseHtParTaux: null,
  ligneTvaMontantTvaParTaux: null,
};
const LignesTva: Fields = {
  ligneTva: [LigneTva],
  pageCouranteLignesRecapitulativesTVA: null,
  pagesLignesRecapitulativesTVA: null,
  nbResultatsParPageLignesRecapitulativesTVA: null,
  totalLignesRecapitulativesTVA: null,
};
const MontantTotal: Fields = {
  montantHtTotal: null,
  montantTVA: null,
  montantTtcAvantRemiseGlobalTTC: null,
  montantRemiseGlobaleTTC: null,
  motifRemiseGlobaleTTC: null,
  montantTtcTotal: null,
  montantAPayer: null,
};
const PiecejointePrincipale: Fields = { idLiaisonPieceJointePrincipale: null, idPieceJointePrincipale: null };
const PJointe: Fields = {
  pieceJointeTypeCode: null,
  pieceJointeTypeLibelle: null,
  pieceJointeDesignation: null,
  pieceJointeNumeroLigneFacture: null,
  pieceJointeIdLiaison: null,
  pieceJointeId: null,
  pieceJointeExtension: null,
};
const PiecesJointes: Fields = {
  pieceJointe: [PJointe],
  pageCouranteListePiecesJointe: null,
  pagesListePiecesJointe: null,
  nbResultatsParPageListePiecesJointe: null,
  totalListePiecesJointe: null,
};
const PiecePrecedente: Fields = {
  cadreFacturationPiecePrecedente: null,
  idPiecePrecedente: null,
  numeroPiecePrecedente: null,
  idDestinatairePiecePrecedente: null,
  identifiantDestinatairePiecePrecedente: null,
  raisonSocialeDestinatairePiecePrecedente: null,
  idServiceExecutantPiecePrecedente: null,
  codeServiceExecutantPiecePrecedente: null,
  nomServiceExecutantPiecePrecedente: null,
};
const PieceSuivante: Fields = { cadreFacturationPieceSuivante: null, idPieceSuivante: null, numeroPieceSuiante: null };
const LignePoste: Fields = {
  lignePosteNumero: null,
  lignePosteReference: null,
  lignePosteDenomination: null,
  lignePosteQuantite: null,
  lignePosteUniteCode: null,
  lignePosteUniteLibelle: null,
  lignePosteMontantUnitaireHT: null,
  lignePosteMontantRemiseHT: null,
  lignePosteTauxTva: null,
  lignePosteTauxTvaManuel: null,
  lignePosteMontantHtApresRemise: null,
  lignePosteMontantTva: null,
  lignePosteMontantTtcApresRemise: null,
};
const LignesPostes: Fields = {
  lignePoste: [LignePoste],
  pageCouranteLignesPoste: null,
  pagesLignesPoste: null,
  nbResultatsParPageLignesPoste: null,
  totalLignesPoste: null,
};
const FactureCppEmise: Fields = {
  identifiantFactureCPP: null,
  numeroFacture: null,
  statutFacture: null,
  modeDepot: null,
  rejetTraite: null,
  destinataire: DestinataireFactureEmise,
  fournisseur: FournisseurFactureEmise,
  cadreDeFacturation: CadreDeFacturationOutput,
  references: References,
  recapitulatifDeTva: LignesTva,
  montantTotal: MontantTotal,
  pieceJointePrincipale: PiecejointePrincipale,
  listeDesPiecesJointes: PiecesJointes,
  piecePrecedente: PiecePrecedente,
  pieceSuivante: PieceSuivante,
  lignesDePoste: LignesPostes,
  commentaire: null,
};
const WsRetourFacturesEmises: Fields = { codeRetour: null, libelle: null, facture: FactureCppEmise };
const HistoriqueStatus: Fields = {
  histoStatutId: null,
  histoStatutCode: null,
  histoStatutDatePassage: null,
  histoStatutCommentaire: null,
  histoStatutUtilisateurPrenom: null,
  histoStatutUtilisateurNom: null,
  histoStatutUtilisateurEmail: null,
  histoStatutUtilisateurTelephone: null,
};
const HistoriquesStatus: Fields = {
  histoStatut: [HistoriqueStatus],
  pageCouranteHistoStatut: null,
  pagesHistoStatut: null,
  nbResultatsParPageHistoStatut: null,
  totalHistoStatut: null,
};
const HistoriqueEvenement: Fields = {
  evenementId: null,
  evenementLibelle: null,
  evenementQui: null,
  evenementDateHeure: null,
};
const HistoriquesEvenements: Fields = {
  evenement: [HistoriqueEvenement],
  pageCouranteEvenement: null,
  pagesEvenement: null,
  nbResultatsParPageEvenement: null,
  totalEvenement: null,
};
const HistoriqueActionUtilisateur: Fields = {
  histoActionId: null,
  histoActionCode: null,
  histoActionDateHeure: null,
  histoActionUtilisateurPrenom: null,
  histoActionUtilisateurNom: null,
  histoActionUtilisateurEmail: null,
  histoActionUtilisateurTelephone: null,
};
const HistoriquesActionsUtilisateurs: Fields = {
  histoAction: [HistoriqueActionUtilisateur],
  pageCouranteHistoAction: null,
  pagesHistoAction: null,
  nbResultatsParPageHistoAction: null,
  totalHistoAction: null,
};
const DerniereAction: Fields = { derniereActionId: null, derniereActionCode: null };
const WsRetourConsulterHistoriqueFacture: Fields = {
  codeRetour: null,
  libelle: null,
  idFacture: null,
  numeroFacture: null,
  modeDepot: null,
  statutCourantCode: null,
  historiquesDesStatuts: HistoriquesStatus,
  historiquesDesEvenementsComplementaires: HistoriquesEvenements,
  historiquesDesActionsUtilisateurs: HistoriquesActionsUtilisateurs,
  derniereAction: DerniereAction,
};
const WsRetourRecyclerFacture: Fields = {
  codeRetour: null,
  libelle: null,
  identifiantFactureCPP: null,
  numeroFacture: null,
  statutFacture: null,
  dateDepot: null,
};
const WsRetourCompleterFacture: Fields = {
  codeRetour: null,
  libelle: null,
  pageCourante: null,
  pages: null,
  nbResultatsParPage: null,
  total: null,
  identifiantFactureCPP: null,
  numeroFacture: null,
  dateTraitement: null,
};
const WsRetourTraiterFacture: Fields = {
  codeRetour: null,
  libelle: null,
  idFacture: null,
  numeroFacture: null,
  dateTraitement: null,
  nouveauStatut: null,
};
const FactureRechercheValideur: Fields = {
  idFacture: null,
  typeDemandePaiement: null,
  idFournisseur: null,
  identifiantFournisseur: null,
  typeIdentifiantFournisseur: null,
  designationFournisseur: null,
  codeServiceFournisseur: null,
  nomServiceFournisseur: null,
  idMoe: null,
  typeIdentifiantMoe: null,
  identifiantMoe: null,
  designationMoe: null,
  idServiceMoe: null,
  codeServiceMoe: null,
  nomServiceMoe: null,
  idMoa: null,
  typeIdentifiantMoa: null,
  identifiantMoa: null,
  designationMoa: null,
  idServiceMoa: null,
  codeServiceMoa: null,
  nomServiceMoa: null,
  idDestinataire: null,
  typeIdentifiantDestinataire: null,
  identifiantDestinataire: null,
  designationDestinataire: null,
  idServiceExecutant: null,
  codeServiceExecutant: null,
  nomServiceExecutant: null,
  idValideur: null,
  typeIdentifiantValideur: null,
  identifiantValideur: null,
  designationValideur: null,
  typeFacture: null,
  typeFactureTravaux: null,
  numeroFacture: null,
  dateFacture: null,
  dateDepot: null,
  montantHT: null,
  montantTTC: null,
  montantAPayer: null,
  devise: null,
  statut: null,
  numeroMarche: null,
  numeroEngagement: null,
};
const WsRetourRechercherFactureATraiterParValideur: Fields = {
  codeRetour: null,
  libelle: null,
  parametresRetour: ParametresRetour,
  listeFactures: [FactureRechercheValideur],
};
const WsRetourTraiterFactureAValider: Fields = {
  codeRetour: null,
  libelle: null,
  idFacture: null,
  numeroFacture: null,
  dateTraitement: null,
  statutFacture: null,
};
const WsRetourCorrigerValideurFacture: Fields = { codeRetour: null, libelle: null, idFacture: null };
const StructureAAfficher: Fields = {
  designationStructure: null,
  idStructureCPP: null,
  identifiantStructure: null,
  statut: null,
  typeIdentifiantStructure: null,
};
const WsRetourRechercherStructure: Fields = {
  codeRetour: null,
  libelle: null,
  listeStructures: [StructureAAfficher],
  parametresRetour: ParametresRetour,
};
const AdressePostale: Fields = {
  adresse: null,
  codePostal: null,
  complementAdresse1: null,
  complementAdresse2: null,
  fax: null,
  indicatifFax: null,
  indicatifTelephone: null,
  pays: null,
  telephone: null,
  ville: null,
};
const StructureDupliquee: Fields = { structureDupliquee: null };
const InformationsGeneralesStructureCompleteTVAIntraCom: Fields = {
  dateExpirationMotPasseCompteTech: null,
  emailStructure: null,
  estValideurDeleguee: null,
  idStructureCPP: null,
  idStructureOrigine: null,
  identifiantStructure: null,
  libelleStructure: null,
  listeStructureDupliquees: [StructureDupliquee],
  nomStructure: null,
  numeroRcsStructure: null,
  numeroTVA: null,
  prenomStructure: null,
  raisonSocialeStructure: null,
  structurePriveePublique: null,
  typeIdentifiantStructure: null,
};
const ParamModifierStructure: Fields = {
  codeServiceDoitEtreRenseigne: null,
  connexionEDI: null,
  estMoaUniquement: null,
  estValideurDelegue: null,
  gestionNumeroEJOuCodeService: null,
  getaMoa: null,
  nonDiffusibleInsee: null,
  numeroEJDoitEtreRenseigne: null,
  recevoirDonneesViaEDI: null,
  statutMiseEnPaiementNestPasRemonte: null,
};
const WsRetourConsulterStructureTVAIntraCom: Fields = {
  adressePostaleDuSiege: AdressePostale,
  codeRetour: null,
  informationGenerales: InformationsGeneralesStructureCompleteTVAIntraCom,
  libelle: null,
  parametres: ParamModifierStructure,
};
const ServiceExpose: Fields = {
  codeService: null,
  estActif: null,
  idService: null,
  libelleService: null,
  statutService: null,
};
const WsRetourRechercherServicesStructure: Fields = {
  codeRetour: null,
  libelle: null,
  listeServices: [ServiceExpose],
  parametresRetour: ParametresRetour,
};
const ParamModifierServiceInfoGeneral: Fields = { codeService: null, descriptionService: null, nomService: null };
const ParamParametre: Fields = {
  dateCreation: null,
  dateDebutValidite: null,
  dateFinValidite: null,
  dateModification: null,
  miseEnPaiement: null,
  numeroEngagement: null,
};
const WsRetourConsulterServiceStructure: Fields = {
  adressePostale: AdressePostale,
  codeRetour: null,
  informationsGenerales: ParamModifierServiceInfoGeneral,
  libelle: null,
  nbResultatsParPage: null,
  pageCourante: null,
  pages: null,
  parametres: ParamParametre,
  total: null,
};

// Without a Swagger: the fields of the reference's pages (the client's schemas read the same ones).
const ErreurDP: Fields = {
  identifiantFournisseur: null,
  identifiantDestinataire: null,
  numeroDP: null,
  libelleErreurDP: null,
};
const ErreurTechnique: Fields = { codeErreur: null, libelleErreur: null, natureErreur: null };
const WsRetourConsulterCRDetaille: Fields = {
  codeRetour: null,
  libelle: null,
  numeroFluxDepot: null,
  codeInterfaceDepotFlux: null,
  dateDepotFlux: null,
  dateHeureEtatCourantFlux: null,
  etatCourantDepotFlux: null,
  nomFichier: null,
  listeErreurDP: [ErreurDP],
  listeErreurTechnique: [ErreurTechnique],
};
const WsRetourStructuresActives: Fields = {
  codeRetour: null,
  libelle: null,
  listeStructures: [{ idStructureCPP: null, identifiant: null, designationStructure: null }],
};
const WsRetourFormatFlux: Fields = { codeRetour: null, libelle: null, listeFormatFlux: [{ formatFlux: null }] };
const WsRetourCadreFacturation: Fields = {
  codeRetour: null,
  libelle: null,
  listeCadreFacturation: [{ codeCadreFacturation: null }],
};
const WsRetourAjouterFichier: Fields = { codeRetour: null, libelle: null, pieceJointeId: null };
const WsRetourEngagementJuridique: Fields = {
  codeRetour: null,
  libelle: null,
  listeEngagementJuridique: [
    { numeroEngagementJuridique: null, etatCourantEngagementJuridique: null, montantEngagementJuridique: null },
  ],
};

export const ANSWER_FIELDS: Record<EndpointName, Fields> = {
  deposerFlux: WsRetourDeposerFluxFacture,
  deposerPdf: WsRetourDeposerPdfFacture,
  soumettre: WsRetourSoumettreFacture,
  rechercherFactureParFournisseur: WsRetourRechercherFactureParFournisseur,
  consulterFactureParFournisseur: WsRetourFacturesEmises,
  consulterHistoriqueFacture: WsRetourConsulterHistoriqueFacture,
  recyclerFacture: WsRetourRecyclerFacture,
  completerFacture: WsRetourCompleterFacture,
  traiterFactureRecue: WsRetourTraiterFacture,
  rechercherFactureATraiterParValideur: WsRetourRechercherFactureATraiterParValideur,
  consulterFactureParValideur: WsRetourFacturesEmises,
  traiterFactureAValider: WsRetourTraiterFactureAValider,
  corrigerValideurFacture: WsRetourCorrigerValideurFacture,
  rechercherStructure: WsRetourRechercherStructure,
  consulterStructure: WsRetourConsulterStructureTVAIntraCom,
  rechercherServicesStructure: WsRetourRechercherServicesStructure,
  consulterServiceStructure: WsRetourConsulterServiceStructure,
  consulterCRDetaille: WsRetourConsulterCRDetaille,
  recupererStructuresActivesFournisseur: WsRetourStructuresActives,
  recupererFormatFlux: WsRetourFormatFlux,
  recupererCadreFacturation: WsRetourCadreFacturation,
  ajouterFichier: WsRetourAjouterFichier,
  rechercherEngagementJuridique: WsRetourEngagementJuridique,
};

/**
 * The answer as production writes it: each declared property that the simulator left out is written `null`, in
 * nested objects and in every item of a list (a list sent as a bare object too). Nothing is removed.
 */
export function withEveryField(answer: Record<string, unknown>, fields: Fields): Record<string, unknown> {
  const out: Record<string, unknown> = { ...answer };
  for (const [key, declared] of Object.entries(fields)) {
    const value = out[key];
    if (value === undefined || value === null) out[key] = null;
    else if (declared === null) continue;
    else if (isList(declared)) {
      const item = declared[0];
      if (item === null) continue;
      out[key] = Array.isArray(value)
        ? value.map((v: unknown) => (isObject(v) ? withEveryField(v, item) : v))
        : isObject(value)
          ? withEveryField(value, item)
          : value;
    } else if (isObject(value)) out[key] = withEveryField(value, declared);
  }
  return out;
}

const isList = (declared: Fields | readonly [Fields | null]): declared is readonly [Fields | null] =>
  Array.isArray(declared);

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
