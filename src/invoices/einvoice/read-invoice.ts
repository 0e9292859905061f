/**
 * Reads the data Chorus Pro cares about from an e-invoice XML: UBL 2.1 (Invoice, CreditNote) and UN/CEFACT CII
 * (also the one a Factur-X PDF embeds, found by pdf.ts). Where each datum sits: docs/chorus-pro-notes.md, "Identifiers
 * and e-invoice data" (BT-10 service code, BT-13 engagement number, BT-29/BT-46 SIRET with scheme 0009...).
 */
import { MalformedXmlError, parseXmlTree, type XmlNode } from './xml-tree.js';

export type EInvoiceSyntax = 'UBL' | 'CII';

export interface EInvoiceData {
  syntax: EInvoiceSyntax;
  number: string | null;
  issueDate: string | null;
  /** UNTDID 1001 code: 380 invoice, 381 credit note, 386 prepayment... */
  typeCode: string | null;
  supplierSiret: string | null;
  recipientSiret: string | null;
  /** BT-10 buyer reference: Chorus Pro reads the service code there. */
  serviceCode: string | null;
  /** BT-13 purchase order reference: Chorus Pro reads the engagement number there. */
  engagementNumber: string | null;
  currency: string | null;
  amountWithoutVat: string | null;
  vatAmount: string | null;
  amountWithVat: string | null;
  /**
   * BT-23 when it holds a Chorus Pro billing frame (A1 to A25): CII
   * `BusinessProcessSpecifiedDocumentContextParameter/ID`, UBL `ProfileID`. Null otherwise (absent, PEPPOL's default
   * profile, or a reform billing mode such as M1).
   */
  billingFrame: string | null;
}

/** Only A1 to A25 name a billing frame; anything else in BT-23 says nothing about it. */
const frameIn = (value: string | null) => (value && /^A([1-9]|1\d|2[0-5])$/.test(value.trim()) ? value.trim() : null);

