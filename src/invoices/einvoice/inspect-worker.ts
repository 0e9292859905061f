/** The worker-thread side of file-checker.ts: one task is one file. */
import type { SyntaxeFlux } from '../../chorus/codes.js';
import { inspectInvoiceFile, type FileInspection } from './inspect.js';
import type { FileLimits } from './limits.js';

export interface InspectTask {
  content: Uint8Array;
  syntaxeFlux: SyntaxeFlux;
  limits: FileLimits;
}

export default function inspect(task: InspectTask): FileInspection {
  return inspectInvoiceFile(
    Buffer.from(task.content.buffer, task.content.byteOffset, task.content.byteLength),
    task.syntaxeFlux,
    task.limits,
  );
}
