/**
 * What a worker process runs, as a function so that `npm start` can run it next to the web server and tests can
 * run it in a child process: the deposit, report and status-sync processors, the sweeper and the status-sync schedulers. `stop()` lets in-flight jobs
 * finish, then closes the BullMQ connections it opened.
 */
import { Worker, type Processor } from 'bullmq';
import type { AppContext } from '../src/context.js';
import { startDepositSweeper } from '../src/queues/deposit-sweeper.js';
import { ensureStatusSyncSchedulers } from '../src/queues/status-sync-schedulers.js';
import { workerStallSettings, type JobPayloads, type QueueName } from '../src/queues/jobs.js';
import { workerConnection } from '../src/queues/redis.js';
import { makeDepositProcessor } from './processors/deposit.js';
import { makeDepositReportProcessor } from './processors/deposit-report.js';
import { makeStatusSyncProcessor } from './processors/status-sync.js';

export interface RunningWorker {
  stop(): Promise<void>;
}

export function startWorker(ctx: AppContext): RunningWorker {
  const { invoicing, structures } = ctx;
  if (!invoicing || !structures) throw new Error('No Chorus Pro is configured: set PISTE_CLIENT_ID and PISTE_CLIENT_SECRET (npm start uses the simulator)');
  const workers: Worker[] = [];
  const start = <N extends QueueName>(name: N, processor: Processor<JobPayloads[N]>, concurrency: number) => {
    // BullMQ opens (and closes) its own blocking connections from these options.
    const worker = new Worker<JobPayloads[N]>(name, processor, {
      connection: workerConnection(ctx.config.redis),
      prefix: ctx.config.queuePrefix,
      concurrency,
      ...workerStallSettings(ctx.config.pipeline),
    });
    worker.on('error', (error) => ctx.logger.warn('Worker error', { queue: name, error: error.message }));
    worker.on('failed', (job, error) => ctx.logger.warn('Job failed', { queue: name, jobId: job?.id, invoiceId: (job?.data as { invoiceId?: string } | undefined)?.invoiceId, error: error.message }));
    workers.push(worker);
  };
  const deps = { ...ctx, invoicing, structures };
  start('deposit', makeDepositProcessor(deps), ctx.config.pipeline.depositConcurrency);
  start('deposit-report', makeDepositReportProcessor(deps), ctx.config.pipeline.depositConcurrency);
  start('status-sync', makeStatusSyncProcessor(deps), 2);

  // Schedulers live in Redis: make sure every supplier account has one, now and after Redis lost them.
  const ensureSchedulers = () =>
    ensureStatusSyncSchedulers({ em: ctx.orm.em, queues: ctx.queues, redis: ctx.redis, keyPrefix: ctx.config.queuePrefix, everyMs: ctx.config.pipeline.statusSyncIntervalMs }).catch((error: unknown) =>
      ctx.logger.warn('Could not set up the status-sync schedulers; will try again', { error: error instanceof Error ? error.message : String(error) }),
    );
  void ensureSchedulers();
  const schedulerTimer = setInterval(() => void ensureSchedulers(), ctx.config.sweepIntervalMs);

  const sweeper = startDepositSweeper(
    { em: ctx.orm.em, queues: ctx.queues, priorities: ctx.priorities, logger: ctx.logger, clock: ctx.clock, graceMs: ctx.config.sweepGraceMs },
    ctx.config.sweepIntervalMs,
  );
  ctx.logger.info('Worker started: deposit and report processors, deposit sweeper', { sweepIntervalMs: ctx.config.sweepIntervalMs, concurrency: ctx.config.pipeline.depositConcurrency });
  return {
    async stop() {
      clearInterval(schedulerTimer);
      await sweeper.stop();
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