export class UnreadableInvoiceError extends Error {
  constructor(
    message: string,
    /** The issue code the intake answers with, when not the generic `file_unreadable`. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'UnreadableInvoiceError';
  }
}

type Node = XmlNode;

/**
 * Reads the data of an invoice XML (UBL or CII) that guardXml let through; throws UnreadableInvoiceError when it
 * is not well-formed or is neither.
 */
export function readInvoiceXml(xml: string): EInvoiceData {
  let doc: Node;
  try {
    doc = parseXmlTree(xml);
  } catch (error) {
    if (error instanceof MalformedXmlError) throw new UnreadableInvoiceError(error.message);
    throw error;
  }
  if (doc.Invoice || doc.CreditNote)
    return readUbl((doc.Invoice ?? doc.CreditNote) as Node, doc.CreditNote ? '381' : null);
  if (doc.CrossIndustryInvoice) return readCii(doc.CrossIndustryInvoice as Node);
  throw new UnreadableInvoiceError(
    `Unknown XML document (root element: ${Object.keys(doc).filter((k) => !k.startsWith('?'))[0] ?? 'none'})`,
  );
}

function text(node: unknown): string | null {
  if (node === undefined || node === null) return null;
  if (typeof node === 'string') return node.trim() || null;
  if (typeof node === 'number') return String(node);
  if (Array.isArray(node)) return text(node[0]);
  if (typeof node === 'object') return text((node as Node)['#text']);
  return null;
}

function at(node: unknown, ...path: string[]): unknown {
  let current: unknown = node;
  for (const key of path) {
    if (Array.isArray(current)) current = current[0];
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Node)[key];
  }
  return current;
}

function all(node: unknown): unknown[] {
  if (node === undefined || node === null) return [];
  return Array.isArray(node) ? node : [node];
}

/** A SIRET among identifier elements: scheme 0009 first, then any 14-digit identifier. */
function siretAmong(candidates: unknown[]): string | null {
  const values = candidates.flatMap(all);
  const withScheme = values.find(
    (v) => typeof v === 'object' && v !== null && (v as Node)['@schemeID'] === '0009' && /^\d{14}$/.test(text(v) ?? ''),
  );
  if (withScheme) return text(withScheme);
  const any = values.map(text).find((v) => v !== null && /^\d{14}$/.test(v));
  return any ?? null;
}

function readUbl(root: Node, typeOverride: string | null): EInvoiceData {
  const party = (role: string) => at(root, role, 'Party');
  const partySiret = (p: unknown) =>
    siretAmong([
      at(p, 'PartyIdentification', 'ID'),
      ...all(at(p, 'PartyIdentification')).map((x) => at(x, 'ID')),
      at(p, 'EndpointID'),
      at(p, 'PartyLegalEntity', 'CompanyID'),
    ]);
  const totals = at(root, 'LegalMonetaryTotal');
  return {
    syntax: 'UBL',
    number: text(at(root, 'ID')),
    issueDate: text(at(root, 'IssueDate')),
    typeCode: typeOverride ?? text(at(root, 'InvoiceTypeCode')) ?? text(at(root, 'CreditNoteTypeCode')),
    supplierSiret: partySiret(party('AccountingSupplierParty')),
    recipientSiret: partySiret(party('AccountingCustomerParty')),
    serviceCode: text(at(root, 'BuyerReference')),
    engagementNumber: text(at(root, 'OrderReference', 'ID')),
    currency: text(at(root, 'DocumentCurrencyCode')),
    amountWithoutVat: text(at(totals, 'TaxExclusiveAmount')),
    vatAmount: text(at(root, 'TaxTotal', 'TaxAmount')),
    amountWithVat: text(at(totals, 'TaxInclusiveAmount')),
    billingFrame: frameIn(text(at(root, 'ProfileID'))),
  };
}

function readCii(root: Node): EInvoiceData {
  const transaction = at(root, 'SupplyChainTradeTransaction');
  const agreement = at(transaction, 'ApplicableHeaderTradeAgreement');
  const settlement = at(transaction, 'ApplicableHeaderTradeSettlement');
  const sums = at(settlement, 'SpecifiedTradeSettlementHeaderMonetarySummation');
  const partySiret = (p: unknown) =>
    siretAmong([
      at(p, 'GlobalID'),
      at(p, 'ID'),
      at(p, 'SpecifiedLegalOrganization', 'ID'),
      at(p, 'URIUniversalCommunication', 'URIID'),
    ]);
  const rawDate = text(at(root, 'ExchangedDocument', 'IssueDateTime', 'DateTimeString'));
  const vat = all(at(sums, 'TaxTotalAmount'))[0];
  return {
    syntax: 'CII',
    number: text(at(root, 'ExchangedDocument', 'ID')),
    issueDate:
      rawDate && /^\d{8}$/.test(rawDate)
        ? `${rawDate.slice(0, 4)}-${rawDate.slice(4, 6)}-${rawDate.slice(6, 8)}`
        : rawDate,
    typeCode: text(at(root, 'ExchangedDocument', 'TypeCode')),
    supplierSiret: partySiret(at(agreement, 'SellerTradeParty')),
    recipientSiret: partySiret(at(agreement, 'BuyerTradeParty')),
    serviceCode: text(at(agreement, 'BuyerReference')),
    engagementNumber: text(at(agreement, 'BuyerOrderReferencedDocument', 'IssuerAssignedID')),
    currency: text(at(settlement, 'InvoiceCurrencyCode')),
    amountWithoutVat: text(at(sums, 'TaxBasisTotalAmount')),
    vatAmount: text(vat),
    amountWithVat: text(at(sums, 'GrandTotalAmount')),
    billingFrame: frameIn(
      text(at(root, 'ExchangedDocumentContext', 'BusinessProcessSpecifiedDocumentContextParameter', 'ID')),
    ),
  };
}
