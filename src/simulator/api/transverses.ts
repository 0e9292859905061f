/**
 * The Transverses API (`/cpro/transverses/v1/...`): the deposit report, the supplier's active structures, attachments.
 */
import { BUSINESS_ERRORS, BusinessError } from '../business-errors.js';
import { isoParis } from '../clock.js';
import { decodeFile } from './factures.js';
import { list, ok, textOf, type ApiContext, type Handlers } from './answers.js';

const FLUX_FORMATS = ['IN_DP_E1_STRUCT', 'IN_DP_E2_MIXTE', 'IN_DP_E2_FACTURX'];
/** FACTURE gives these four (the community example: docs/chorus-pro-notes.md, "Transverses and engagements"). */
const INVOICE_FRAMES = [
  'A1_FACTURE_FOURNISSEUR',
  'A2_FACTURE_FOURNISSEUR_DEJA_PAYEE',
  'A9_FACTURE_SOUSTRAITANT',
  'A12_FACTURE_COTRAITANT',
];
/**
 * FACTURE_TRAVAUX: the supplier-side works frames of docs/chorus-pro-notes.md, "Works documents" (which ones Chorus Pro
 * lists is inferred).
 */
const WORKS_FRAMES = [
  'A4_PROJET_DECOMPTE_MENSUEL_FOURNISSEUR',
  'A5_ETAT_ACOMPTE_FOURNISSEUR',
  'A6_ETAT_ACOMPTE_VALIDE_FOURNISSEUR',
  'A7_PROJET_DECOMPTE_FINAL_FOURNISSEUR',
  'A8_DECOMPTE_GENERAL_DEFINITIF_FOURNISSEUR',
  'A10_PROJET_DECOMPTE_MENSUEL_SOUSTRAITANT',
  'A11_PROJET_DECOMPTE_FINAL_SOUSTRAITANT',
  'A13_PROJET_DECOMPTE_MENSUEL_COTRAITANT',
  'A14_PROJET_DECOMPTE_FINAL_COTRAITANT',
  'A22_PROJET_DECOMPTE_GENERAL_FOURNISSEUR_PROCEDURE_TACITE',
  'A23_DECOMPTE_GENERAL_DEFINITIF_TACITE_FOURNISSEUR',
];

export function transversesApi({ world, engine, variants }: ApiContext): Handlers {
  return {
    consulterCRDetaille: (account, body) => {
      const flux = world.fluxes.get(String(body.numeroFluxDepot));
      if (!flux || flux.login !== account.login)
        throw new BusinessError(BUSINESS_ERRORS.consulterCRDetaille.unknownFlux);
      const { state, at } = engine.fluxState(flux);
      const outcome = flux.outcome;
      const omit = variants.omitErrorLinesOnPartial && outcome?.state === 'IN_INTEGRE_PARTIEL';
      return ok('TRA_MSG_00.000', {
        numeroFluxDepot: flux.number,
        codeInterfaceDepotFlux: 'FSO1110A',
        dateDepotFlux: isoParis(flux.depositedAt),
        dateHeureEtatCourantFlux: isoParis(at),
        etatCourantDepotFlux: state,
        nomFichier: `FSO1110A_CPP001_${flux.number}`,
        ...(outcome && outcome.erreursDP.length > 0 && !omit
          ? { listeErreurDP: list(variants, outcome.erreursDP) }
          : {}),
        ...(outcome && outcome.erreursTechniques.length > 0
          ? { listeErreurTechnique: list(variants, outcome.erreursTechniques) }
          : {}),
      });
    },
    recupererStructuresActivesFournisseur: (account) =>
      ok('TRA_MSG_00.000', {
        listeStructures: list(
          variants,
          world
            .structuresOf(account)
            .filter((s) => s.active)
            .map((s) => ({
              idStructureCPP: s.idStructureCPP,
              identifiant: s.siret,
              designationStructure: s.designation,
            })),
        ),
      }),
    // The formats PHPG lists (docs/chorus-pro-notes.md, "Transverses and engagements"); the works ones (E4, E5) are
    // unknown, so none is made up here.
    recupererFormatFlux: () =>
      ok('TRA_MSG_00.000', {
        listeFormatFlux: list(
          variants,
          FLUX_FORMATS.map((formatFlux) => ({ formatFlux })),
        ),
      }),
    recupererCadreFacturation: (_account, body) =>
      ok('TRA_MSG_00.000', {
        listeCadreFacturation: list(
          variants,
          (body.typeDemandePaiement === 'FACTURE_TRAVAUX' ? WORKS_FRAMES : INVOICE_FRAMES).map(
            (codeCadreFacturation) => ({ codeCadreFacturation }),
          ),
        ),
      }),
    ajouterFichier: (account, body) => {
      // The contract caps the name at 50 characters: a longer one never gets here.
      const name = textOf(body.pieceJointeNom) ?? 'piece-jointe';
      const bytes = decodeFile(body.pieceJointeFichier, BUSINESS_ERRORS.ajouterFichier);
      return ok('GCU_MSG_01_000', { pieceJointeId: world.addAttachment(account.login, name, bytes.length) });
    },
  };
}
