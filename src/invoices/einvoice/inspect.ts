/**
 * Everything the intake learns from an invoice file, in one bounded pass: whether its bytes are what its
 * `syntaxeFlux` promises, and the data it carries (to compare with the request). Pure and synchronous: it runs
 * in a worker thread (file-checker.ts), never on the web process's event loop.
 */
import { expectedFileKind, type SyntaxeFlux } from '../../chorus/codes.js';
import type { Issue } from '../../shared/domain-error.js';
import { FileTooComplexError, type FileLimits } from './limits.js';
import { facturXml } from './pdf.js';
import { readInvoiceXml, UnreadableInvoiceError, type EInvoiceData } from './read-invoice.js';
import { guardXml } from './xml-guard.js';
import { wellFormednessProblem } from './xml-tree.js';

/**
 * The syntaxes whose data we read (UBL, CII, Factur-X); PES, xCBL and Chorus's own minimal XML are only checked as XML.
 */
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

export interface FileInspection {
  issues: Issue[];
  /** The file's data, when its syntax is one we read and it could be read. */
  data: EInvoiceData | null;
}

export function isPdf(content: Buffer): boolean {
  // The header may follow a few bytes of garbage in the wild; PDF readers look within the first 1024 bytes.
  return content.subarray(0, 1024).includes('%PDF-');
}

export function inspectInvoiceFile(content: Buffer, syntaxeFlux: SyntaxeFlux, limits: FileLimits): FileInspection {
  const kind = expectedFileKind(syntaxeFlux);
  const pdf = isPdf(content);
  const issue = (code: string, message: string): FileInspection => ({
    issues: [{ path: 'file', code, message }],
    data: null,
  });
  if (kind === 'pdf' && !pdf)
    return issue(
      'file_not_pdf',
      `syntaxeFlux ${syntaxeFlux} expects a Factur-X PDF, but the file does not start with a PDF header (%PDF-).`,
    );
  const asXml = kind === 'xml' || (kind === 'pdf-or-xml' && !pdf);
  try {
    const xml = (asXml ? content : facturXml(content, limits)).toString('utf8').replace(/^\uFEFF/, '');
    if (asXml && !xml.trimStart().startsWith('<'))
      return issue(
        'file_not_xml',
        `syntaxeFlux ${syntaxeFlux} expects a well-formed XML file: it does not start with "<".`,
      );
    guardXml(xml, limits);
    if (!READABLE.has(syntaxeFlux)) {
      const problem = wellFormednessProblem(xml);
      return problem === null
        ? { issues: [], data: null }
        : issue('file_not_xml', `syntaxeFlux ${syntaxeFlux} expects a well-formed XML file. ${problem}.`);
    }
    return { issues: [], data: readInvoiceXml(xml) };
  } catch (error) {
    if (error instanceof FileTooComplexError)
      return issue('file_too_complex', `The file is refused before it is read to the end: ${error.message}.`);
    if (error instanceof UnreadableInvoiceError) {
      const code = error.code ?? (asXml && /well-formed/.test(error.message) ? 'file_not_xml' : 'file_unreadable');
      return issue(code, `The file cannot be read as ${syntaxeFlux}: ${error.message}.`);
    }
    throw error;
  }
}
