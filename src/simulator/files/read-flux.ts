/** Each file of a deposited flux, read into the data the simulator's rules check, or the reason it cannot be. */
import type { FluxFile } from '../model.js';
import { filesInFlux } from './archive.js';
import { readInvoiceXml } from './invoice-xml.js';
import { embeddedXml } from './pdf.js';

export async function readFlux(fileName: string, bytes: Buffer): Promise<FluxFile[]> {
  let files;
  try {
    files = filesInFlux(fileName, bytes);
  } catch (error) {
    return [{ name: fileName, error: `archive illisible : ${(error as Error).message}` }];
  }
  const read: FluxFile[] = [];
  for (const file of files) {
    try {
      const isPdf = file.bytes.subarray(0, 5).toString('latin1') === '%PDF-';
      const xml = isPdf ? await xmlOfPdf(file.bytes) : file.bytes;
      if (!xml) throw new Error('le PDF ne contient pas de facture XML (Factur-X) attachée');
      read.push({ name: file.name, data: readInvoiceXml(xml) });
    } catch (error) {
      read.push({ name: file.name, error: (error as Error).message });
    }
  }
  return read;
}

async function xmlOfPdf(pdf: Buffer): Promise<Buffer | undefined> {
  try {
    return (await embeddedXml(pdf))?.bytes;
  } catch (error) {
    throw new Error(
      `PDF illisible, un Factur-X (PDF/A-3 avec sa facture XML) est attendu : ${(error as Error).message}`,
      { cause: error },
    );
  }
}
