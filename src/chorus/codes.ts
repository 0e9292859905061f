/**
 * Chorus Pro codes that our users know by name, as the official Swagger spells them
 * (`swagger-factures.json`; a contract test compares these lists with it).
 */
import {
  CADRES_FACTURATION,
  CADRES_FACTURATION_SOUMETTRE,
  INVOICE_TYPES,
  SYNTAXE_FLUX,
  type CadreFacturation,
  type InvoiceType,
  type SyntaxeFlux,
} from './contract/vocabulary.js';

export { CADRES_FACTURATION, INVOICE_TYPES, SYNTAXE_FLUX, type CadreFacturation, type InvoiceType, type SyntaxeFlux };

/** What the bytes of a deposited file must look like for each `syntaxeFlux`. */
export type FileKind = 'pdf' | 'xml' | 'pdf-or-xml';
export function expectedFileKind(syntaxeFlux: SyntaxeFlux): FileKind {
  if (syntaxeFlux === 'IN_DP_E2_CII_FACTURX') return 'pdf';
  // The PDFARCHIVE ("MUG") variants are not documented well enough to know whether Chorus wants the PDF or the XML.
  if (syntaxeFlux.startsWith('IN_DP_PDFARCHIVE_')) return 'pdf-or-xml';
  return 'xml';
}

const prefixOf = (code: string) => code.slice(0, code.indexOf('_'));

export const BILLING_FRAMES = CADRES_FACTURATION.map(prefixOf) as readonly string[];

/** The frames `soumettre` takes (its codeCadreFacturation enum), by prefix: A1, A2, A9, A12. */
export const SUBMIT_FRAMES = CADRES_FACTURATION_SOUMETTRE.map(prefixOf) as readonly string[];

/** soumettre's code of a frame (A9 gives A9_FACTURE_SOUSTRAITANT); null for a frame it does not take. */
export function submitFrameCode(frame: string): (typeof CADRES_FACTURATION_SOUMETTRE)[number] | null {
  return CADRES_FACTURATION_SOUMETTRE.find((code) => prefixOf(code) === frame) ?? null;
}

/**
 * The frames whose invoices a validator (the main contractor) approves before the buyer gets them
 * (docs/chorus-pro-notes.md, "The validation circuit").
 */
export const FRAMES_WITH_VALIDATOR: readonly string[] = ['A9', 'A12'];

/**
 * The frames of works documents (docs/chorus-pro-notes.md, "Works documents"): monthly and final drafts, payment
 * statements, general statements and the tacit procedure, by the holder, its subcontractors and co-contractors, the MOE
 * and the MOA. A1 to A3, A9, A12 (ordinary invoices) and A21 (a TIC refund) are not.
 */
export const WORKS_FRAMES: readonly string[] = BILLING_FRAMES.filter(
  (f) => !['A1', 'A2', 'A3', 'A9', 'A12', 'A21'].includes(f),
);
