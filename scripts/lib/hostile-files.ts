/** Files an attacker would send to the intake, built byte by byte (no library would write them). */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDeflate, deflateSync } from 'node:zlib';

/** A minimal PDF whose catalog names one embedded file `factur-x.xml`, with these stream bytes (already encoded). */
export function pdfEmbedding(
  stream: Buffer,
  options: { flate: boolean; name?: string; before?: string } = { flate: true },
): Buffer {
  const head = [
    '%PDF-1.7',
    options.before ?? '',
    '1 0 obj <</Type/Catalog/Names 2 0 R>> endobj',
    `2 0 obj <</EmbeddedFiles <</Names [(${options.name ?? 'factur-x.xml'}) 3 0 R]>>>> endobj`,
    `3 0 obj <</Type/Filespec/F (${options.name ?? 'factur-x.xml'})/UF (${options.name ?? 'factur-x.xml'})/EF <</F 4 0 R>>/AFRelationship/Data>> endobj`,
    `4 0 obj <</Type/EmbeddedFile/Subtype/text#2Fxml${options.flate ? '/Filter/FlateDecode' : ''}/Length ${stream.length}>>stream`,
    '',
  ].join('\n');
  return Buffer.concat([
    Buffer.from(head, 'latin1'),
    stream,
    Buffer.from('\nendstream\nendobj\ntrailer <</Root 1 0 R>>\n%%EOF\n', 'latin1'),
  ]);
}

/**
 * `size` bytes of zeros, deflated (1 GiB deflates to about 1 MB), without ever holding the inflated bytes. Kept in
 * the system's temporary folder: deflating 1 GiB costs seconds of CPU that several tests would otherwise repeat.
 */
export async function deflatedZeros(size: number): Promise<Buffer> {
  const cached = join(tmpdir(), `chorus-relay-deflated-zeros-${size}.bin`);
  if (existsSync(cached)) return readFileSync(cached);
  const made = await deflateZeros(size);
  writeFileSync(`${cached}.${process.pid}`, made);
  renameSync(`${cached}.${process.pid}`, cached);
  return made;
}

