/**
 * What the workers need from Chorus Pro, in our own words. Chorus's French field names are mapped here, once;
 * processors never see them.
 */
import type { SyntaxeFlux } from './codes.js';
import { answerLine, SEARCH_RESULT_CAP, type ChorusClient, type TechnicalAccount } from './client.js';
import { chorusDay, parisWallClock, parseChorusDate } from './dates.js';
import { unreadableItems } from './contract/common.js';
import type { ResponseOf } from './contract/endpoints.js';
import { readPdf, submit, type PdfReading, type SubmissionData, type SubmissionReceipt } from './submit.js';
import {
  correctValidator,
  decideAsValidator,
  invoicesToValidate,
  viewAsValidator,
  type InvoiceToValidate,
  type ValidatorDecision,
  type ValidatorView,
} from './validator.js';

export interface DepositReceipt {
  /** `numeroFluxDepot` */
  fluxNumber: string | null;
  /** `dateDepot`, as Chorus wrote it */
  depositDate: string | null;
  /** `syntaxeFlux` as Chorus Pro read the flux (its output enum) */
  syntaxeFlux: string | null;
  /** `codeRetour` and `libelle`, for the job log */
  answer: string;
}

export interface FluxReport {
  /** `etatCourantDepotFlux`, raw: a state outside the documented ones is not final (field reports name several) */
  state: string;
  stateAt: string | null;
  /** `listeErreurDP`: per invoice, Chorus's own sentence */
  invoiceErrors: Array<{ invoiceNumber: string | null; message: string }>;
  /** `listeErreurTechnique` */
  technicalErrors: string[];
}

export interface ChorusInvoiceSummary {
  /** `identifiantFactureCPP` */
  chorusInvoiceId: string;
  number: string | null;
  fluxNumber: string | null;
  supplierSiret: string | null;
  /** The raw status code, e.g. MISE_A_DISPOSITION */
  status: string | null;
  statusAt: Date | null;
  comment: string | null;
}

export interface StatusHistoryEntry {
  id: number | null;
  status: string;
  at: Date | null;
  comment: string | null;
}

