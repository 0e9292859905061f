/**
 * The data given at intake must agree with the file's own data: Chorus Pro reads the file, so an invoice whose
 * file says something else would be integrated under data we cannot match back.
 */
import type { Issue } from '../shared/domain-error.js';
import { toCents } from './money.js';
import type { EInvoiceData } from './einvoice/read-invoice.js';
import type { InvoiceSubmission } from './submission.js';

type Compared =
  | 'number'
  | 'currency'
  | 'supplierSiret'
  | 'recipientSiret'
  | 'serviceCode'
  | 'engagementNumber'
  | 'amountWithoutVat'
  | 'vatAmount'
  | 'amountWithVat';

const LABELS: Record<Compared, string> = {
  number: 'invoice number',
  currency: 'currency',
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

/** The request's data against the file's (null when the file's syntax is not one we read). */
export function checkFileConsistency(submission: InvoiceSubmission, data: EInvoiceData | null): Issue[] {
  if (data === null) return [];
  const issues: Issue[] = [];
  // BT-23 is compared only when the file names a frame: most files leave it out, and Chorus Pro then takes the
  // request's.
  if (data.billingFrame !== null && data.billingFrame !== submission.billingFrame) {
    issues.push({
      path: 'billingFrame',
      code: 'file_mismatch',
      message: `The billing frame is "${submission.billingFrame}" in the request but "${data.billingFrame}" in the file (BT-23).`,
    });
  }
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
