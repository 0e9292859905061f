/**
 * What the simulator reads in a UBL or CII invoice, walking a DOM built by xmlbuilder2 (not the intake's
 * parser). Where each datum sits follows docs/chorus-pro-notes.md, "Identifiers and e-invoice data"; SIRETs are the
 * identifiers of scheme 0009.
 */
import { create } from 'xmlbuilder2';
import type { SimInvoiceData } from '../model.js';

interface XmlElement {
  localName: string;
  textContent: string | null;
  childNodes: ArrayLike<XmlNode>;
  getAttribute(name: string): string | null;
}
interface XmlNode {
  nodeType: number;
}
const ELEMENT_NODE = 1;

const children = (el: XmlElement | null, name: string): XmlElement[] =>
  el
    ? Array.from(el.childNodes).filter(
        (n): n is XmlNode & XmlElement =>
          n.nodeType === ELEMENT_NODE && (n as unknown as XmlElement).localName === name,
      )
    : [];

/** The first element at that path of local names (namespaces do not matter here). */
function at(el: XmlElement | null, ...path: string[]): XmlElement | null {
  let current = el;
  for (const name of path) current = children(current, name)[0] ?? null;
  return current;
}

const text = (el: XmlElement | null): string | null => {
  const value = el?.textContent?.trim();
  return value ? value : null;
};

/** A party's SIRET: the first identifier of scheme 0009 in those places, else the first identifier found. */
function siretOf(party: XmlElement | null, places: string[][]): string | null {
  const candidates = places.flatMap((path) => {
    const parent = at(party, ...path.slice(0, -1));
    return children(parent, path[path.length - 1]!);
  });
  return text(candidates.find((c) => c.getAttribute('schemeID') === '0009') ?? null) ?? text(candidates[0] ?? null);
}

/**
 * A billing frame as Chorus Pro reads BT-23: A1 to A25 only (EDI rule G1.02, docs/chorus-pro-notes.md, "Works
 * documents").
 */
const frameOf = (value: string | null): string | null => (value && /^A([1-9]|1\d|2[0-5])$/.test(value) ? value : null);

export function readInvoiceXml(bytes: Buffer): SimInvoiceData {
  const head = bytes.subarray(0, 2048).toString('utf8');
  if (/<!ENTITY/i.test(head)) throw new Error('les entités XML ne sont pas acceptées');
  const root = create(bytes.toString('utf8')).root().node as unknown as XmlElement;
  if (root.localName === 'Invoice' || root.localName === 'CreditNote') return readUbl(root);
  if (root.localName === 'CrossIndustryInvoice') return readCii(root);
  throw new Error(`format inconnu (élément racine ${root.localName})`);
}

function readUbl(root: XmlElement): SimInvoiceData {
  const supplier = at(root, 'AccountingSupplierParty', 'Party');
  const customer = at(root, 'AccountingCustomerParty', 'Party');
  const partyIds = [
    ['PartyIdentification', 'ID'],
    ['PartyLegalEntity', 'CompanyID'],
  ];
  const currency = text(at(root, 'DocumentCurrencyCode'));
  const taxTotals = children(root, 'TaxTotal').map((t) => at(t, 'TaxAmount'));
  const vat = taxTotals.find((t) => !currency || t?.getAttribute('currencyID') === currency) ?? null;
  return {
    syntax: 'UBL',
    number: text(at(root, 'ID')),
    issueDate: text(at(root, 'IssueDate')),
    typeCode: text(at(root, 'InvoiceTypeCode')) ?? text(at(root, 'CreditNoteTypeCode')),
    supplierSiret: siretOf(supplier, partyIds),
    recipientSiret: siretOf(customer, partyIds),
    serviceCode: text(at(root, 'BuyerReference')),
    engagementNumber: text(at(root, 'OrderReference', 'ID')),
    currency,
    amountWithoutVat: text(at(root, 'LegalMonetaryTotal', 'TaxExclusiveAmount')),
    vatAmount: text(vat),
    amountWithVat: text(at(root, 'LegalMonetaryTotal', 'TaxInclusiveAmount')),
    // BT-23, the business process: where Chorus Pro's billing frame travels in a file (docs/chorus-pro-notes.md,
    // "Identifiers and e-invoice data"); a profile URN (Peppol's) or a reform code (M1...) there names no frame.
    frame: frameOf(text(at(root, 'ProfileID'))),
  };
}

function readCii(root: XmlElement): SimInvoiceData {
  const transaction = at(root, 'SupplyChainTradeTransaction');
  const agreement = at(transaction, 'ApplicableHeaderTradeAgreement');
  const settlement = at(transaction, 'ApplicableHeaderTradeSettlement');
  const totals = at(settlement, 'SpecifiedTradeSettlementHeaderMonetarySummation');
  // The electronic address (BT-34, URIID) last: the fixtures' Factur-X carry the SIRET only there.
  const partyIds = [['SpecifiedLegalOrganization', 'ID'], ['GlobalID'], ['ID'], ['URIUniversalCommunication', 'URIID']];
  const issued = text(at(root, 'ExchangedDocument', 'IssueDateTime', 'DateTimeString'));
  return {
    syntax: 'CII',
    number: text(at(root, 'ExchangedDocument', 'ID')),
    // Format 102 is CCYYMMDD.
    issueDate:
      issued && /^\d{8}$/.test(issued) ? `${issued.slice(0, 4)}-${issued.slice(4, 6)}-${issued.slice(6, 8)}` : issued,
    typeCode: text(at(root, 'ExchangedDocument', 'TypeCode')),
    supplierSiret: siretOf(at(agreement, 'SellerTradeParty'), partyIds),
    recipientSiret: siretOf(at(agreement, 'BuyerTradeParty'), partyIds),
    serviceCode: text(at(agreement, 'BuyerReference')),
    engagementNumber: text(at(agreement, 'BuyerOrderReferencedDocument', 'IssuerAssignedID')),
    currency: text(at(settlement, 'InvoiceCurrencyCode')),
    amountWithoutVat: text(at(totals, 'TaxBasisTotalAmount')),
    vatAmount: text(at(totals, 'TaxTotalAmount')),
    amountWithVat: text(at(totals, 'GrandTotalAmount')),
    frame: frameOf(
      text(at(root, 'ExchangedDocumentContext', 'BusinessProcessSpecifiedDocumentContextParameter', 'ID')),
    ),
  };
}
