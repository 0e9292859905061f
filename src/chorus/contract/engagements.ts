/**
 * The Engagements juridiques endpoint: whether a recipient issued a legal engagement (EJ, the purchase-order
 * number of public buyers). No official Swagger was obtained; fields as OCA sends them (docs/chorus-pro-notes.md,
 * "Transverses and engagements").
 */
import { z } from 'zod';
import { double, envelope, listOf, request, response } from './common.js';

export const rechercherEngagementJuridiqueRequest = request({
  /** The recipient's idStructureCPP, as a string. */
  structureReceptriceEngagementJuridique: z.string(),
  numeroEngagementJuridique: z.string().max(50),
  etatCourantEngagementJuridique: z.string(),
});
export const rechercherEngagementJuridiqueResponse = response({
  ...envelope,
  listeEngagementJuridique: listOf(
    response({
      numeroEngagementJuridique: z.string(),
      etatCourantEngagementJuridique: z.string(),
      montantEngagementJuridique: double(),
    }),
  ),
});
