/**
 * The validator's side of Chorus Pro, in our words: a main contractor (or a co-contractor) validates or refuses
 * the invoices its subcontractors and co-contractors deposit (frames A9 and A12) before they go to the buyer;
 * 15 days of silence count as validation (docs/chorus-pro-notes.md, "The validation circuit"). Chorus's field names
 * stay here.
 */
import type { ChorusClient, TechnicalAccount } from './client.js';
import { parseChorusDate } from './dates.js';

export interface InvoiceToValidate {
  chorusInvoiceId: string;
  number: string | null;
  supplierSiret: string | null;
  supplierName: string | null;
  recipientSiret: string | null;
  recipientName: string | null;
  serviceCode: string | null;
  marketNumber: string | null;
  engagementNumber: string | null;
  /** The raw status: A_VALIDER_1 or A_VALIDER_2 */
  status: string | null;
  depositedAt: Date | null;
  issueDate: string | null;
}

export interface ValidatorView {
  status: string | null;
  frame: string | null;
  amountWithVat: number | null;
  amountToPay: number | null;
}

/** What the validator does: `action` values as go-choruspro sends them (no official list exists). */
export type ValidatorDecision = { action: 'approve'; comment: string | null } | { action: 'refuse'; reason: string };

/** Every invoice waiting for this structure's decision, over all pages. */
export async function invoicesToValidate(
  client: ChorusClient,
  account: TechnicalAccount,
  validatorSiret: string,
): Promise<InvoiceToValidate[]> {
  return (await client.rechercherFactureATraiterParValideur(account, validatorSiret)).map((item) => ({
    chorusInvoiceId: String(item.idFacture),
    number: item.numeroFacture ?? null,
    supplierSiret: item.identifiantFournisseur ?? null,
    supplierName: item.designationFournisseur ?? null,
    recipientSiret: item.identifiantDestinataire ?? null,
    recipientName: item.designationDestinataire ?? null,
    serviceCode: item.codeServiceExecutant ?? null,
    marketNumber: item.numeroMarche ?? null,
    engagementNumber: item.numeroEngagement ?? null,
    status: item.statut ?? null,
    depositedAt: parseChorusDate(item.dateDepot ?? undefined),
    issueDate: item.dateFacture ? item.dateFacture.slice(0, 10) : null,
  }));
}

/** One invoice as its validator sees it: the status, and the amounts the inbox leaves out. */
export async function viewAsValidator(
  client: ChorusClient,
  account: TechnicalAccount,
  chorusInvoiceId: string,
): Promise<ValidatorView> {
  const facture = (
    await client.call('consulterFactureParValideur', account, {
      identifiantFactureCPP: Number(chorusInvoiceId),
      codeLangue: 'FR',
    })
  ).facture;
  return {
    status: facture?.statutFacture ?? null,
    frame: facture?.cadreDeFacturation?.codeCadreFacturation ?? null,
    amountWithVat: facture?.montantTotal?.montantTtcTotal ?? null,
    amountToPay: facture?.montantTotal?.montantAPayer ?? null,
  };
}

/** `traiter/factureAValider`. Returns the status Chorus Pro gives the invoice (VALIDEE_1, REFUSEE_1...). */
export async function decideAsValidator(
  client: ChorusClient,
  account: TechnicalAccount,
  chorusInvoiceId: string,
  validatorStructureId: number | null,
  decision: ValidatorDecision,
): Promise<string | null> {
  const res = await client.call('traiterFactureAValider', account, {
    idFacture: Number(chorusInvoiceId),
    ...(validatorStructureId === null ? {} : { idValideur: validatorStructureId }),
    ...(decision.action === 'approve'
      ? { action: 'VALIDATION', ...(decision.comment ? { complementInfo: decision.comment } : {}) }
      : { action: 'REFUS', motifRefus: decision.reason }),
  });
  return res.statutFacture ?? null;
}

/** `corriger/valideur/facture`: the supplier names the right validator of its invoice. */
export async function correctValidator(
  client: ChorusClient,
  account: TechnicalAccount,
  chorusInvoiceId: string,
  validatorSiret: string,
): Promise<void> {
  await client.call('corrigerValideurFacture', account, {
    idFacture: Number(chorusInvoiceId),
    typeIdentifiantStructure: 'SIRET',
    identifiantStructure: validatorSiret,
  });
}
