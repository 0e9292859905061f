/** The Transverses API (`/cpro/transverses/v1/...`): the deposit report, the supplier's active structures, attachments. */
import { BUSINESS_ERRORS, BusinessError } from '../business-errors.js';
import { isoParis } from '../clock.js';
import { decodeFile } from './factures.js';
import { list, ok, textOf, type ApiContext, type Handlers } from './answers.js';

export function transversesApi({ world, engine, variants }: ApiContext): Handlers {
  return {
    consulterCRDetaille: (account, body) => {
      const flux = world.fluxes.get(String(body.numeroFluxDepot));
      if (!flux || flux.login !== account.login) throw new BusinessError(BUSINESS_ERRORS.consulterCRDetaille.unknownFlux);
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
        ...(outcome && outcome.erreursDP.length > 0 && !omit ? { listeErreurDP: list(variants, outcome.erreursDP) } : {}),
        ...(outcome && outcome.erreursTechniques.length > 0 ? { listeErreurTechnique: list(variants, outcome.erreursTechniques) } : {}),
      });
    },
    recupererStructuresActivesFournisseur: (account) =>
      ok('TRA_MSG_00.000', {
        listeStructures: list(
          variants,
          world
            .structuresOf(account)
            .filter((s) => s.active)
            .map((s) => ({ idStructureCPP: s.idStructureCPP, identifiant: s.siret, designationStructure: s.designation })),
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
