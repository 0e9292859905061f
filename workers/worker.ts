/**
 * What a worker process runs, as a function so that `npm start` can run it next to the web server and tests can
 * run it in a child process: every processor (deposit, report, status sync, follow-ups, validator decisions, alerts,
 * deliveries, checks), the sweeper and the job schedulers. `stop()` lets in-flight jobs finish, then closes the BullMQ
 * connections it opened.
 */
import { DelayedError, UnrecoverableError, Worker, type Job, type Processor } from 'bullmq';
import { callPriority } from '../src/chorus/rate-limiter.js';
import { ConfigError } from '../src/config.js';
import type { AppContext } from '../src/context.js';
import { startDepositSweeper, sweepIntegrationSearches } from '../src/queues/deposit-sweeper.js';
import { ensureSchedulers } from '../src/queues/status-sync-schedulers.js';
import { workerStallSettings, type JobPayloads, type QueueName } from '../src/queues/jobs.js';
import { createRedis } from '../src/queues/redis.js';
import { makeDepositProcessor } from './processors/deposit.js';
import { makeDepositReportProcessor } from './processors/deposit-report.js';
import { makeStatusSyncProcessor } from './processors/status-sync.js';
import { makeFollowUpProcessor } from './processors/follow-up.js';
import { makeValidationDecisionProcessor } from './processors/validation-decision.js';
import { makeAlertsProcessor } from './processors/alerts.js';
import { makeDeliveriesProcessor } from './processors/deliveries.js';
import { makeChecksProcessor } from './processors/checks.js';
import { EmailChannel } from '../src/alerts/channels.js';
import { sweepOutbox } from '../src/queues/outbox-sweeper.js';
import { redactError } from '../src/logger.js';
import { isLastAttempt } from '../src/queues/failure-policy.js';
import { startWorkerWatchdog } from './worker-watchdog.js';

/** How often the watchdog looks for a worker whose wait for jobs hangs (workers/worker-watchdog.ts). */
const WATCHDOG_INTERVAL_MS = 5_000;
/** How long stop() gives a retired worker before leaving it. */
const RETIRED_CLOSE_MS = 5_000;

async function closeWithin(worker: Worker, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    worker.close().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
  if (worker.isRunning()) await worker.close(true).catch(() => undefined);
}

export interface RunningWorker {
  stop(): Promise<void>;
}

/**
 * What a job's failure leaves in Redis and shows in Bull Board (its reason and stack) is masked like the logs: no
 * SQL statement, no parameter value, no secret (src/logger.ts, redactError).
 */
export function boardSafe<T>(processor: Processor<T>): Processor<T> {
  // A finished job's ring reads 100 %, whatever step it stopped at; one BullMQ runs again keeps its step.
  const finished = (job: Job<T>) => job.updateProgress(100).catch(() => undefined);
  return async (job, ...rest) => {
    try {
      const result = (await processor(job, ...rest)) as unknown;
      await finished(job);
      return result;
    } catch (error) {
      redactError(error);
      if (error instanceof UnrecoverableError || (!(error instanceof DelayedError) && isLastAttempt(job)))
        await finished(job);
      throw error;
    }
  };
}

