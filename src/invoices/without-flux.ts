/**
 * Invoices deposited without a flux (depositMode pdf and data): what soumettre is given, and how Chorus Pro's
 * reading of a PDF compares with the data the invoice was submitted with.
 */
import { submitFrameCode } from '../chorus/codes.js';
import type { PdfReading, SubmissionData } from '../chorus/submit.js';
import type { Invoice } from '../db/entities/invoice.js';
import { toCents } from './money.js';

export interface ReadingDisagreement {
  field: string;
  given: string | null;
  read: string | null;
}

/** What soumettre says of the invoice; null when the row cannot be submitted so (a bug of the intake's checks). */
export function submissionDataOf(
  invoice: Invoice,
  supplierStructureId: number,
  attachments: Array<{ id: string; name: string }> = [],
): SubmissionData | null {
  const frame = submitFrameCode(invoice.billingFrame);
  if (!frame || invoice.type === 'ACOMPTE' || invoice.depositMode === 'flux' || !invoice.vatBreakdown) return null;
  if (invoice.depositMode === 'pdf' && (!invoice.chorusAttachmentId || !invoice.fileName)) return null;
  return {
    mode: invoice.depositMode,
    number: invoice.number,
    issueDate: invoice.issueDate,
    supplierStructureId,
    recipientSiret: invoice.recipientSiret,
    serviceCode: invoice.serviceCode,
    billingFrame: frame,
    validatorSiret: invoice.validatorSiret,
    type: invoice.type,
    currency: invoice.currency,
    engagementNumber: invoice.engagementNumber,
    marketNumber: invoice.marketNumber,
    amountWithoutVat: invoice.amountWithoutVat,
    vatAmount: invoice.vatAmount,
    amountWithVat: invoice.amountWithVat,
    vatBreakdown: invoice.vatBreakdown,
    lines: invoice.lines ?? [],
    mainAttachment:
      invoice.depositMode === 'pdf' && invoice.chorusAttachmentId && invoice.fileName
        ? { id: invoice.chorusAttachmentId, name: invoice.fileName }
        : null,
    additionalAttachments: attachments,
    comment: invoice.comment,
  };
}

const cents = (value: number | null) => (value === null ? null : BigInt(Math.round(value * 100)));

/** Where what Chorus Pro read in the PDF differs from the data given at intake (a field it could not read counts). */
export function readingDisagreements(invoice: Invoice, reading: PdfReading): ReadingDisagreement[] {
  const text: Array<[string, string | null, string | null]> = [
    ['number', invoice.number, reading.number],
    ['issueDate', invoice.issueDate, reading.issueDate],
    ['recipientSiret', invoice.recipientSiret, reading.recipientSiret],
    ['serviceCode', invoice.serviceCode, reading.serviceCode],
    ['engagementNumber', invoice.engagementNumber, reading.engagementNumber],
    ['currency', invoice.currency, reading.currency],
  ];
  const money: Array<[string, string, number | null]> = [
    ['amountWithoutVat', invoice.amountWithoutVat, reading.amountWithoutVat],
    ['vatAmount', invoice.vatAmount, reading.vatAmount],
    ['amountWithVat', invoice.amountWithVat, reading.amountWithVat],
  ];
  // Chorus Pro answers an empty string for a field its reader found nothing in: that is nothing read.
  const readText = (value: string | null) => (value === null || value.trim() === '' ? null : value.trim());
  return [
    ...text
      .map(([field, given, read]) => [field, given, readText(read)] as const)
      .filter(([, given, read]) => (given ?? null) !== read)
      .map(([field, given, read]) => ({ field, given, read })),
    ...money
      .filter(([, given, read]) => toCents(given) !== cents(read))
      .map(([field, given, read]) => ({ field, given, read: read === null ? null : read.toFixed(2) })),
  ];
}
