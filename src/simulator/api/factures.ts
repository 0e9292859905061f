/**
 * The Factures API (`/cpro/factures/v1/...`): deposit, search, consult, history, recycle, complete, and the recipient's
 * `traiter/recue`.
 */
import { SYNTAXE_FLUX_ANSWERED } from '../../chorus/contract/vocabulary.js';
import { BUSINESS_ERRORS, BusinessError, type BusinessErrorEntry } from '../business-errors.js';
import { isoParis, minuteParis, dayParis } from '../clock.js';
import { readFlux } from '../files/read-flux.js';
import { consultedInvoice } from '../present.js';
import { searchInvoices } from './invoice-search.js';
import { list, objectOf, ok, paginate, textOf, type ApiContext, type Handlers } from './answers.js';

const MAX_FILE_BYTES = 10 * 1024 * 1024;

/** A base64 file of at most 10 Mo, as Chorus Pro takes them (fluxes, attachments). */
export function decodeFile(
  value: unknown,
  errors: { notBase64: BusinessErrorEntry; tooLarge: BusinessErrorEntry },
): Buffer {
  const content = typeof value === 'string' ? value : '';
  if (content.length === 0 || content.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(content))
    throw new BusinessError(errors.notBase64);
  const bytes = Buffer.from(content, 'base64');
  if (bytes.length > MAX_FILE_BYTES) throw new BusinessError(errors.tooLarge);
  return bytes;
}

export function facturesApi(ctx: ApiContext): Handlers {
  const { world, engine, actions, faults, variants } = ctx;
  return {
    deposerFlux: async (account, body) => {
      const bytes = decodeFile(body.fichierFlux, BUSINESS_ERRORS.deposerFlux);
      const fileName = textOf(body.nomFichier) ?? 'flux';
      const files = await readFlux(fileName, bytes);
      const forced = faults.settings.nextFluxState;
      const stuckIn = faults.settings.nextFluxStuckIn;
      faults.settings.nextFluxState = null;
      faults.settings.nextFluxStuckIn = null;
      const syntaxeFlux = String(body.syntaxeFlux);
      const flux = engine.deposit(account.login, fileName, syntaxeFlux, files, forced, stuckIn);
      // The answer's enum lacks the two PDFARCHIVE values: for those, the field is left out rather than invented.
      const answered = (SYNTAXE_FLUX_ANSWERED as readonly string[]).includes(syntaxeFlux) ? { syntaxeFlux } : {};
      return ok('GCU_MSG_01_000', { numeroFluxDepot: flux.number, dateDepot: dayParis(flux.depositedAt), ...answered });
    },
    rechercherFactureParFournisseur: (account, body) => searchInvoices(ctx, account, body),
    consulterFactureParFournisseur: (account, body) =>
      ok('GCU_MSG_01_000', {
        facture: consultedInvoice(world.visibleInvoice(account, Number(body.identifiantFactureCPP))),
      }),
    consulterHistoriqueFacture: (account, body) => {
      const invoice = world.visibleInvoice(account, Number(body.idFacture));
      const paging = objectOf(body.paramRechercheHistoStatuts);
      const ordered =
        paging.triSensListeHistoStatut === 'Descendant' ? [...invoice.history].reverse() : invoice.history;
      const { slice, parametresRetour } = paginate(
        ordered,
        paging.pageResultatDemandeeListeHistoStatut,
        paging.nbResultatsParPageListeHistoStatut,
      );
      const date = (ms: number) => (variants.historyDateFormat === 'short' ? minuteParis(ms) : isoParis(ms));
      return ok('GCU_MSG_01_000', {
        idFacture: invoice.id,
        numeroFacture: invoice.number,
        modeDepot: 'EDI_MIXTE',
        statutCourantCode: invoice.status,
        historiquesDesStatuts: {
          histoStatut: list(
            variants,
            slice.map((h) => ({
              histoStatutId: h.id,
              histoStatutCode: h.code,
              histoStatutDatePassage: date(h.at),
              ...(h.comment ? { histoStatutCommentaire: h.comment } : {}),
            })),
          ),
          pageCouranteHistoStatut: parametresRetour.pageCourante,
          pagesHistoStatut: parametresRetour.pages,
          nbResultatsParPageHistoStatut: parametresRetour.nbResultatsParPage,
          totalHistoStatut: parametresRetour.total,
        },
      });
    },
    recyclerFacture: (account, body) => {
      const invoice = world.visibleInvoice(account, Number(body.identifiantFactureCPP));
      const destinataire = objectOf(body.destinataire);
      const reference = objectOf(body.reference);
      const recipientSiret = textOf(destinataire.codeDestinataire);
      const serviceCode = textOf(destinataire.codeServiceExecutant);
      const engagementNumber = textOf(reference.numeroBonCommande);
      actions.recycle(
        invoice,
        {
          ...(recipientSiret ? { recipientSiret } : {}),
          ...(serviceCode ? { serviceCode } : {}),
          ...(engagementNumber ? { engagementNumber } : {}),
        },
        textOf(body.commentaire),
      );
      return ok('GCU_MSG_01_000', {
        identifiantFactureCPP: invoice.id,
        numeroFacture: invoice.number,
        statutFacture: invoice.status,
        dateDepot: isoParis(invoice.statusAt),
      });
    },
    completerFacture: (account, body) => {
      const attached = Array.isArray(body.pieceJointeComplementaire)
        ? (body.pieceJointeComplementaire as unknown[])
        : [];
      const ids = attached.map((a) => Number(objectOf(a).pieceJointeComplementaireId));
      const invoice = actions.complete(
        world.visibleInvoice(account, Number(body.identifiantFactureCPP)),
        textOf(body.commentaire),
        ids,
        account.login,
      );
      return ok('GCU_MSG_01_000', {
        identifiantFactureCPP: invoice.id,
        numeroFacture: invoice.number,
        dateTraitement: isoParis(invoice.statusAt),
      });
    },
    traiterFactureRecue: (account, body) => {
      if (account.role !== 'recipient') throw new BusinessError(BUSINESS_ERRORS.traiterFactureRecue.notRecipient);
      const invoice = actions.treat(
        world.visibleInvoice(account, Number(body.idFacture)),
        String(body.nouveauStatut),
        textOf(body.motif),
      );
      return ok('GCU_MSG_01_000', {
        idFacture: invoice.id,
        numeroFacture: invoice.number,
        dateTraitement: isoParis(invoice.statusAt),
        nouveauStatut: invoice.status,
      });
    },
  };
}