export function startWorker(ctx: AppContext): RunningWorker {
  if (!ctx.chorus.production && !ctx.chorus.sandbox) {
    throw new ConfigError([
      'PISTE_CLIENT_ID and PISTE_CLIENT_SECRET (production accounts) or PISTE_SANDBOX_CLIENT_ID and PISTE_SANDBOX_CLIENT_SECRET (sandbox accounts) are required: a worker needs a Chorus Pro to talk to (npm start runs the simulator instead)',
    ]);
  }
  // One worker per queue; one the watchdog replaced is retired: it finishes its running jobs, and stop() closes it.
  const workers = new Map<QueueName, { worker: Worker; make: () => Worker }>();
  const retired: Worker[] = [];
  // The processors' one connection for their non-blocking commands, opened here and closed in stop(); each BullMQ
  // worker adds (and closes) a blocking duplicate of it.
  const connection = createRedis(ctx.config.redis, { name: 'chorus-relay-worker:jobs' });
  connection.on('error', (error: Error) => ctx.logger.debug('Redis connection error', { error: error.message }));
  const start = <N extends QueueName>(name: N, processor: Processor<JobPayloads[N]>, concurrency: number) => {
    // Its Chorus Pro calls wait for the rate limit in the order of the job's priority (the fair order of deposits).
    const prioritised = boardSafe<JobPayloads[N]>((job, ...rest) =>
      callPriority.run(job.opts.priority ?? 0, () => processor(job, ...rest)),
    );
    const make = (): Worker => {
      const worker = new Worker<JobPayloads[N]>(name, prioritised, {
        connection,
        prefix: ctx.config.queuePrefix,
        concurrency,
        ...workerStallSettings(ctx.config.pipeline),
      });
      listen(name, worker as Worker);
      return worker as Worker;
    };
    workers.set(name, { worker: make(), make });
  };
  const listen = (name: QueueName, worker: Worker) => {
    worker.on('error', (error) => ctx.logger.warn('Worker error', { queue: name, error: error.message }));
    const ended = (
      job: { processedOn?: number | undefined; finishedOn?: number | undefined } | undefined,
      outcome: 'completed' | 'failed',
    ) => {
      ctx.metrics.count('chorus_relay_jobs_total', { queue: name, outcome });
      if (job?.processedOn && job.finishedOn)
        ctx.metrics.observe(
          'chorus_relay_job_duration_seconds',
          { queue: name },
          (job.finishedOn - job.processedOn) / 1000,
        );
    };
    worker.on('completed', (job) => ended(job, 'completed'));
    worker.on('failed', (job, error) => {
      ended(job, 'failed');
      const data = job?.data as { invoiceId?: string; correlationId?: string } | undefined;
      ctx.logger.warn('Job failed', {
        queue: name,
        jobId: job?.id,
        invoiceId: data?.invoiceId,
        correlationId: data?.correlationId,
        error: error.message,
        // Bull Board keeps the sentence alone (stackTraceLimit 0): the stack is here, masked like every log line.
        stack: error.stack,
      });
    });
  };
  start('deposit', makeDepositProcessor(ctx), ctx.config.pipeline.depositConcurrency);
  start('deposit-report', makeDepositReportProcessor(ctx), ctx.config.pipeline.depositConcurrency);
  start('status-sync', makeStatusSyncProcessor(ctx), 2);
  start('follow-ups', makeFollowUpProcessor(ctx), 2);
  start('validations', makeValidationDecisionProcessor(ctx), 2);
  start('alerts', makeAlertsProcessor(ctx), 4);
  // Opened by this worker, so closed by it on stop.
  const email = new EmailChannel({
    smtpUrl: ctx.config.alerts.smtpUrl,
    from: ctx.config.alerts.emailFrom,
    allowPlaintext: ctx.config.alerts.smtpAllowPlaintext,
  });
  start('deliveries', makeDeliveriesProcessor({ ...ctx, email }), 8);
  start('checks', makeChecksProcessor(ctx), 1);

  // Schedulers live in Redis: make sure every supplier account has one, now and after Redis lost them.
  const keepSchedulers = () =>
    ensureSchedulers(ctx).catch((error: unknown) =>
      ctx.logger.warn('Could not set up the status-sync schedulers; will try again', {
        error: error instanceof Error ? error.message : String(error),
      }),
    );
  // The shared connection fails fast instead of queueing commands: the first try waits until it is ready, or a
  // worker started before its connection was up would log a scheduler error it did not have.
  const ready =
    ctx.redis.status === 'ready'
      ? Promise.resolve()
      : new Promise<void>((resolve) => ctx.redis.once('ready', () => resolve()));
  void ready.then(keepSchedulers);
  const schedulerTimer = setInterval(() => void keepSchedulers(), ctx.config.sweepIntervalMs);

  const sweeper = startDepositSweeper(
    {
      em: ctx.orm.em,
      queues: ctx.queues,
      priorities: ctx.priorities,
      logger: ctx.logger,
      clock: ctx.clock,
      graceMs: ctx.config.sweepGraceMs,
      reportAfterMs: ctx.config.pipeline.reportAfterMs,
    },
    ctx.config.sweepIntervalMs,
    [
      () =>
        sweepIntegrationSearches({
          em: ctx.orm.em,
          queues: ctx.queues,
          delayMs: ctx.config.pipeline.integrationSearchMs,
          now: ctx.clock.now(),
        }),
      () =>
        sweepOutbox({
          em: ctx.orm.em,
          queues: ctx.queues,
          logger: ctx.logger,
          clock: ctx.clock,
          graceMs: ctx.config.sweepGraceMs,
        }),
    ],
  );
  ctx.logger.info(
    'Worker started: deposit, report, status-sync, follow-up, validation-decision, alert, delivery and check processors; sweeper',
    {
      sweepIntervalMs: ctx.config.sweepIntervalMs,
      concurrency: ctx.config.pipeline.depositConcurrency,
    },
  );
  const watchdog = startWorkerWatchdog({
    watched: () => [...workers].map(([name, { worker }]) => ({ name, worker, queue: ctx.queues[name] })),
    replace(name) {
      const entry = workers.get(name as QueueName);
      if (!entry) return;
      retired.push(entry.worker);
      // Not awaited: its wedged wait may never end; its running jobs finish meanwhile, their locks renewed.
      void entry.worker.close().catch(() => undefined);
      entry.worker = entry.make();
    },
    logger: ctx.logger,
    intervalMs: WATCHDOG_INTERVAL_MS,
  });
  return {
    async stop() {
      watchdog.stop();
      clearInterval(schedulerTimer);
      await sweeper.stop();
      await Promise.all([...workers.values()].map(({ worker }) => worker.close()));
      // A retired worker's wait may hang for good: it is not waited for longer than its running jobs could take.
      await Promise.all(retired.map((worker) => closeWithin(worker, RETIRED_CLOSE_MS)));
      await connection.quit().catch(() => connection.disconnect());
      email.close();
    },
  };
}
