/**
 * The data given at intake must agree with the file's own data: Chorus Pro reads the file, so an invoice whose
 * file says something else would be integrated under data we cannot match back.
 */
import type { SyntaxeFlux } from '../chorus/codes.js';
import type { Issue } from '../shared/domain-error.js';
import { toCents } from './money.js';
import { readEInvoice, UnreadableInvoiceError, type EInvoiceData } from './einvoice/read-invoice.js';
import type { InvoiceSubmission } from './submission.js';

/** The syntaxes we can read (UBL, CII, Factur-X); PES, xCBL and Chorus's own minimal XML are not checked. */
const READABLE = new Set<SyntaxeFlux>([
  'IN_DP_E1_UBL_INVOICE',
  'IN_DP_E2_UBL_INVOICE_MIN',
  'IN_DP_E1_CII',
  'IN_DP_E1_CII_16B',
  'IN_DP_E2_CII_MIN',
  'IN_DP_E2_CII_MIN_16B',
  'IN_DP_E2_CII_FACTURX',
  'IN_DP_PDFARCHIVE_UBL_INVOICE_MUG',
  'IN_DP_PDFARCHIVE_CII_MUG',
]);

type Compared = 'number' | 'supplierSiret' | 'recipientSiret' | 'serviceCode' | 'engagementNumber' | 'amountWithoutVat' | 'vatAmount' | 'amountWithVat';

const LABELS: Record<Compared, string> = {
  number: 'invoice number',
  supplierSiret: 'supplier SIRET',
  recipientSiret: 'recipient SIRET',
  serviceCode: 'service code (BT-10, BuyerReference)',
  engagementNumber: 'engagement number (BT-13, purchase order reference)',
  amountWithoutVat: 'amount without VAT',
  vatAmount: 'VAT amount',
  amountWithVat: 'amount with VAT',
};

function same(field: Compared, given: string | null, inFile: string | null): boolean {
  if (field.startsWith('amount') || field === 'vatAmount') {
    try {
      return given !== null && inFile !== null && toCents(given) === toCents(inFile.trim());
    } catch {
      return false;
    }
  }
  return (given ?? null) === (inFile ?? null);
}

export function checkFileConsistency(submission: InvoiceSubmission): Issue[] {
  if (!READABLE.has(submission.syntaxeFlux)) return [];
  let data: EInvoiceData;
  try {
    data = readEInvoice(submission.file.content);
  } catch (error) {
    if (!(error instanceof UnreadableInvoiceError)) throw error;
    return [{ path: 'file', code: 'file_unreadable', message: `The file cannot be read as ${submission.syntaxeFlux}: ${error.message}.` }];
  }
  const issues: Issue[] = [];
  for (const field of Object.keys(LABELS) as Compared[]) {
    const given = submission[field];
    const inFile = data[field];
    if (!same(field, given, inFile)) {
      issues.push({
        path: field,
        code: 'file_mismatch',
        message: `The ${LABELS[field]} is ${given === null ? 'empty' : `"${given}"`} in the request but ${inFile === null ? 'absent' : `"${inFile}"`} in the file.`,
      });
    }
  }
  return issues;
}
