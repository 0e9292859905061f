/** The files inside a flux: a single invoice, or a .zip / .tar.gz batch of several (Chorus Pro's batch rule). */
import { gunzipSync, gzipSync } from 'node:zlib';
import { unzipSync } from 'fflate';

export interface FluxFile {
  name: string;
  content: Buffer;
}

export function isZip(content: Buffer): boolean {
  return content.length > 4 && content.readUInt32LE(0) === 0x04034b50;
}

export function isGzip(content: Buffer): boolean {
  return content.length > 2 && content[0] === 0x1f && content[1] === 0x8b;
}

/** Unpacks a batch; a single file comes back as a list of one. Throws on a damaged archive. */
export function filesOfFlux(name: string, content: Buffer): FluxFile[] {
  if (isZip(content)) {
    return Object.entries(unzipSync(new Uint8Array(content)))
      .filter(([entry]) => !entry.endsWith('/'))
      .map(([entry, bytes]) => ({ name: entry, content: Buffer.from(bytes) }));
  }
  if (isGzip(content)) return readTar(gunzipSync(content));
  return [{ name, content }];
}

/** A ustar reader: 512-byte headers, octal sizes, data padded to 512 bytes. */
function readTar(tar: Buffer): FluxFile[] {
  const files: FluxFile[] = [];
  for (let offset = 0; offset + 512 <= tar.length;) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, length: number) =>
      header
        .subarray(start, start + length)
        .toString('latin1')
        .replace(/\0.*$/s, '')
        .trim();
    const prefix = field(345, 155);
    const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    const size = parseInt(field(124, 12) || '0', 8);
    const type = field(156, 1);
    if (Number.isNaN(size)) throw new Error('Damaged tar archive');
    const data = tar.subarray(offset + 512, offset + 512 + size);
    if (type === '' || type === '0') files.push({ name, content: Buffer.from(data) });
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

/** Writes a .tar.gz, for tests and sample batches. */
export function writeTarGz(files: FluxFile[], modifiedAt: Date): Buffer {
  const blocks: Buffer[] = [];
  for (const file of files) {
    const header = Buffer.alloc(512);
    header.write(file.name.slice(0, 100), 0, 'latin1');
    header.write('0000644\0', 100, 'latin1');
    header.write('0000000\0', 108, 'latin1');
    header.write('0000000\0', 116, 'latin1');
    header.write(`${file.content.length.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
    header.write(
      `${Math.floor(modifiedAt.getTime() / 1000)
        .toString(8)
        .padStart(11, '0')}\0`,
      136,
      'latin1',
    );
    header.write('0', 156, 'latin1');
    header.write('ustar\0', 257, 'latin1');
    header.write('00', 263, 'latin1');
    header.fill(' ', 148, 156);
    const checksum = header.reduce((sum, b) => sum + b, 0);
    header.write(`${checksum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    blocks.push(header, file.content, Buffer.alloc((512 - (file.content.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}
