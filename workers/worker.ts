/**
 * What a worker process runs, as a function so that `npm start` can run it next to the web server and tests can
 * run it in a child process. Returns a stop function that lets in-flight work finish and closes what it opened.
 */
import type { AppContext } from '../src/context.js';
import { startDepositSweeper } from '../src/queues/deposit-sweeper.js';

export interface RunningWorker {
  stop(): Promise<void>;
}

export function startWorker(ctx: AppContext): RunningWorker {
  const sweeper = startDepositSweeper(
    { em: ctx.orm.em, queues: ctx.queues, logger: ctx.logger, clock: ctx.clock, graceMs: ctx.config.sweepGraceMs },
    ctx.config.sweepIntervalMs,
  );
  ctx.logger.info('Worker started: deposit sweeper running', { sweepIntervalMs: ctx.config.sweepIntervalMs });
  return {
    async stop() {
      await sweeper.stop();
    },
  };
}
