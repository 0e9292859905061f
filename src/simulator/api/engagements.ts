/** The Engagements juridiques API: does this recipient know this engagement number (EJ), in this state? */
import { emptySearch, list, ok, textOf, type ApiContext, type Handlers } from './answers.js';

export function engagementsApi({ world, variants }: ApiContext): Handlers {
  return {
    rechercherEngagementJuridique: (_account, body) => {
      const recipient = world.structureById(Number(textOf(body.structureReceptriceEngagementJuridique)));
      const number = textOf(body.numeroEngagementJuridique);
      const state = textOf(body.etatCourantEngagementJuridique);
      const found = (recipient?.engagements ?? []).filter(
        (ej) => (number === null || ej.numero === number) && (state === null || ej.etat === state),
      );
      const empty = emptySearch(variants, found.length);
      if (empty) return empty;
      return ok('GCU_MSG_01_000', {
        listeEngagementJuridique: list(
          variants,
          found.map((ej) => ({
            numeroEngagementJuridique: ej.numero,
            etatCourantEngagementJuridique: ej.etat,
            ...(ej.montant !== undefined ? { montantEngagementJuridique: ej.montant } : {}),
          })),
        ),
      });
    },
  };
}
