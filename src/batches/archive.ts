/**
 * A batch's ZIP, checked before anything is read out of it or written: what its central directory declares
 * (entry count, each entry's and the total uncompressed size, compression ratio, names) is held against the
 * limits, and only then are the entries inflated. An entry is inflated off the event loop (node:zlib in libuv's
 * thread pool) and never past its declared size plus one byte: a header that understates its size, or deflate data
 * that is garbage, costs that entry (refused with the reason), not the web process's time nor the other entries.
 */
import { promisify } from 'node:util';
import { inflateRaw } from 'node:zlib';
import { DomainError, type Issue } from '../shared/domain-error.js';
import { isZip } from '../invoices/einvoice/archive.js';
import { MAX_FILE_BYTES } from '../invoices/submission.js';

const inflate = promisify(inflateRaw);

export interface BatchLimits {
  /** Files in the archive, the manifest included, and rows of the manifest. (Default: 1 000) */
  maxEntries: number;
  /** All files together, uncompressed, in bytes. (Default: 200 MiB) */
  maxTotalBytes: number;
  /** Uncompressed over compressed size, per file: beyond it, a compression bomb. (Default: 100) */
  maxRatio: number;
}

export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxEntries: 1_000, maxTotalBytes: 200 * 1024 * 1024, maxRatio: 100 };

export interface ArchiveEntry {
  name: string;
  content: Buffer;
}

/** A file of the archive: its bytes, or why they could not be read (that entry is refused, the batch goes on). */
export type ArchiveFile = ArchiveEntry | { name: string; problem: Issue };

const MANIFEST_NAMES = ['manifest.csv', 'manifest.json'];

/** An entry as the central directory declares it. */
interface DeclaredEntry {
  name: string;
  method: number;
  encrypted: boolean;
  compressedSize: number;
  /** The uncompressed size it declares. */
  size: number;
  localHeaderOffset: number;
}

function refuse(code: string, message: string, details: Issue[] = []): never {
  throw new DomainError('invalid', code, message, details.slice(0, 20));
}

const damaged = (why: string): never => refuse('ARCHIVE_DAMAGED', `The ZIP archive cannot be read: ${why}.`);

/** The end of central directory record: the last one in the archive's last 64 KiB (its comment may follow it). */
function endOfCentralDirectory(zip: Buffer): number {
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 0xffff); at--) {
    if (zip.readUInt32LE(at) === 0x06054b50) return at;
  }
  return damaged('no end of central directory');
}

/** The entries the central directory declares, without inflating any (ZIP64, for archives over 4 GiB, is not taken). */
function declaredEntries(zip: Buffer): DeclaredEntry[] {
  const end = endOfCentralDirectory(zip);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  if (count === 0xffff || at === 0xffffffff) damaged('ZIP64 archives are not taken');
  const entries: DeclaredEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== 0x02014b50)
      damaged(`central directory entry ${i + 1} is missing`);
    const flags = zip.readUInt16LE(at + 8);
    const nameLength = zip.readUInt16LE(at + 28);
    const nameBytes = zip.subarray(at + 46, at + 46 + nameLength);
    entries.push({
      // Bit 11: the name is UTF-8; otherwise read as latin1, as archivers without it wrote it.
      name: nameBytes.toString(flags & 0x800 ? 'utf8' : 'latin1'),
      method: zip.readUInt16LE(at + 10),
      encrypted: (flags & 1) === 1,
      compressedSize: zip.readUInt32LE(at + 20),
      size: zip.readUInt32LE(at + 24),
      localHeaderOffset: zip.readUInt32LE(at + 42),
    });
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return entries.filter((e) => !e.name.endsWith('/'));
}

/** A name that stays inside the folder it is unpacked into, and that any file system takes. */
function unsafeName(name: string): string | null {
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) return 'is an absolute path';
  if (name.includes('\\')) return 'contains a backslash';
  if (name.split('/').some((part) => part === '..')) return 'climbs out of the archive (..)';
  if ([...name].some((c) => c.charCodeAt(0) < 0x20)) return 'contains control characters';
  return null;
}

