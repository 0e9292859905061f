/**
 * The validator's side of the Factures API (docs/chorus-pro-notes.md, "The validation circuit"): the main contractor's
 * inbox of its subcontractors' and co-contractors' invoices (`rechercher/aTraiter/valideur`), the invoice as it sees it
 * (`consulter/valideur`), its decision (`traiter/factureAValider`), and the supplier's correction of a wrong validator
 * (`corriger/valideur/facture`).
 */
import { BUSINESS_ERRORS, BusinessError } from '../business-errors.js';
import { isoParis } from '../clock.js';
import { consultedInvoice, validatorInboxItem } from '../present.js';
import { emptySearch, list, objectOf, ok, paginate, textOf, type ApiContext, type Handlers } from './answers.js';

/** "À traiter": the invoices that wait for the validator's decision. */
const TO_PROCESS = ['A_VALIDER_1', 'A_VALIDER_2'];

export function validatorsApi(ctx: ApiContext): Handlers {
  const { world, actions, variants } = ctx;
  return {
    rechercherFactureATraiterParValideur: (account, body) => {
      // One of the account's structures, when the request names one (by id or by identifier).
      const structure =
        typeof body.idStructure === 'number'
          ? world.structureById(body.idStructure)
          : textOf(body.identifiantStructure)
            ? world.structureBySiret(textOf(body.identifiantStructure)!)
            : undefined;
      if (
        (body.idStructure !== undefined || body.identifiantStructure !== undefined) &&
        (!structure || !account.structureSirets.includes(structure.siret))
      ) {
        throw new BusinessError(BUSINESS_ERRORS.structures.unknownStructure);
      }
      const matches = world
        .invoicesValidatedBy(account)
        .filter((i) => TO_PROCESS.includes(i.status))
        .filter((i) => !structure || i.validation!.validatorSiret === structure.siret)
        .sort((a, b) => a.id - b.id);
      const empty = emptySearch(variants, matches.length);
      if (empty) return empty;
      const paging = objectOf(body.pagination);
      const { slice, parametresRetour } = paginate(matches, paging.pageResultatDemandee, paging.nbResultatsParPage);
      return ok('GCU_MSG_01_000', {
        parametresRetour,
        listeFactures: list(
          variants,
          slice.map((i) => validatorInboxItem(i, world.structureBySiret(i.validation!.validatorSiret)!)),
        ),
      });
    },
    consulterFactureParValideur: (account, body) =>
      ok('GCU_MSG_01_000', {
        facture: consultedInvoice(world.invoiceForValidator(account, Number(body.identifiantFactureCPP))),
      }),
    traiterFactureAValider: (account, body) => {
      const invoice = world.invoiceForValidator(account, Number(body.idFacture));
      actions.validate(
        invoice,
        textOf(body.action) ?? '',
        textOf(body.motifRefus) ?? textOf(body.complementInfo),
        typeof body.idValideur === 'number' ? body.idValideur : null,
      );
      return ok('GCU_MSG_01_000', {
        idFacture: invoice.id,
        numeroFacture: invoice.number,
        dateTraitement: isoParis(invoice.statusAt),
        statutFacture: invoice.status,
      });
    },
    corrigerValideurFacture: (account, body) => {
      const invoice = world.visibleInvoice(account, Number(body.idFacture));
      const validator =
        typeof body.idStructure === 'number'
          ? world.structureById(body.idStructure)
          : world.structureBySiret(textOf(body.identifiantStructure) ?? '');
      actions.correctValidator(invoice, validator?.siret ?? null);
      return ok('GCU_MSG_01_000', { idFacture: invoice.id });
    },
  };
}
