/**
 * Chorus Pro's business errors: a `codeRetour` and a message key (`libelle`), numbered per service, so that the
 * same code means different things in different services (docs/chorus-pro-notes.md, "Answers": 20001 is "file
 * too large" in deposer/flux, "not found" elsewhere). A client must key on service + code + message key, never on the
 * code. The keys of deposer/flux and of the empty search are the ones clients report; the others follow their pattern.
 */

export interface BusinessErrorEntry {
  codeRetour: number;
  key: string;
  text: string;
}

const e = (codeRetour: number, key: string, text: string): BusinessErrorEntry => ({ codeRetour, key, text });

export const BUSINESS_ERRORS = {
  deposerFlux: {
    tooLarge: e(20001, 'GDP_MSG_11.022', 'Le fichier du flux dépasse la taille maximale autorisée.'),
    notBase64: e(20002, 'GDP_MSG_11.020', 'Le fichier du flux doit être encodé en base64.'),
  },
  deposerPdf: {
    tooLarge: e(20001, 'GDP_MSG_12.022', 'Le fichier PDF dépasse la taille maximale autorisée (10 Mo).'),
    notBase64: e(20002, 'GDP_MSG_12.020', 'Le fichier PDF doit être encodé en base64.'),
    notPdf: e(20003, 'GDP_MSG_12.021', "Le fichier déposé n'est pas un PDF lisible."),
  },
  soumettre: {
    unknownPdf: e(
      20001,
      'FAC_MSG_05.001',
      'La pièce jointe principale est introuvable ou ne provient pas de deposer/pdf.',
    ),
    linesRequired: e(20002, 'FAC_MSG_05.002', 'Une facture saisie doit comporter au moins une ligne de poste.'),
    totalsInconsistent: e(20003, 'FAC_MSG_05.003', 'Les montants de la facture sont incohérents.'),
    refused: e(20004, 'FAC_MSG_05.004', 'La facture est refusée.'),
    unknownAttachment: e(20005, 'FAC_MSG_05.005', 'Une pièce jointe complémentaire est introuvable.'),
  },
  search: {
    noResult: e(20000, 'TRA_MSG_00.015', "La recherche n'a retourné aucun résultat."),
  },
  consulterCRDetaille: {
    unknownFlux: e(20001, 'TRA_MSG_00.012', 'Le flux demandé est introuvable.'),
  },
  factures: {
    unknownInvoice: e(20001, 'FAC_MSG_01.001', 'La facture demandée est introuvable pour ce compte.'),
  },
  traiterFactureRecue: {
    notRecipient: e(20010, 'FAC_MSG_02.010', 'Ce compte ne peut pas traiter de facture reçue.'),
    statusNotAllowed: e(20002, 'FAC_MSG_02.001', 'Ce statut ne peut pas être positionné par le destinataire.'),
    reasonRequired: e(20003, 'FAC_MSG_02.002', 'Le motif est obligatoire pour ce statut.'),
    closed: e(20004, 'FAC_MSG_02.003', 'La facture ne peut plus être traitée.'),
  },
  recyclerFacture: {
    notToRecycle: e(20004, 'FAC_MSG_03.001', 'Seule une facture au statut A_RECYCLER peut être recyclée.'),
    refusedRouting: e(20006, 'FAC_MSG_03.002', 'Le nouvel acheminement est refusé.'),
  },
  completerFacture: {
    notSuspended: e(20007, 'FAC_MSG_04.001', 'Seule une facture au statut SUSPENDUE peut être complétée.'),
    unknownAttachment: e(20008, 'FAC_MSG_04.002', 'Une pièce jointe est introuvable.'),
  },
  traiterFactureAValider: {
    notToValidate: e(20011, 'FAC_MSG_06.001', "La facture n'est pas en attente de validation."),
    unknownAction: e(20012, 'FAC_MSG_06.002', "L'action demandée n'est pas reconnue (VALIDATION ou REFUS)."),
    reasonRequired: e(20013, 'FAC_MSG_06.003', 'Le motif de refus est obligatoire.'),
    notValidator: e(20014, 'FAC_MSG_06.004', "Le valideur indiqué n'est pas celui de la facture."),
  },
  corrigerValideurFacture: {
    notInError: e(
      20015,
      'FAC_MSG_07.001',
      'Seule une facture en erreur sur le valideur peut recevoir un nouveau valideur.',
    ),
    unknownValidator: e(20016, 'FAC_MSG_07.002', 'Le nouveau valideur est introuvable.'),
  },
  ajouterFichier: {
    tooLarge: e(20001, 'TRA_MSG_01.022', 'La pièce jointe dépasse 10 Mo.'),
    notBase64: e(20002, 'TRA_MSG_01.020', 'La pièce jointe doit être encodée en base64.'),
  },
  structures: {
    unknownStructure: e(20001, 'GSR_MSG_01.001', 'La structure demandée est introuvable.'),
    unknownService: e(20002, 'GSR_MSG_02.001', 'Le service demandé est introuvable.'),
  },
} as const;

/** A refusal by Chorus Pro, answered with the envelope. `detail` is added to the French text. */
export class BusinessError extends Error {
  constructor(
    readonly entry: BusinessErrorEntry,
    readonly detail?: string,
  ) {
    super(`${entry.key} ${entry.text}${detail ? ` ${detail}` : ''}`);
  }
}

/**
 * The libellé as sent: the key alone, or the key and its French text (both are seen: docs/chorus-pro-notes.md,
 * "Answers").
 */
export function libelleOf(error: BusinessError, withText: boolean): string {
  return withText ? error.message : error.entry.key;
}
