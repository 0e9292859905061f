/**
 * A batch's ZIP, checked before anything is read out of it or written: what its central directory declares
 * (entry count, each entry's and the total uncompressed size, compression ratio, names) is held against the
 * limits, and only then are the entries inflated, each into a buffer of its declared size (a header that lies
 * about its size gets a truncated file, which the invoice's own checks then refuse, never a bigger buffer).
 */
import { unzipSync, type UnzipFileInfo } from 'fflate';
import { DomainError, type Issue } from '../shared/domain-error.js';
import { isZip } from '../invoices/einvoice/archive.js';
import { MAX_FILE_BYTES } from '../invoices/submission.js';

export interface BatchLimits {
  /** Files in the archive, the manifest included. (Default: 1 000) */
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

const MANIFEST_NAMES = ['manifest.csv', 'manifest.json'];

/** A name that stays inside the folder it is unpacked into, and that any file system takes. */
function unsafeName(name: string): string | null {
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) return 'is an absolute path';
  if (name.includes('\\')) return 'contains a backslash';
  if (name.split('/').some((part) => part === '..')) return 'climbs out of the archive (..)';
  if ([...name].some((c) => c.charCodeAt(0) < 0x20)) return 'contains control characters';
  return null;
}

function refuse(code: string, message: string, details: Issue[] = []): never {
  throw new DomainError('invalid', code, message, details.slice(0, 20));
}

/** The declared entries, without inflating any; a damaged archive is refused. */
function declaredEntries(zip: Buffer): UnzipFileInfo[] {
  const declared: UnzipFileInfo[] = [];
  try {
    unzipSync(new Uint8Array(zip.buffer, zip.byteOffset, zip.byteLength), {
      filter(file) {
        declared.push(file);
        return false;
      },
    });
  } catch (error) {
    refuse('ARCHIVE_DAMAGED', `The ZIP archive cannot be read: ${error instanceof Error ? error.message : 'damaged'}.`);
  }
  return declared.filter((f) => !f.name.endsWith('/'));
}

/** Checks the archive against the limits, then unpacks it: the files, and the manifest apart. */
export function unpackBatchArchive(zip: Buffer, limits: BatchLimits): { files: ArchiveEntry[]; manifest: ArchiveEntry } {
  if (!isZip(zip)) refuse('ARCHIVE_NOT_ZIP', 'The batch must be a ZIP archive (it does not start with the ZIP signature).');
  const entries = declaredEntries(zip);
  if (entries.length > limits.maxEntries) {
    refuse('ARCHIVE_TOO_MANY_ENTRIES', `The archive holds ${entries.length} files; at most ${limits.maxEntries} are taken in one batch (BATCH_MAX_ENTRIES).`);
  }
  const unsafe = entries.flatMap((e) => {
    const why = unsafeName(e.name);
    return why ? [{ path: e.name, code: 'unsafe_path', message: `The entry name ${JSON.stringify(e.name)} ${why}.` }] : [];
  });
  if (unsafe.length > 0) refuse('ARCHIVE_UNSAFE_PATH', `The archive has ${unsafe.length} entry name(s) that would leave the folder it is unpacked into.`, unsafe);
  const seen = new Map<string, string>();
  const duplicates: Issue[] = [];
  for (const e of entries) {
    const key = e.name.normalize('NFC').toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) duplicates.push({ path: e.name, code: 'duplicate_name', message: `${JSON.stringify(e.name)} has the same name as ${JSON.stringify(first)}.` });
    else seen.set(key, e.name);
  }
  if (duplicates.length > 0) refuse('ARCHIVE_DUPLICATE_NAME', 'Two entries of the archive have the same name (case is ignored, as on most file systems).', duplicates);
  const tooLarge = entries.filter((e) => e.originalSize > MAX_FILE_BYTES);
  if (tooLarge.length > 0) {
    refuse(
      'ARCHIVE_ENTRY_TOO_LARGE',
      `An entry is larger than ${MAX_FILE_BYTES} bytes (10 MB), the most Chorus Pro accepts for a file.`,
      tooLarge.map((e) => ({ path: e.name, code: 'too_big', message: `${e.originalSize} bytes once uncompressed` })),
    );
  }
  const total = entries.reduce((sum, e) => sum + e.originalSize, 0);
  if (total > limits.maxTotalBytes)
    refuse('ARCHIVE_TOO_LARGE', `The archive's files add up to ${total} bytes uncompressed; at most ${limits.maxTotalBytes} are taken (BATCH_MAX_TOTAL_MB).`);
  const bombs = entries.filter((e) => e.originalSize > Math.max(e.size, 1) * limits.maxRatio);
  if (bombs.length > 0) {
    refuse(
      'ARCHIVE_SUSPICIOUS_RATIO',
      `An entry would inflate more than ${limits.maxRatio} times its compressed size (BATCH_MAX_RATIO): refused as a possible compression bomb.`,
      bombs.map((e) => ({ path: e.name, code: 'ratio_too_high', message: `${e.size} bytes compressed, ${e.originalSize} declared uncompressed` })),
    );
  }
  const methods = entries.filter((e) => e.compression !== 0 && e.compression !== 8);
  if (methods.length > 0)
    refuse(
      'ARCHIVE_DAMAGED',
      'An entry uses a compression method other than stored or deflate.',
      methods.map((e) => ({ path: e.name, code: 'unsupported', message: `method ${e.compression}` })),
    );

  const unpacked = unzipSync(new Uint8Array(zip.buffer, zip.byteOffset, zip.byteLength), { filter: (f) => !f.name.endsWith('/') });
  const all = Object.entries(unpacked).map(([name, bytes]) => ({ name, content: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) }));
  const manifests = all.filter((e) => MANIFEST_NAMES.includes(e.name.toLowerCase()));
  if (manifests.length !== 1) {
    refuse(
      'ARCHIVE_MANIFEST_MISSING',
      'The archive needs one manifest at its root, manifest.csv or manifest.json: one row per file with the invoice fields the file does not carry.',
    );
  }
  return { files: all.filter((e) => e !== manifests[0]), manifest: manifests[0]! };
}
