/**
 * The checks Chorus Pro runs on each invoice of a flux, worded like its `libelleErreurDP` lines: free French
 * text that names the XML element at fault (docs/chorus-pro-notes.md, "Fluxes and their report").
 */
import type { SimInvoiceData, SimService, SimStructure } from './model.js';

export interface RuleContext {
  /** Supplier structures the depositing technical account is attached to. */
  supplierStructures: SimStructure[];
  structureBySiret(siret: string): SimStructure | undefined;
  /** Whether this supplier already has an integrated invoice with this number. */
  isDuplicate(supplierSiret: string, number: string): boolean;
}

export type RuleOutcome =
  | { ok: true; supplier: SimStructure; recipient: SimStructure; service: SimService | null }
  | { ok: false; message: string };

/** The element at fault in the file, or the field of soumettre's request. */
const tag = (data: SimInvoiceData, ubl: string, cii: string, soumettre: string) =>
  data.syntax === 'UBL' ? ubl : data.syntax === 'CII' ? cii : soumettre;

export function checkInvoice(data: SimInvoiceData, ctx: RuleContext): RuleOutcome {
  const fail = (message: string): RuleOutcome => ({ ok: false, message });
  if (!data.number) {
    return fail(
      `Le numéro de la demande de paiement est obligatoire (balise : ${tag(data, 'Invoice.ID', 'ExchangedDocument.ID', 'numeroFactureSaisi')}).`,
    );
  }
  const supplier = ctx.supplierStructures.find((s) => s.siret === data.supplierSiret);
  if (!supplier) {
    return fail(
      `L'identifiant fournisseur de la demande de paiement (balise : ${tag(data, 'AccountingSupplierParty.Party.PartyIdentification.ID.value', 'SellerTradeParty.GlobalID.value', 'fournisseur.idFournisseur')}) n'est pas reference dans notre systeme.`,
    );
  }
  const recipientTag = tag(
    data,
    'AccountingCustomerParty.Party.PartyIdentification.ID.value',
    'BuyerTradeParty.ID.value',
    'destinataire.codeDestinataire',
  );
  const recipient = data.recipientSiret ? ctx.structureBySiret(data.recipientSiret) : undefined;
  if (!recipient || recipient.type !== 'PUBLIQUE') {
    return fail(
      `L'identifiant destinataire de la demande de paiement (balise : ${recipientTag}) n'est pas reference dans notre systeme.`,
    );
  }
  if (!recipient.active) {
    return fail(`La structure destinataire ${recipient.siret} est inactive : elle ne peut pas recevoir de facture.`);
  }
  const serviceTag = tag(
    data,
    'BuyerReference',
    'ApplicableHeaderTradeAgreement.BuyerReference',
    'destinataire.codeServiceExecutant',
  );
  const engagementTag = tag(
    data,
    'OrderReference.ID',
    'BuyerOrderReferencedDocument.IssuerAssignedID',
    'references.numeroBonCommande',
  );
  let service: SimService | null = null;
  if (data.serviceCode) {
    service = recipient.services.find((s) => s.codeService === data.serviceCode) ?? null;
    if (!service)
      return fail(
        `Le code service ${data.serviceCode} (balise : ${serviceTag}) n'existe pas pour la structure destinataire ${recipient.siret}.`,
      );
    if (!service.active)
      return fail(`Le service ${data.serviceCode} de la structure destinataire ${recipient.siret} est inactif.`);
  }
  const { flags } = recipient;
  if (flags.codeServiceDoitEtreRenseigne && !data.serviceCode) {
    return fail(
      `Le code service (balise : ${serviceTag}) est obligatoire pour la structure destinataire ${recipient.siret}.`,
    );
  }
  if (flags.numeroEJDoitEtreRenseigne && !data.engagementNumber) {
    return fail(
      `Le numéro d'engagement (balise : ${engagementTag}) est obligatoire pour la structure destinataire ${recipient.siret}.`,
    );
  }
  if (flags.gestionNumeroEJOuCodeService && !data.engagementNumber && !data.serviceCode) {
    return fail(
      `Le numéro d'engagement ou le code service doit être renseigné pour la structure destinataire ${recipient.siret}.`,
    );
  }
  if (service?.numeroEngagement && !data.engagementNumber) {
    return fail(
      `Le numéro d'engagement (balise : ${engagementTag}) est obligatoire pour le service ${service.codeService} de la structure destinataire ${recipient.siret}.`,
    );
  }
  if (ctx.isDuplicate(supplier.siret, data.number)) {
    return fail(
      `La facture numéro ${data.number} a déjà été déposée par le fournisseur ${supplier.siret} : le numéro de facture doit être unique.`,
    );
  }
  return { ok: true, supplier, recipient, service };
}