/** Chorus's date-time filters as production clients send them: French wall-clock time, no zone. */
export function chorusDateTime(date: Date): string {
  const p = parisWallClock(date);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`;
}

function summary(item: ResponseOf<'rechercherFactureParFournisseur'>['listeFactures'][number]): ChorusInvoiceSummary {
  return {
    chorusInvoiceId: String(item.identifiantFactureCPP),
    number: item.numeroFacture ?? null,
    fluxNumber: item.numeroFluxDepot ?? null,
    supplierSiret: item.codeFournisseur ?? null,
    status: item.statut ?? null,
    statusAt: parseChorusDate(item.dateHeureEtatCourant),
    comment: item.commentaireEtatCourant ?? null,
  };
}

export class ChorusInvoicing {
  constructor(private readonly client: ChorusClient) {}

  /** `beforeSend`: see ChorusClient.deposerFlux. */
  async deposit(
    account: TechnicalAccount,
    file: { content: Buffer; name: string; syntaxeFlux: SyntaxeFlux },
    beforeSend?: () => Promise<void>,
  ): Promise<DepositReceipt> {
    const res = await this.client.deposerFlux(
      account,
      { fichierFlux: file.content, nomFichier: file.name, syntaxeFlux: file.syntaxeFlux },
      beforeSend ? { beforeSend } : {},
    );
    return {
      fluxNumber: res.numeroFluxDepot ?? null,
      depositDate: res.dateDepot ?? null,
      syntaxeFlux: res.syntaxeFlux ?? null,
      answer: answerLine(res),
    };
  }

  /** `deposer/pdf`: what Chorus Pro read in a plain PDF (see submit.ts). */
  readPdf(account: TechnicalAccount, pdf: { content: Buffer; name: string }): Promise<PdfReading> {
    return readPdf(this.client, account, pdf);
  }

  /** `soumettre`: an invoice from a PDF read before, or from data alone; `beforeSend` as for deposit. */
  submit(
    account: TechnicalAccount,
    data: SubmissionData,
    beforeSend?: () => Promise<void>,
  ): Promise<SubmissionReceipt> {
    return submit(this.client, account, data, beforeSend);
  }

  async report(account: TechnicalAccount, fluxNumber: string): Promise<FluxReport> {
    const res = await this.client.consulterCRDetaille(account, fluxNumber);
    return {
      // No state yet reads as just received.
      state: res.etatCourantDepotFlux || 'IN_RECU',
      stateAt: res.dateHeureEtatCourantFlux ?? null,
      invoiceErrors: res.listeErreurDP
        .map((e) => ({ invoiceNumber: e.numeroDP ?? null, message: e.libelleErreurDP ?? '' }))
        .filter((e) => e.message),
      technicalErrors: res.listeErreurTechnique
        .map((e) => [e.codeErreur, e.libelleErreur].filter(Boolean).join(': '))
        .filter(Boolean),
    };
  }

  /** Every invoice Chorus integrated from this flux (all pages). */
  async invoicesOfFlux(account: TechnicalAccount, fluxNumber: string): Promise<ChorusInvoiceSummary[]> {
    return (await this.client.rechercherFactureParFournisseur(account, { numeroFluxDepot: fluxNumber })).map(summary);
  }

  /** Invoices with this number deposited since that day (all pages). */
  async invoicesNumbered(
    account: TechnicalAccount,
    number: string,
    depositedSince: Date,
  ): Promise<ChorusInvoiceSummary[]> {
    return (
      await this.client.rechercherFactureParFournisseur(account, {
        numeroFacture: number,
        periodeDateDepotDu: chorusDay(depositedSince),
      })
    ).map(summary);
  }

  /**
   * Invoices whose status changed since `since` (all pages): the incremental status sync. Chorus Pro returns
   * at most 200 results to a search, and cannot sort by status date: a search that reaches the cap is split
   * into two periods, each searched again, until every period holds fewer (a first sync looks back 90 days).
   * `unreadable` counts the invoices Chorus Pro listed that lacked what we need (the client reported them).
   */
  async invoicesChangedSince(
    account: TechnicalAccount,
    since: Date,
    now: Date,
  ): Promise<{ invoices: ChorusInvoiceSummary[]; unreadable: number }> {
    const found = new Map<string, ChorusInvoiceSummary>();
    let unreadable = 0;
    const search = async (from: number, to: number | null): Promise<void> => {
      const period = {
        periodeDateHeureEtatCourantDu: chorusDateTime(new Date(from)),
        ...(to === null ? {} : { periodeDateHeureEtatCourantAu: chorusDateTime(new Date(to)) }),
      };
      const listed = await this.client.rechercherFactureParFournisseur(account, period);
      const skipped = unreadableItems(listed).length;
      unreadable += skipped;
      const items = listed.map(summary);
      for (const item of items) found.set(item.chorusInvoiceId, item);
      if (items.length + skipped < SEARCH_RESULT_CAP) return;
      // An open period ends at the latest change seen (Chorus Pro's clock may be ahead of ours).
      const end = to ?? Math.max(now.getTime(), ...items.map((i) => i.statusAt?.getTime() ?? 0));
      // Bounds are whole seconds, both included: the two halves share their middle second.
      const middle = Math.floor((from + end) / 2000) * 1000;
      if (middle <= from)
        throw new Error(
          `More than ${SEARCH_RESULT_CAP} invoices changed status within one second at Chorus Pro (${period.periodeDateHeureEtatCourantDu}): cannot search past the cap`,
        );
      await search(from, middle);
      await search(middle, to);
    };
    await search(Math.floor(since.getTime() / 1000) * 1000, null);
    return { invoices: [...found.values()], unreadable };
  }

  /** Every status an invoice went through, with dates and comments (all pages). */
  async statusHistory(account: TechnicalAccount, chorusInvoiceId: string): Promise<StatusHistoryEntry[]> {
    const res = await this.client.consulterHistoriqueFacture(account, Number(chorusInvoiceId));
    return (res.historiquesDesStatuts?.histoStatut ?? []).map((h) => ({
      id: h.histoStatutId ?? null,
      status: h.histoStatutCode,
      at: parseChorusDate(h.histoStatutDatePassage),
      comment: h.histoStatutCommentaire ?? null,
    }));
  }

  /** The invoice's current status, read directly (one call). */
  async currentStatus(account: TechnicalAccount, chorusInvoiceId: string): Promise<string | null> {
    const res = await this.client.consulterFactureParFournisseur(account, Number(chorusInvoiceId));
    return res.facture?.statutFacture ?? null;
  }

  /** `recycler`: new routing for an A_RECYCLER invoice; only the fields given change. */
  async recycle(
    account: TechnicalAccount,
    chorusInvoiceId: string,
    routing: {
      recipientSiret: string | null;
      serviceCode: string | null;
      engagementNumber: string | null;
      comment: string | null;
    },
  ): Promise<{ status: string | null }> {
    const res = await this.client.recyclerFacture(account, {
      identifiantFactureCPP: Number(chorusInvoiceId),
      ...(routing.recipientSiret || routing.serviceCode
        ? {
            destinataire: {
              ...(routing.recipientSiret ? { codeDestinataire: routing.recipientSiret } : {}),
              ...(routing.serviceCode ? { codeServiceExecutant: routing.serviceCode } : {}),
            },
          }
        : {}),
      ...(routing.engagementNumber ? { reference: { numeroBonCommande: routing.engagementNumber } } : {}),
      ...(routing.comment ? { commentaire: routing.comment } : {}),
    });
    return { status: res.statutFacture ?? null };
  }

  /** Uploads an attachment (`ajouter/fichier`) and returns the id Chorus Pro gave it. */
  async uploadAttachment(
    account: TechnicalAccount,
    file: { name: string; mimeType: string; extension: string; content: Buffer },
  ): Promise<string> {
    const res = await this.client.ajouterFichier(account, {
      pieceJointeFichier: file.content.toString('base64'),
      pieceJointeNom: file.name.slice(0, 50),
      pieceJointeTypeMime: file.mimeType,
      pieceJointeExtension: file.extension.toUpperCase(),
    });
    if (res.pieceJointeId === undefined) throw new Error('Chorus Pro accepted the attachment without a pieceJointeId');
    return String(res.pieceJointeId);
  }

  /** `completer`: the supplier's answer to a SUSPENDUE invoice, with an attachment uploaded beforehand. */
  async complete(
    account: TechnicalAccount,
    chorusInvoiceId: string,
    answer: { comment: string; attachment: { id: string; name: string } | null },
  ): Promise<void> {
    await this.client.completerFacture(account, {
      identifiantFactureCPP: Number(chorusInvoiceId),
      commentaire: answer.comment,
      ...(answer.attachment
        ? // The values `pieceJointeComplementaireType` takes are not documented anywhere we know of: it is left out.
          {
            pieceJointeComplementaire: [
              {
                pieceJointeComplementaireId: Number(answer.attachment.id),
                pieceJointeComplementaireDesignation: answer.attachment.name.slice(0, 50),
              },
            ],
          }
        : {}),
    });
  }

  /** The validator's inbox: invoices of subcontractors and co-contractors waiting for this structure (validator.ts). */
  invoicesToValidate(account: TechnicalAccount, validatorSiret: string): Promise<InvoiceToValidate[]> {
    return invoicesToValidate(this.client, account, validatorSiret);
  }

  viewAsValidator(account: TechnicalAccount, chorusInvoiceId: string): Promise<ValidatorView> {
    return viewAsValidator(this.client, account, chorusInvoiceId);
  }

  decideAsValidator(
    account: TechnicalAccount,
    chorusInvoiceId: string,
    validatorStructureId: number | null,
    decision: ValidatorDecision,
  ): Promise<string | null> {
    return decideAsValidator(this.client, account, chorusInvoiceId, validatorStructureId, decision);
  }

  correctValidator(account: TechnicalAccount, chorusInvoiceId: string, validatorSiret: string): Promise<void> {
    return correctValidator(this.client, account, chorusInvoiceId, validatorSiret);
  }
}
