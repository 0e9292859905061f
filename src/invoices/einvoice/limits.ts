/** How far the intake goes into a file before it gives up on it: hostile files must not cost more than this. */
export interface FileLimits {
  /** PDF objects looked at. (Default: 20 000) */
  maxPdfObjects: number;
  /** PDF streams inflated (object streams and the invoice). (Default: 200) */
  maxPdfStreams: number;
  /** The invoice XML, once inflated, in bytes. (Default: 20 MiB) */
  maxXmlBytes: number;
  /** XML elements. (Default: 200 000) */
  maxXmlElements: number;
  /** XML nesting depth. (Default: 64) */
  maxXmlDepth: number;
  /** Time to read one file, in the worker thread. (Default: 10 s) */
  timeoutMs: number;
  /** Heap of each worker thread, in MB. (Default: 256) */
  memoryMb: number;
  /** Worker threads reading files. (Default: 2) */
  threads: number;
  /** A plain XML file up to this size is read on the event loop, not in a worker thread. (Default: 8 KiB) */
  inlineMaxBytes: number;
}

export const DEFAULT_FILE_LIMITS: FileLimits = {
  maxPdfObjects: 20_000,
  maxPdfStreams: 200,
  maxXmlBytes: 20 * 1024 * 1024,
  maxXmlElements: 200_000,
  maxXmlDepth: 64,
  timeoutMs: 10_000,
  memoryMb: 256,
  threads: 2,
  inlineMaxBytes: 8 * 1024,
};

/** A file beyond a limit: refused with the limit it crossed, never read further. */
export class FileTooComplexError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FileTooComplexError';
  }
}
