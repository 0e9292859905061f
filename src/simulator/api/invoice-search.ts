/**
 * `rechercher/fournisseur` as Chorus Pro runs it: filters, then the sort asked for (by default the deposit
 * date, newest first), then at most `nbResultatsMaximum` results (200 by default, CS17), then the page. A
 * client that pages without narrowing its search never sees what lies past the cap.
 */
import { readRequestDate } from '../clock.js';
import type { SimAccount, SimInvoice } from '../model.js';
import { searchItem } from '../present.js';
import { emptySearch, list, objectOf, ok, paginate, type ApiContext, type Body } from './answers.js';

const DEFAULT_RESULT_CAP = 200;

/** The sort columns the simulator honours (the Swagger lists 46); any other sorts by id. */
const SORT_KEYS: Record<string, (i: SimInvoice) => number | string> = {
  DateDepot: (i) => i.depositedAt,
  NumeroFacture: (i) => i.number,
  Statut: (i) => i.status,
  NumeroFluxDepot: (i) => i.fluxNumber ?? '',
  DateFacture: (i) => i.data.issueDate ?? '',
  MontantHT: (i) => Number(i.data.amountWithoutVat ?? 0),
  MontantTTC: (i) => Number(i.data.amountWithVat ?? 0),
  MontantAPayer: (i) => Number(i.data.amountWithVat ?? 0),
  CodeDestinataire: (i) => i.recipient.siret,
  DesignationDestinataire: (i) => i.recipient.designation,
  CodeFournisseur: (i) => i.supplier.siret,
  NumeroBonCommande: (i) => i.data.engagementNumber ?? '',
  CodeServiceExecutant: (i) => i.service?.codeService ?? '',
};

function compare(a: number | string, b: number | string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function searchInvoices(ctx: ApiContext, account: SimAccount, body: Body): Body {
  const date = (field: string, bound: 'from' | 'to') =>
    typeof body[field] === 'string' ? readRequestDate(body[field], bound) : null;
  const depositFrom = date('periodeDateDepotDu', 'from');
  const depositTo = date('periodeDateDepotAu', 'to');
  const stateFrom = date('periodeDateHeureEtatCourantDu', 'from');
  const stateTo = date('periodeDateHeureEtatCourantAu', 'to');
  const statuses = Array.isArray(body.statutCourant) ? (body.statutCourant as string[]) : null;
  const paging = objectOf(body.rechercheFactureParFournisseur);
  const key =
    SORT_KEYS[typeof paging.triColonne === 'string' ? paging.triColonne : 'DateDepot'] ?? ((i: SimInvoice) => i.id);
  const direction = (paging.triSens ?? 'Descendant') === 'Ascendant' ? 1 : -1;
  const cap =
    typeof paging.nbResultatsMaximum === 'number' && paging.nbResultatsMaximum > 0
      ? paging.nbResultatsMaximum
      : DEFAULT_RESULT_CAP;

  const matches = ctx.world
    .invoicesOf(account)
    .filter((i) => body.numeroFluxDepot === undefined || i.fluxNumber === body.numeroFluxDepot)
    .filter((i) => body.numeroFacture === undefined || i.number === body.numeroFacture)
    .filter((i) => body.numeroBonCommande === undefined || i.data.engagementNumber === body.numeroBonCommande)
    .filter((i) => body.idFournisseur === undefined || i.supplier.idStructureCPP === body.idFournisseur)
    .filter((i) => statuses === null || statuses.includes(i.status))
    .filter((i) => depositFrom === null || i.depositedAt >= depositFrom)
    .filter((i) => depositTo === null || i.depositedAt <= depositTo)
    .filter((i) => stateFrom === null || i.statusAt >= stateFrom)
    .filter((i) => stateTo === null || i.statusAt <= stateTo)
    .sort((a, b) => direction * compare(key(a), key(b)) || a.id - b.id)
    .slice(0, cap);
  const empty = emptySearch(ctx.variants, matches.length);
  if (empty) return empty;
  const { slice, parametresRetour } = paginate(matches, paging.pageResultatDemandee, paging.nbResultatsParPage);
  return ok('GCU_MSG_01_000', { parametresRetour, listeFactures: list(ctx.variants, slice.map(searchItem)) });
}