async function deflateZeros(size: number): Promise<Buffer> {
  const deflate = createDeflate({ level: 9 });
  const chunks: Buffer[] = [];
  deflate.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((resolve) => deflate.on('end', resolve));
  const block = Buffer.alloc(1 << 20);
  for (let written = 0; written < size; written += block.length) {
    if (!deflate.write(block)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await done;
  return Buffer.concat(chunks);
}

/** A PDF of `count` empty Flate streams (each one a failed inflate for a reader that tries them all). */
export function pdfOfEmptyStreams(count: number): Buffer {
  const parts = ['%PDF-1.7\n'];
  for (let i = 1; i <= count; i++) parts.push(`${i} 0 obj<</Filter/FlateDecode>>stream\n\nendstream endobj\n`);
  parts.push('%%EOF\n');
  return Buffer.from(parts.join(''), 'latin1');
}

/** A UBL invoice with `count` sibling elements in it. */
export function ublWithSiblings(count: number): Buffer {
  return Buffer.from(
    `<?xml version="1.0"?><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">${'<a>1</a>'.repeat(count)}</Invoice>`,
  );
}

/**
 * The costliest small XML for the parser found (attributes, then sibling elements), just under `maxBytes`: the
 * kind of file read on the event loop (FILE_INLINE_MAX_BYTES), whose cost must stay bounded by its size.
 */
export function ublOfManyAttributes(maxBytes: number): Buffer {
  const head = '<?xml version="1.0"?><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><a ';
  const tail = '/></Invoice>';
  const attributes: string[] = [];
  let size = head.length + tail.length;
  for (let i = 0; ; i++) {
    const attribute = `x${i}="1" `;
    if (size + attribute.length > maxBytes) break;
    attributes.push(attribute);
    size += attribute.length;
  }
  return Buffer.from(head + attributes.join('') + tail);
}

/** A UBL invoice nested `depth` levels deep. */
export function ublNested(depth: number): Buffer {
  return Buffer.from(
    `<?xml version="1.0"?><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</Invoice>`,
  );
}

/** Entity expansion ("billion laughs"): ten levels of ten. */
export function billionLaughs(): Buffer {
  const entities = ['<!ENTITY lol "lol">'];
  for (let i = 1; i <= 9; i++) entities.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`);
  return Buffer.from(`<?xml version="1.0"?><!DOCTYPE Invoice [${entities.join('')}]><Invoice>&lol9;</Invoice>`);
}

export const XXE = Buffer.from(
  '<?xml version="1.0"?><!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Invoice><ID>&xxe;</ID></Invoice>',
);
export const PARAMETER_ENTITY = Buffer.from(
  '<?xml version="1.0"?><!DOCTYPE Invoice [<!ENTITY % p "<!ENTITY e \'x\'>"> %p;]><Invoice><ID>&e;</ID></Invoice>',
);

/** A PDF whose one object stream inflates to `size` bytes. */
export function pdfWithObjectStreamBomb(deflated: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(
      `%PDF-1.7\n1 0 obj <</Type/ObjStm/N 1/First 4/Filter/FlateDecode/Length ${deflated.length}>>stream\n`,
      'latin1',
    ),
    deflated,
    Buffer.from('\nendstream endobj\n%%EOF\n', 'latin1'),
  ]);
}

/** A PDF of `count` small object streams. */
export function pdfOfObjectStreams(count: number): Buffer {
  const body = deflateSync(Buffer.from('9 0 <<>>'));
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n')];
  for (let i = 1; i <= count; i++) {
    parts.push(
      Buffer.from(`${i} 0 obj <</Type/ObjStm/N 1/First 4/Filter/FlateDecode/Length ${body.length}>>stream\n`, 'latin1'),
      body,
      Buffer.from('\nendstream endobj\n'),
    );
  }
  return Buffer.concat(parts);
}

/**
 * A stream object placed right after a PDF's header: what a reader scanning for the first invoice-looking stream would
 * take.
 */
export function withDecoyFirst(pdf: Buffer, decoyXml: string): Buffer {
  const headerEnd = pdf.indexOf('\n') + 1;
  const stream = deflateSync(Buffer.from(decoyXml));
  const decoy = Buffer.concat([
    Buffer.from(`99999 0 obj <</Filter/FlateDecode/Length ${stream.length}>>stream\n`, 'latin1'),
    stream,
    Buffer.from('\nendstream\nendobj\n'),
  ]);
  return Buffer.concat([pdf.subarray(0, headerEnd), decoy, pdf.subarray(headerEnd)]);
}

export interface ZipPart {
  name: string;
  /** The entry's data as stored in the archive: raw deflate for method 8, the bytes themselves for method 0. */
  data: Buffer;
  method: 0 | 8;
  /** The uncompressed size the headers declare: the truth, or a lie. */
  declaredSize: number;
}

/** A ZIP archive written byte by byte, so that its headers can say what its data is not. */
export function zipOf(parts: ZipPart[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const part of parts) {
    const name = Buffer.from(part.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(part.method, 8);
    local.writeUInt32LE(part.data.length, 18);
    local.writeUInt32LE(part.declaredSize, 22);
    local.writeUInt16LE(name.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x800, 8);
    entry.writeUInt16LE(part.method, 10);
    entry.writeUInt32LE(part.data.length, 20);
    entry.writeUInt32LE(part.declaredSize, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(offset, 42);
    locals.push(local, name, part.data);
    central.push(entry, name);
    offset += local.length + name.length + part.data.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** Raw deflate (as ZIP stores it) of `size` zeros: the zlib stream of deflatedZeros without its header and checksum. */
export async function rawDeflatedZeros(size: number): Promise<Buffer> {
  const zlib = await deflatedZeros(size);
  return zlib.subarray(2, zlib.length - 4);
}

/**
 * A batch whose `count` files each declare `declaredSize` bytes but hide 1 GiB of zeros behind it (a header that
 * understates its size), with a manifest naming them: what an inflater that runs to the end of each stream pays for.
 */
export async function lyingBatch(count: number, declaredSize = 20_000): Promise<Buffer> {
  const hidden = await rawDeflatedZeros(1 << 30);
  const files = Array.from({ length: count }, (_, i): ZipPart => ({
    name: `hidden-${i}.xml`,
    data: hidden,
    method: 8,
    declaredSize,
  }));
  const manifest = Buffer.from(`file;number\n${files.map((f, i) => `${f.name};LIE-${i}`).join('\n')}\n`);
  return zipOf([{ name: 'manifest.csv', data: manifest, method: 0, declaredSize: manifest.length }, ...files]);
}
