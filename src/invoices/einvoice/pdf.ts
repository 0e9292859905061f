/**
 * The Factur-X XML of a PDF, found as a PDF reader would: through the file specification named `factur-x.xml`
 * and its embedded-file stream (`/EF /F`), also when the dictionaries sit in compressed object streams. Never
 * "the first stream that looks like an invoice": a decoy placed before the real one must not pass. Every
 * step is bounded (objects looked at, streams inflated, bytes inflated).
 */
import { inflateSync } from 'node:zlib';
import { FileTooComplexError, type FileLimits } from './limits.js';
import { UnreadableInvoiceError } from './read-invoice.js';

interface PdfObject {
  dict: string;
  /** The raw stream bytes, for a stream object. */
  stream?: Buffer;
}

const OBJECT_HEADER = /(\d+)\s+(\d+)\s+obj\b/g;
const FACTUR_X_NAME = 'factur-x.xml';

export function facturXml(pdf: Buffer, limits: FileLimits): Buffer {
  const budget = { streams: limits.maxPdfStreams };
  const objects = readObjects(pdf, limits);
  for (const object of [...objects.values()]) {
    if (/\/Type\s*\/ObjStm\b/.test(object.dict) && object.stream) readObjectStream(object, objects, limits, budget);
  }
  const specs = [...objects.values()].filter(
    (o) => /\/EF\b/.test(o.dict) && fileNamesOf(o.dict).some((n) => n.toLowerCase() === FACTUR_X_NAME),
  );
  const targets = new Set(
    specs
      .map((s) => /\/EF\s*<<[^>]*?\/F\s+(\d+)\s+\d+\s+R/.exec(s.dict)?.[1])
      .filter((n): n is string => n !== undefined),
  );
  if (targets.size === 0)
    throw new UnreadableInvoiceError('The PDF has no embedded file named factur-x.xml: it is not a Factur-X invoice');
  if (targets.size > 1)
    throw new UnreadableInvoiceError(
      'The PDF embeds several different files named factur-x.xml: which one is the invoice is ambiguous',
    );
  const embedded = objects.get([...targets][0]!);
  if (!embedded?.stream)
    throw new UnreadableInvoiceError('The PDF names an embedded factur-x.xml but holds no such stream');
  return decode(embedded, limits, budget);
}

/** Every `n g obj ... endobj`, the later definition of a number winning (incremental updates). */
function readObjects(pdf: Buffer, limits: FileLimits): Map<string, PdfObject> {
  const text = pdf.toString('latin1');
  const objects = new Map<string, PdfObject>();
  let count = 0;
  for (const match of text.matchAll(OBJECT_HEADER)) {
    if (++count > limits.maxPdfObjects)
      throw new FileTooComplexError(`The PDF has more than ${limits.maxPdfObjects} objects (FILE_MAX_PDF_OBJECTS)`);
    const start = match.index + match[0].length;
    const end = text.indexOf('endobj', start);
    if (end < 0) continue;
    const body = text.slice(start, end);
    const streamAt = /\bstream\r?\n/.exec(body);
    if (!streamAt) {
      objects.set(match[1]!, { dict: body });
      continue;
    }
    const dict = body.slice(0, streamAt.index);
    const dataStart = start + streamAt.index + streamAt[0].length;
    const declared = /\/Length\s+(\d+)(?!\s+\d+\s+R)/.exec(dict)?.[1];
    const dataEnd =
      declared !== undefined && dataStart + Number(declared) <= end
        ? dataStart + Number(declared)
        : text.lastIndexOf('endstream', end);
    objects.set(match[1]!, { dict, stream: pdf.subarray(dataStart, Math.max(dataStart, dataEnd)) });
  }
  return objects;
}

/** The objects an object stream holds (`/N` pairs of number and offset, then the objects from `/First`). */
function readObjectStream(
  container: PdfObject,
  objects: Map<string, PdfObject>,
  limits: FileLimits,
  budget: { streams: number },
): void {
  const data = decode(container, limits, budget).toString('latin1');
  const n = Number(/\/N\s+(\d+)/.exec(container.dict)?.[1] ?? 0);
  const first = Number(/\/First\s+(\d+)/.exec(container.dict)?.[1] ?? 0);
  if (objects.size + n > limits.maxPdfObjects)
    throw new FileTooComplexError(`The PDF has more than ${limits.maxPdfObjects} objects (FILE_MAX_PDF_OBJECTS)`);
  const header = data.slice(0, first).trim().split(/\s+/).map(Number);
  for (let i = 0; i < n && 2 * i + 1 < header.length; i++) {
    const from = first + header[2 * i + 1]!;
    const to = i + 1 < n && 2 * i + 3 < header.length ? first + header[2 * i + 3]! : data.length;
    objects.set(String(header[2 * i]), { dict: data.slice(from, to) });
  }
}

function decode(object: PdfObject, limits: FileLimits, budget: { streams: number }): Buffer {
  if (--budget.streams < 0)
    throw new FileTooComplexError(
      `The PDF needs more than ${limits.maxPdfStreams} streams inflated (FILE_MAX_PDF_STREAMS)`,
    );
  const filters = [...(/\/Filter\s*(\[[^\]]*\]|\/\w+)/.exec(object.dict)?.[1] ?? '').matchAll(/\/(\w+)/g)].map(
    (m) => m[1],
  );
  if (filters.some((f) => f !== 'FlateDecode'))
    throw new UnreadableInvoiceError(`The PDF stream uses a filter the intake does not read (${filters.join(', ')})`);
  if (filters.length === 0) return object.stream!;
  try {
    return inflateSync(object.stream!, { maxOutputLength: limits.maxXmlBytes });
  } catch (error) {
    if (error instanceof RangeError)
      throw new FileTooComplexError(
        `A PDF stream inflates to more than ${limits.maxXmlBytes} bytes (FILE_MAX_XML_BYTES)`,
      );
    throw new UnreadableInvoiceError('A PDF stream is damaged and cannot be inflated');
  }
}

/** The names a file specification gives (`/F`, `/UF`), as literal or hex strings, UTF-16 or not. */
function fileNamesOf(dict: string): string[] {
  const names: string[] = [];
  for (const m of dict.matchAll(/\/(?:UF|F)\s*(\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>)/g)) {
    const raw = m[1]!;
    const bytes = raw.startsWith('(')
      ? Buffer.from(raw.slice(1, -1).replace(/\\([()\\])/g, '$1'), 'latin1')
      : Buffer.from(raw.slice(1, -1).replace(/\s/g, ''), 'hex');
    const utf16 = bytes[0] === 0xfe && bytes[1] === 0xff;
    names.push(
      utf16
        ? Buffer.from(bytes.subarray(2, 2 + ((bytes.length - 2) & ~1)))
            .swap16()
            .toString('utf16le')
        : bytes.toString('latin1'),
    );
  }
  return names;
}
