/**
 * What a worker process runs, as a function so that `npm start` can run it next to the web server and tests can
 * run it in a child process: every processor (deposit, report, status sync, follow-ups, validator decisions, alerts, deliveries, checks), the sweeper and the job schedulers. `stop()` lets in-flight jobs
 * finish, then closes the BullMQ connections it opened.
 */
import { Worker, type Processor } from 'bullmq';
import { callPriority } from '../src/chorus/rate-limiter.js';
import { ConfigError } from '../src/config.js';
import type { AppContext } from '../src/context.js';
import { startDepositSweeper } from '../src/queues/deposit-sweeper.js';
import { ensureSchedulers } from '../src/queues/status-sync-schedulers.js';
import { workerStallSettings, type JobPayloads, type QueueName } from '../src/queues/jobs.js';
import { workerConnection } from '../src/queues/redis.js';
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

export interface RunningWorker {
  stop(): Promise<void>;
}

export function startWorker(ctx: AppContext): RunningWorker {
  if (!ctx.chorus.production && !ctx.chorus.sandbox) {
    throw new ConfigError([
      'PISTE_CLIENT_ID and PISTE_CLIENT_SECRET (production accounts) or PISTE_SANDBOX_CLIENT_ID and PISTE_SANDBOX_CLIENT_SECRET (sandbox accounts) are required: a worker needs a Chorus Pro to talk to (npm start runs the simulator instead)',
    ]);
  }
  const workers: Worker[] = [];
  const start = <N extends QueueName>(name: N, processor: Processor<JobPayloads[N]>, concurrency: number) => {
    // BullMQ opens (and closes) its own blocking connections from these options.
    // Its Chorus Pro calls wait for the rate limit in the order of the job's priority (the fair order of deposits).
    const prioritised: Processor<JobPayloads[N]> = (job, ...rest) => callPriority.run(job.opts.priority ?? 0, () => processor(job, ...rest));
    const worker = new Worker<JobPayloads[N]>(name, prioritised, {
      connection: workerConnection(ctx.config.redis),
      prefix: ctx.config.queuePrefix,
      concurrency,
      ...workerStallSettings(ctx.config.pipeline),
    });
    worker.on('error', (error) => ctx.logger.warn('Worker error', { queue: name, error: error.message }));
    const ended = (job: { processedOn?: number | undefined; finishedOn?: number | undefined } | undefined, outcome: 'completed' | 'failed') => {
      ctx.metrics.count('chorus_relay_jobs_total', { queue: name, outcome });
      if (job?.processedOn && job.finishedOn) ctx.metrics.observe('chorus_relay_job_duration_seconds', { queue: name }, (job.finishedOn - job.processedOn) / 1000);
    };
    worker.on('completed', (job) => ended(job, 'completed'));
    worker.on('failed', (job, error) => {
      ended(job, 'failed');
      const data = job?.data as { invoiceId?: string; correlationId?: string } | undefined;
      ctx.logger.warn('Job failed', { queue: name, jobId: job?.id, invoiceId: data?.invoiceId, correlationId: data?.correlationId, error: error.message });
    });
    workers.push(worker);
  };
  start('deposit', makeDepositProcessor(ctx), ctx.config.pipeline.depositConcurrency);
  start('deposit-report', makeDepositReportProcessor(ctx), ctx.config.pipeline.depositConcurrency);
  start('status-sync', makeStatusSyncProcessor(ctx), 2);
  start('follow-ups', makeFollowUpProcessor(ctx), 2);
  start('validations', makeValidationDecisionProcessor(ctx), 2);
  start('alerts', makeAlertsProcessor(ctx), 4);
  // Opened by this worker, so closed by it on stop.
  const email = new EmailChannel({ smtpUrl: ctx.config.alerts.smtpUrl, from: ctx.config.alerts.emailFrom, allowPlaintext: ctx.config.alerts.smtpAllowPlaintext });
  start('deliveries', makeDeliveriesProcessor({ ...ctx, email }), 8);
  start('checks', makeChecksProcessor(ctx), 1);

  // Schedulers live in Redis: make sure every supplier account has one, now and after Redis lost them.
  const keepSchedulers = () =>
    ensureSchedulers(ctx).catch((error: unknown) =>
      ctx.logger.warn('Could not set up the status-sync schedulers; will try again', { error: error instanceof Error ? error.message : String(error) }),
    );
  // The shared connection fails fast instead of queueing commands: the first try waits until it is ready, or a
  // worker started before its connection was up would log a scheduler error it did not have.
  const ready = ctx.redis.status === 'ready' ? Promise.resolve() : new Promise<void>((resolve) => ctx.redis.once('ready', () => resolve()));
  void ready.then(keepSchedulers);
  const schedulerTimer = setInterval(() => void keepSchedulers(), ctx.config.sweepIntervalMs);

  const sweeper = startDepositSweeper(
    { em: ctx.orm.em, queues: ctx.queues, priorities: ctx.priorities, logger: ctx.logger, clock: ctx.clock, graceMs: ctx.config.sweepGraceMs },
    ctx.config.sweepIntervalMs,
    [() => sweepOutbox({ em: ctx.orm.em, queues: ctx.queues, logger: ctx.logger, clock: ctx.clock, graceMs: ctx.config.sweepGraceMs })],
  );
  ctx.logger.info('Worker started: deposit, report, status-sync, follow-up, validation-decision, alert, delivery and check processors; sweeper', {
    sweepIntervalMs: ctx.config.sweepIntervalMs,
    concurrency: ctx.config.pipeline.depositConcurrency,
  });
  return {
    async stop() {
      clearInterval(schedulerTimer);
      await sweeper.stop();
      await Promise.all(workers.map((w) => w.close()));
      email.close();
    },
  };
}
