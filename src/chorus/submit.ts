/**
 * Invoices without a flux, in our own words: a plain PDF that Chorus Pro reads (`deposer/pdf`), then the invoice
 * submitted with its data (`soumettre`, DEPOT_PDF_API), or submitted from data alone (SAISIE_API). Chorus's field
 * names are mapped here, once.
 *
 * Assumptions where the official contract says nothing we could confirm, each named in docs/api.md (Three ways to
 * deposit):
 * - VAT rates go as `ligneTvaTauxManuel` / `lignePosteTauxTvaManuel` (a number), not as `ligneTvaTaux` codes,
 *   whose values only `recuperer/tauxtva` lists;
 * - `typeTva` is TVA_SUR_DEBIT, the common case for works and services invoiced to the State;
 * - `dateFacture` is sent as `YYYY-MM-DD`, as production clients send date-times elsewhere.
 */
import { answerLine, type ChorusClient, type TechnicalAccount } from './client.js';
import type { submitFrameCode } from './codes.js';
import type { RequestOf } from './contract/endpoints.js';
import { parseChorusDate } from './dates.js';

/** What Chorus Pro read in a PDF; null where it read nothing. */
export interface PdfReading {
  /** `pieceJointeId`: the PDF, which soumettre names as the main attachment */
  attachmentId: string;
  number: string | null;
  issueDate: string | null;
  supplierSiret: string | null;
  recipientSiret: string | null;
  serviceCode: string | null;
  engagementNumber: string | null;
  currency: string | null;
  amountWithoutVat: number | null;
  vatAmount: number | null;
  amountWithVat: number | null;
}

export interface VatLine {
  rate: string;
  base: string;
  vat: string;
}

export interface InvoiceLine {
  description: string;
  quantity: string;
  unit: string;
  unitPrice: string;
  vatRate: string;
}

export interface SubmissionData {
  /** `pdf`: the PDF deposited before is the invoice; `data`: the lines are. */
  mode: 'pdf' | 'data';
  number: string;
  issueDate: string;
  /** `idStructureCPP` of the supplier's own structure */
  supplierStructureId: number;
  recipientSiret: string;
  serviceCode: string | null;
  /** soumettre's code of the billing frame (A1, A2, A9 or A12 only: see submitFrameCode) */
  billingFrame: NonNullable<ReturnType<typeof submitFrameCode>>;
  /** A9 and A12: the main contractor that validates it first (`codeStructureValideur`, a SIRET) */
  validatorSiret: string | null;
  type: 'FACTURE' | 'AVOIR';
  currency: string;
  engagementNumber: string | null;
  marketNumber: string | null;
  amountWithoutVat: string;
  vatAmount: string;
  amountWithVat: string;
  vatBreakdown: VatLine[];
  lines: InvoiceLine[];
  mainAttachment: { id: string; name: string } | null;
  /** Uploaded beforehand with ajouter/fichier. */
  additionalAttachments: Array<{ id: string; name: string }>;
  comment: string | null;
}

export interface SubmissionReceipt {
  /** `identifiantFactureCPP`; null when Chorus Pro answered without it (the outcome is then unknown) */
  chorusInvoiceId: string | null;
  status: string | null;
  depositDate: Date | null;
  answer: string;
}

const orNull = <T>(value: T | undefined): T | null => value ?? null;
const day = (value: string | undefined): string | null => (value ? value.slice(0, 10) : null);

export async function readPdf(
  client: ChorusClient,
  account: TechnicalAccount,
  pdf: { content: Buffer; name: string },
): Promise<PdfReading> {
  const res = await client.deposerPdf(account, { fichierFacture: pdf.content, nomFichier: pdf.name });
  if (res.pieceJointeId === undefined)
    throw new Error('Chorus Pro read the PDF but gave no pieceJointeId to submit it with');
  return {
    attachmentId: String(res.pieceJointeId),
    number: orNull(res.numeroFacture),
    issueDate: day(res.dateFacture),
    supplierSiret: orNull(res.codeFournisseur),
    recipientSiret: orNull(res.codeDestinataire),
    serviceCode: orNull(res.codeServiceExecutant) || null,
    engagementNumber: orNull(res.numeroBonCommande) || null,
    currency: orNull(res.codeDeviseFacture),
    amountWithoutVat: orNull(res.montantHtTotal),
    vatAmount: orNull(res.montantTVA),
    amountWithVat: orNull(res.montantTtcAvantRemiseGlobalTTC),
  };
}

