/**
 * Chorus Pro codes that our users know by name, as the official Swagger spells them
 * (`swagger-factures.json`; a contract test compares these lists with it).
 */
import { CADRES_FACTURATION, INVOICE_TYPES, SYNTAXE_FLUX, type CadreFacturation, type InvoiceType, type SyntaxeFlux } from './contract/vocabulary.js';

export { CADRES_FACTURATION, INVOICE_TYPES, SYNTAXE_FLUX, type CadreFacturation, type InvoiceType, type SyntaxeFlux };

/** What the bytes of a deposited file must look like for each `syntaxeFlux`. */
export type FileKind = 'pdf' | 'xml' | 'pdf-or-xml';
export function expectedFileKind(syntaxeFlux: SyntaxeFlux): FileKind {
  if (syntaxeFlux === 'IN_DP_E2_CII_FACTURX') return 'pdf';
  // The PDFARCHIVE ("MUG") variants are not documented well enough to know whether Chorus wants the PDF or the XML.
  if (syntaxeFlux.startsWith('IN_DP_PDFARCHIVE_')) return 'pdf-or-xml';
  return 'xml';
}

export const BILLING_FRAMES = CADRES_FACTURATION.map((code) => code.slice(0, code.indexOf('_'))) as readonly string[];
