/**
 * The simulator's reading of a deposited flux: one invoice file, or a `.zip` / `.tar.gz` batch (COMM-LOT).
 * Its own ZIP central-directory and tar readers over node:zlib, independent of the intake's.
 */
import { gunzipSync, inflateRawSync } from 'node:zlib';

export interface FileInFlux {
  name: string;
  bytes: Buffer;
}

const ZIP_END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const ZIP_CENTRAL_ENTRY = 0x02014b50;
const ZIP_LOCAL_HEADER = 0x04034b50;

export function filesInFlux(fileName: string, bytes: Buffer): FileInFlux[] {
  if (bytes.length >= 4 && bytes.readUInt32LE(0) === ZIP_LOCAL_HEADER) return unzip(bytes);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b)
    return untar(gunzipSync(bytes, { maxOutputLength: 64 * 1024 * 1024 }));
  return [{ name: fileName, bytes }];
}

function unzip(zip: Buffer): FileInFlux[] {
  // The end record is in the last 64 KiB + 22 bytes (its comment is at most 65535 bytes).
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 65_557); i--) {
    if (zip.readUInt32LE(i) === ZIP_END_OF_CENTRAL_DIRECTORY) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error('archive ZIP sans répertoire central');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const files: FileInFlux[] = [];
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(at) !== ZIP_CENTRAL_ENTRY) throw new Error('archive ZIP corrompue');
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localHeader = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    at += 46 + nameLength + extraLength + commentLength;
    if (name.endsWith('/')) continue;
    const dataStart = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
    const raw = zip.subarray(dataStart, dataStart + compressedSize);
    if (method !== 0 && method !== 8) throw new Error(`méthode de compression ZIP ${method} non supportée`);
    files.push({ name, bytes: method === 0 ? Buffer.from(raw) : inflateRawSync(raw) });
  }
  return files;
}

function untar(tar: Buffer): FileInFlux[] {
  const files: FileInFlux[] = [];
  for (let at = 0; at + 512 <= tar.length;) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const field = (from: number, length: number) =>
      header
        .subarray(from, from + length)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const prefix = field(345, 155);
    const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    const type = field(156, 1);
    if (type === '' || type === '0') files.push({ name, bytes: Buffer.from(tar.subarray(at + 512, at + 512 + size)) });
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}