export function soumettreBody(data: SubmissionData): RequestOf<'soumettre'> {
  const references: NonNullable<RequestOf<'soumettre'>['references']> = {
    deviseFacture: data.currency,
    typeFacture: data.type,
    typeTva: 'TVA_SUR_DEBIT',
  };
  if (data.engagementNumber) references.numeroBonCommande = data.engagementNumber;
  if (data.marketNumber) references.numeroMarche = data.marketNumber;
  return {
    modeDepot: data.mode === 'pdf' ? 'DEPOT_PDF_API' : 'SAISIE_API',
    numeroFactureSaisi: data.number,
    dateFacture: data.issueDate,
    destinataire: {
      codeDestinataire: data.recipientSiret,
      ...(data.serviceCode ? { codeServiceExecutant: data.serviceCode } : {}),
    },
    fournisseur: { idFournisseur: data.supplierStructureId },
    cadreDeFacturation: {
      codeCadreFacturation: data.billingFrame,
      ...(data.validatorSiret ? { codeStructureValideur: data.validatorSiret } : {}),
    },
    references,
    ...(data.lines.length > 0
      ? {
          lignePoste: data.lines.map((line, i) => ({
            lignePosteNumero: i + 1,
            lignePosteDenomination: line.description,
            lignePosteQuantite: Number(line.quantity),
            lignePosteUnite: line.unit,
            lignePosteMontantUnitaireHT: Number(line.unitPrice),
            lignePosteTauxTvaManuel: Number(line.vatRate),
          })),
        }
      : {}),
    ligneTva: data.vatBreakdown.map((v) => ({
      ligneTvaTauxManuel: Number(v.rate),
      ligneTvaMontantBaseHtParTaux: Number(v.base),
      ligneTvaMontantTvaParTaux: Number(v.vat),
    })),
    montantTotal: {
      montantHtTotal: Number(data.amountWithoutVat),
      montantTVA: Number(data.vatAmount),
      montantTtcTotal: Number(data.amountWithVat),
      montantAPayer: Number(data.amountWithVat),
    },
    ...(data.mainAttachment
      ? {
          pieceJointePrincipale: {
            pieceJointePrincipaleId: Number(data.mainAttachment.id),
            pieceJointePrincipaleDesignation: data.mainAttachment.name.slice(0, 50),
          },
        }
      : {}),
    ...(data.additionalAttachments.length > 0
      ? // The values `pieceJointeComplementaireType` takes are documented nowhere we know of: it is left out, as for
        // completer.
        {
          pieceJointeComplementaire: data.additionalAttachments.map((a) => ({
            pieceJointeComplementaireId: Number(a.id),
            pieceJointeComplementaireDesignation: a.name.slice(0, 50),
          })),
        }
      : {}),
    ...(data.comment ? { commentaire: data.comment } : {}),
  };
}

/** `beforeSend`: see ChorusClient.soumettre. */
export async function submit(
  client: ChorusClient,
  account: TechnicalAccount,
  data: SubmissionData,
  beforeSend?: () => Promise<void>,
): Promise<SubmissionReceipt> {
  const res = await client.soumettre(account, soumettreBody(data), beforeSend ? { beforeSend } : {});
  return {
    chorusInvoiceId: res.identifiantFactureCPP === undefined ? null : String(res.identifiantFactureCPP),
    status: orNull(res.statutFacture),
    depositDate: parseChorusDate(res.dateDepot),
    answer: answerLine(res),
  };
}
