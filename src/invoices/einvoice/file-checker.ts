/**
 * Invoice files are read off the event loop, in a small pool of worker threads, each with a heap limit and each
 * file with a time limit: a hostile file costs a worker, never the web process. A worker that runs out of time
 * or memory is replaced, and the file is refused as too complex.
 *
 * But a small plain XML file (FILE_INLINE_MAX_BYTES, 8 KiB: a UBL of a few lines) is read on the event loop:
 * nothing in it inflates (no PDF; no DOCTYPE, so no entity), the strict parser is linear, and at 8 KiB its costliest
 * shapes take 0.3 to 8 ms (warm to cold), while the trip to a worker thread and back cost 0.6 ms of CPU per
 * invoice under load on this 2-core machine (`npm run bench`), more than reading such a file. Larger ones wait in
 * line on the loop when many arrive at once: 32 hostile files of 32 KiB held /healthz 95 to 166 ms on Node 24
 * (test/integration/hostile-files-web.test.ts sends 32 at the limit).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { SyntaxeFlux } from '../../chorus/codes.js';
import { inspectInvoiceFile, isPdf, type FileInspection } from './inspect.js';
import type { InspectTask } from './inspect-worker.js';
import type { FileLimits } from './limits.js';

export interface FileChecker {
  inspect(content: Buffer, syntaxeFlux: SyntaxeFlux): Promise<FileInspection>;
  close(): Promise<void>;
}

function workerFile(): string {
  const compiled = new URL('./inspect-worker.js', import.meta.url);
  return existsSync(fileURLToPath(compiled))
    ? compiled.href
    : new URL('./inspect-worker-dev.mjs', import.meta.url).href;
}

/** The pool starts with the first file: processes that never read one (workers) start no thread. */
export function createFileChecker(limits: FileLimits): FileChecker {
  let pool: Piscina<InspectTask, FileInspection> | null = null;
  const started = () =>
    (pool ??= new Piscina<InspectTask, FileInspection>({
      filename: workerFile(),
      minThreads: 1,
      maxThreads: limits.threads,
      idleTimeout: 60_000,
      resourceLimits: {
        maxOldGenerationSizeMb: limits.memoryMb,
        maxYoungGenerationSizeMb: Math.min(64, Math.floor(limits.memoryMb / 4)),
      },
    }));
  const refused = (message: string): FileInspection => ({
    issues: [{ path: 'file', code: 'file_too_complex', message }],
    data: null,
  });
  return {
    async inspect(content, syntaxeFlux) {
      if (content.length <= limits.inlineMaxBytes && !isPdf(content))
        return inspectInvoiceFile(content, syntaxeFlux, limits);
      try {
        return await started().run({ content, syntaxeFlux, limits }, { signal: AbortSignal.timeout(limits.timeoutMs) });
      } catch (error) {
        const code = (error as { code?: string; name?: string }).code ?? (error as { name?: string }).name;
        if (code === 'ERR_WORKER_OUT_OF_MEMORY')
          return refused(`The file needs more than ${limits.memoryMb} MB to read (FILE_CHECK_MEMORY_MB): refused.`);
        if (code === 'AbortError' || code === 'TimeoutError')
          return refused(`The file takes more than ${limits.timeoutMs} ms to read (FILE_CHECK_TIMEOUT_MS): refused.`);
        throw error;
      }
    },
    close: async () => {
      await pool?.destroy();
      pool = null;
    },
  };
}