/** Refuses the whole archive when what it declares breaks a limit. */
function checkDeclared(entries: DeclaredEntry[], limits: BatchLimits): void {
  if (entries.length > limits.maxEntries) {
    refuse(
      'ARCHIVE_TOO_MANY_ENTRIES',
      `The archive holds ${entries.length} files; at most ${limits.maxEntries} are taken in one batch (BATCH_MAX_ENTRIES).`,
    );
  }
  const unsafe = entries.flatMap((e) => {
    const why = unsafeName(e.name);
    return why
      ? [{ path: e.name, code: 'unsafe_path', message: `The entry name ${JSON.stringify(e.name)} ${why}.` }]
      : [];
  });
  if (unsafe.length > 0)
    refuse(
      'ARCHIVE_UNSAFE_PATH',
      `The archive has ${unsafe.length} entry name(s) that would leave the folder it is unpacked into.`,
      unsafe,
    );
  const seen = new Map<string, string>();
  const duplicates: Issue[] = [];
  for (const e of entries) {
    const key = e.name.normalize('NFC').toLowerCase();
    const first = seen.get(key);
    if (first !== undefined)
      duplicates.push({
        path: e.name,
        code: 'duplicate_name',
        message: `${JSON.stringify(e.name)} has the same name as ${JSON.stringify(first)}.`,
      });
    else seen.set(key, e.name);
  }
  if (duplicates.length > 0)
    refuse(
      'ARCHIVE_DUPLICATE_NAME',
      'Two entries of the archive have the same name (case is ignored, as on most file systems).',
      duplicates,
    );
  const tooLarge = entries.filter((e) => e.size > MAX_FILE_BYTES);
  if (tooLarge.length > 0) {
    refuse(
      'ARCHIVE_ENTRY_TOO_LARGE',
      `An entry is larger than ${MAX_FILE_BYTES} bytes (10 MB), the most Chorus Pro accepts for a file.`,
      tooLarge.map((e) => ({ path: e.name, code: 'too_big', message: `${e.size} bytes once uncompressed` })),
    );
  }
  const total = entries.reduce((sum, e) => sum + e.size, 0);
  if (total > limits.maxTotalBytes) {
    refuse(
      'ARCHIVE_TOO_LARGE',
      `The archive's files add up to ${total} bytes uncompressed; at most ${limits.maxTotalBytes} are taken (BATCH_MAX_TOTAL_MB).`,
    );
  }
  const bombs = entries.filter((e) => e.size > Math.max(e.compressedSize, 1) * limits.maxRatio);
  if (bombs.length > 0) {
    refuse(
      'ARCHIVE_SUSPICIOUS_RATIO',
      `An entry would inflate more than ${limits.maxRatio} times its compressed size (BATCH_MAX_RATIO): refused as a possible compression bomb.`,
      bombs.map((e) => ({
        path: e.name,
        code: 'ratio_too_high',
        message: `${e.compressedSize} bytes compressed, ${e.size} declared uncompressed`,
      })),
    );
  }
}

/** One entry's bytes, never more than it declares; its problem when it cannot give them. */
async function readEntry(zip: Buffer, entry: DeclaredEntry): Promise<ArchiveFile> {
  const problem = (code: string, message: string): ArchiveFile => ({
    name: entry.name,
    problem: { path: 'file', code, message: `${entry.name}: ${message}` },
  });
  const header = entry.localHeaderOffset;
  if (header + 30 > zip.length || zip.readUInt32LE(header) !== 0x04034b50)
    return problem('entry_damaged', 'its local header is missing (damaged archive).');
  const start = header + 30 + zip.readUInt16LE(header + 26) + zip.readUInt16LE(header + 28);
  if (start + entry.compressedSize > zip.length)
    return problem('entry_damaged', 'its data runs past the end of the archive (damaged archive).');
  if (entry.encrypted) return problem('entry_encrypted', 'it is encrypted; send it unencrypted.');
  if (entry.method !== 0 && entry.method !== 8)
    return problem(
      'entry_unsupported',
      `it uses compression method ${entry.method}; only stored and deflate are taken.`,
    );
  const data = zip.subarray(start, start + entry.compressedSize);
  let content: Buffer;
  if (entry.method === 0) content = Buffer.from(data);
  else {
    try {
      content = await inflate(data, { maxOutputLength: entry.size + 1 });
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        return problem(
          'entry_size_mismatch',
          `it holds more than the ${entry.size} bytes its header declares; the archive lies about it, so it is not read.`,
        );
      }
      return problem('entry_damaged', `its compressed data is damaged (${(error as Error).message}).`);
    }
  }
  if (content.length !== entry.size)
    return problem(
      'entry_size_mismatch',
      `it holds ${content.length} bytes, not the ${entry.size} its header declares.`,
    );
  return { name: entry.name, content };
}

export interface BatchArchive {
  manifest: ArchiveEntry;
  /** The names of the other files, as declared (nothing inflated yet). */
  fileNames: string[];
  /** The other files, each read or refused; called once the manifest is found acceptable. */
  readFiles(): Promise<ArchiveFile[]>;
}

/**
 * Checks what the archive declares against the limits, then reads its manifest; the files are read only when asked
 * (a manifest that is refused costs no inflation).
 */
export async function openBatchArchive(zip: Buffer, limits: BatchLimits): Promise<BatchArchive> {
  if (!isZip(zip))
    refuse('ARCHIVE_NOT_ZIP', 'The batch must be a ZIP archive (it does not start with the ZIP signature).');
  const entries = declaredEntries(zip);
  checkDeclared(entries, limits);
  const manifests = entries.filter((e) => MANIFEST_NAMES.includes(e.name.toLowerCase()));
  if (manifests.length !== 1) {
    refuse(
      'ARCHIVE_MANIFEST_MISSING',
      'The archive needs one manifest at its root, manifest.csv or manifest.json: one row per file with the invoice fields the file does not carry.',
    );
  }
  const manifest = await readEntry(zip, manifests[0]!);
  if ('problem' in manifest)
    refuse('ARCHIVE_DAMAGED', `The archive's manifest cannot be read: ${manifest.problem.message}`, [manifest.problem]);
  return {
    manifest,
    fileNames: entries.filter((e) => e !== manifests[0]).map((e) => e.name),
    async readFiles() {
      const files: ArchiveFile[] = [];
      // One at a time: a batch holds one thread of the pool, and the memory of one entry beyond what it keeps.
      for (const entry of entries) if (entry !== manifests[0]) files.push(await readEntry(zip, entry));
      return files;
    },
  };
}
