/**
 * The XML a Factur-X PDF carries, found as Chorus Pro would: through the document's embedded files, read with
 * pdf-lib (the library the test fixtures are made with), not with the intake's own PDF scan.
 */
import {
  decodePDFRawStream,
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFName,
  PDFRawStream,
  PDFString,
  PDFHexString,
} from '@cantoo/pdf-lib';

export async function embeddedXml(pdf: Buffer): Promise<{ name: string; bytes: Buffer } | null> {
  const doc = await PDFDocument.load(pdf, {
    ignoreEncryption: true,
    updateMetadata: false,
    throwOnInvalidObject: false,
  });
  const names = doc.catalog.lookupMaybe(PDFName.of('Names'), PDFDict);
  const tree = names?.lookupMaybe(PDFName.of('EmbeddedFiles'), PDFDict);
  if (!tree) return null;
  const found: Array<{ name: string; bytes: Buffer }> = [];
  collect(tree, found);
  return found.find((f) => /factur-x\.xml|zugferd|xrechnung|\.xml$/i.test(f.name)) ?? null;
}

/** Walks a name tree (leaves in `Names`, branches in `Kids`). */
function collect(node: PDFDict, found: Array<{ name: string; bytes: Buffer }>): void {
  const kids = node.lookupMaybe(PDFName.of('Kids'), PDFArray);
  for (let i = 0; i < (kids?.size() ?? 0); i++) {
    const kid = kids!.lookupMaybe(i, PDFDict);
    if (kid) collect(kid, found);
  }
  const leaves = node.lookupMaybe(PDFName.of('Names'), PDFArray);
  for (let i = 0; i + 1 < (leaves?.size() ?? 0); i += 2) {
    const key = leaves!.lookup(i);
    const spec = leaves!.lookupMaybe(i + 1, PDFDict);
    const stream = spec?.lookupMaybe(PDFName.of('EF'), PDFDict)?.lookup(PDFName.of('F'));
    if (!(stream instanceof PDFRawStream)) continue;
    const name = key instanceof PDFString || key instanceof PDFHexString ? key.decodeText() : 'attachment';
    found.push({ name, bytes: Buffer.from(decodePDFRawStream(stream).decode()) });
  }
}
