/** What Chorus Pro read in a plain PDF, compared with the data given: an empty reading is nothing read. */
import { describe, expect, it } from 'vitest';
import type { PdfReading } from '../../src/chorus/submit.js';
import type { Invoice } from '../../src/db/entities/invoice.js';
import { readingDisagreements } from '../../src/invoices/without-flux.js';

const given = {
  number: 'F2026-0101',
  issueDate: '2026-11-20',
  recipientSiret: '11000201100044',
  serviceCode: 'SERVICE-BTP',
  engagementNumber: null,
  currency: 'EUR',
  amountWithoutVat: '1000.00',
  vatAmount: '200.00',
  amountWithVat: '1200.00',
} as unknown as Invoice;
const readAlike: PdfReading = {
  attachmentId: '1',
  number: 'F2026-0101',
  issueDate: '2026-11-20',
  supplierSiret: null,
  recipientSiret: '11000201100044',
  serviceCode: 'SERVICE-BTP',
  engagementNumber: null,
  currency: 'EUR',
  amountWithoutVat: 1000,
  vatAmount: 200,
  amountWithVat: 1200,
};

describe('readingDisagreements', () => {
  it('finds none when the PDF says what was given', () => {
    expect(readingDisagreements(given, readAlike)).toEqual([]);
  });

  it('tells an empty or blank reading as nothing read, and an absent field given as nothing given', () => {
    expect(readingDisagreements(given, { ...readAlike, number: '', serviceCode: '  ', engagementNumber: '' })).toEqual([
      { field: 'number', given: 'F2026-0101', read: null },
      { field: 'serviceCode', given: 'SERVICE-BTP', read: null },
    ]);
  });
});
