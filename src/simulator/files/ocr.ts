/**
 * The simulator's stand-in for Chorus Pro's OCR of a plain PDF: it reads the invoice's printed fields from the
 * document information dictionary's Keywords, where the sample invoices write them as `name=value` pairs
 * separated by spaces or semicolons (`numero=F-1 date=2026-11-20 fournisseur=<SIRET> destinataire=<SIRET>
 * service=... engagement=... devise=EUR ht=1000.00 tva=200.00 ttc=1200.00`), read with pdf-lib, not with the
 * intake's PDF scan.
 * A PDF without them reads as nothing found, as a scan OCR could not make out.
 */
import { PDFDocument } from '@cantoo/pdf-lib';
import type { SimInvoiceData } from '../model.js';

export async function readPrintedFields(pdf: Buffer): Promise<SimInvoiceData> {
  const doc = await PDFDocument.load(pdf, {
    ignoreEncryption: true,
    updateMetadata: false,
    throwOnInvalidObject: false,
  });
  const printed = new Map<string, string>();
  for (const pair of (doc.getKeywords() ?? '').split(/[;\s]+/)) {
    const at = pair.indexOf('=');
    if (at > 0) printed.set(pair.slice(0, at).trim().toLowerCase(), pair.slice(at + 1).trim());
  }
  const field = (name: string) => printed.get(name) || null;
  return {
    syntax: 'SOUMETTRE',
    number: field('numero'),
    issueDate: field('date'),
    typeCode: null,
    supplierSiret: field('fournisseur'),
    recipientSiret: field('destinataire'),
    serviceCode: field('service'),
    engagementNumber: field('engagement'),
    currency: field('devise'),
    amountWithoutVat: field('ht'),
    vatAmount: field('tva'),
    amountWithVat: field('ttc'),
  };
}
