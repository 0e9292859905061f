/**
 * Signal handling, installed once per process. The first SIGTERM or SIGINT starts a graceful shutdown
 * (in-flight work finishes, connections close, exit 0); if that takes longer than `timeoutMs`, or another
 * signal arrives more than 5 s later, the process exits at once with code 1 and BullMQ hands unfinished jobs to
 * another worker. Repeats within 5 s are ignored: a web process of a cluster gets both its group's signal and
 * the one its supervisor forwards.
 */
import type { Logger } from '../logger.js';

export function onShutdownSignal(logger: Logger, timeoutMs: number, shutdown: (signal: string) => Promise<void>): void {
  let firstSignalAt: number | undefined;
  const handle = (signal: NodeJS.Signals): void => {
    if (firstSignalAt !== undefined) {
      if (performance.now() - firstSignalAt < 5_000) return;
      logger.warn(`Received ${signal} again: exiting now`);
      process.exit(1);
    }
    firstSignalAt = performance.now();
    logger.info(`Received ${signal}: shutting down gracefully (at most ${timeoutMs / 1000} s)`);
    const timer = setTimeout(() => {
      logger.error('Graceful shutdown timed out: exiting now');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    shutdown(signal).then(
      () => {
        clearTimeout(timer);
        logger.info('Shut down cleanly');
        // Let the logger flush; open handles were all closed, but do not wait for stragglers.
        setImmediate(() => process.exit(0));
      },
      (error: unknown) => {
        logger.error('Shutdown failed', { error });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handle);
  process.on('SIGINT', handle);
}

/** A fatal start-up problem: say it plainly, without a stack trace for configuration errors. */
export function exitOnStartupError(error: unknown): never {
  const message =
    error instanceof Error
      ? error.name === 'ConfigError'
        ? error.message
        : (error.stack ?? error.message)
      : String(error);
  process.stderr.write(`chorus-relay could not start.\n${message}\n`);
  process.exit(1);
}
