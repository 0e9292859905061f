/** Real child processes running our entry points through tsx, with their output captured. */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface RunningProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves when a line matching `pattern` has been printed. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code (or the signal name) and how long the exit took after the call. */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `options.cwd`: where it runs (default: the repository); `options.nodeArgs`: before tsx, as `npm start` passes
 * --env-file; `options.wrapper`: a command that runs node, such as `prlimit --nofile=400:400 --`.
 */
export function startProcess(
  entry: string,
  env: Record<string, string>,
  options: { cwd?: string; nodeArgs?: string[]; wrapper?: string[] } = {},
): RunningProcess {
  // tsx and the repository's tsconfig (legacy decorators for the entities) from the repository, wherever it runs.
  const args = [...(options.nodeArgs ?? []), '--import', import.meta.resolve('tsx'), resolve(ROOT, entry)];
  const [command, ...before] = options.wrapper ?? [];
  const child = spawn(command ?? process.execPath, command ? [...before, process.execPath, ...args] : args, {
    cwd: options.cwd ?? ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      TSX_TSCONFIG_PATH: resolve(ROOT, 'tsconfig.json'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const l of listeners) l();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    output: () => output,
    waitFor(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(output)) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`Timed out waiting for ${pattern} in:\n${output}`));
        }, timeoutMs);
        listeners.add(check);
        void exit.then(() => {
          if (!pattern.test(output)) {
            clearTimeout(timer);
            reject(new Error(`Process exited before printing ${pattern}:\n${output}`));
          }
        });
        check();
      });
    },
    exited: () => exit,
  };
}
