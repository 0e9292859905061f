/**
 * The one runner for every job that calls Chorus Pro (deposit, report, status sync, follow-ups). It loads the rows,
 * postpones while the supplier account is paused, opens the technical account with the job's AbortSignal (a
 * shutdown or a lost lock aborts the HTTP request instead of leaving it running), and turns the one failure policy
 * (src/queues/failure-policy.ts) into what BullMQ should do. A processor keeps only its own rule: what it does, and
 * what a refusal, an unknown outcome or a last failed attempt mean for its rows.
 */
import { OptimisticLockError } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { SEALED_AT } from '../src/shared/secret-box.js';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { TechnicalAccount } from '../src/chorus/client.js';
import { ChorusTransientError, type ChorusRequestInvalidError } from '../src/chorus/errors.js';
import type { ChorusInvoicing } from '../src/chorus/invoicing.js';
import type { StructureDirectory } from '../src/chorus/structure-directory.js';
import type { AppContext } from '../src/context.js';
import type { Notification } from '../src/db/entities/notification.js';
import type { SupplierAccount } from '../src/db/entities/supplier-account.js';
import { publishNotifications } from '../src/alerts/notify.js';
import { decide, isLastAttempt, postpone } from '../src/queues/failure-policy.js';
import { invoiceIdOfJobData } from '../src/queues/jobs.js';
import { pauseSupplier } from './processors/supplier-pause.js';

export type ChorusJobDeps = AppContext;

/** How soon a run that found its rows changed by a concurrent run of the same job tries again. */
const CONCURRENT_RUN_RETRY_MS = 1_000;

/** The request that caused a job, when its payload carries one (every payload but the periodic ones does). */
const correlationIdOf = (data: unknown): string | undefined => {
  const id = (data as { correlationId?: unknown } | null)?.correlationId;
  return typeof id === 'string' ? id : undefined;
};

/** What a processor's own rule gets: its rows, the open account, and a job it may log to. */
export interface ChorusJobRun<T, D = unknown> {
  job: Job<D>;
  em: EntityManager;
  subject: T;
  supplier: SupplierAccount;
  /** The technical account, carrying the job's signal down to every request. */
  account: TechnicalAccount;
  /** Chorus Pro in the supplier account's environment (sandbox or production). */
  invoicing: ChorusInvoicing;
  structures: StructureDirectory;
  /** A line in the job's log (Bull Board). Never fails the job: Redis may have lost it, the work still counts. */
  log(line: string): Promise<void>;
  progress(percent: number): Promise<void>;
  /** Puts the job back in the delayed set (no attempt spent, no worker slot held). */
  later(ms: number): Promise<never>;
  /**
   * Chorus Pro (or our pre-check) refused the invoice, and the row says so: saves it, publishes the alert, and ends
   * the job *failed* with the sentence a person needs (what, why, what to do), so Bull Board shows it in red. It is
   * not run again unless an operator retries it.
   */
  refuse(alert: Notification | null, sentence: string): Promise<never>;
}

export interface ChorusJobSpec<T, R, D = unknown> {
  /** Reads the rows; `done` when there is nothing to do (the invoice moved on, the row is gone). */
  load(em: EntityManager, job: Job<D>): Promise<{ subject: T; supplier: SupplierAccount } | { done: R }>;
  run(run: ChorusJobRun<T, D>): Promise<R>;
  /** While the supplier account is paused: wait (default), or end this run (a scheduler runs it again anyway). */
  whilePaused?: 'postpone' | 'skip';
  /** Chorus Pro said no (business refusal): the processor's rule. Without it, the job fails for good. */
  refused?(run: ChorusJobRun<T, D>, reason: string, error: unknown): Promise<R>;
  /** The request may have arrived: what to record before the job runs again (then it looks before resending). */
  maybeDelivered?(run: ChorusJobRun<T, D>, reason: string): Promise<R>;
  /** We built a request the contract refuses: our bug, never retried. */
  invalidRequest?(run: ChorusJobRun<T, D>, error: ChorusRequestInvalidError): Promise<R>;
  /** Before waiting out a rate limit or a pause: give back what the run took (a deposit slot). */
  beforeWaiting?(run: ChorusJobRun<T, D>): Promise<void>;
  /** A transient failure: what to record; on the last attempt, the processor may end the job with a result. */
  failed?(run: ChorusJobRun<T, D>, reason: string, lastAttempt: boolean, error: unknown): Promise<R | undefined>;
  skipped: R;
}

export function chorusJob<T, R, D = unknown>(deps: ChorusJobDeps, spec: ChorusJobSpec<T, R, D>) {
  // Three parameters: BullMQ hands a signal only to processors that declare it.
  return async (job: Job<D>, token?: string, signal?: AbortSignal): Promise<R> => {
    const em = deps.orm.em.fork();
    const loaded = await spec.load(em, job);
    if ('done' in loaded) return loaded.done;
    const { subject, supplier } = loaded;
    const chorus = deps.chorus[supplier.environment];
    if (!chorus) {
      // Registration refuses such an account; the configuration changed since.
      throw new UnrecoverableError(
        `Supplier account ${supplier.siret} uses the Chorus Pro ${supplier.environment} environment, which has no PISTE credentials here (${supplier.environment === 'sandbox' ? 'PISTE_SANDBOX_CLIENT_ID' : 'PISTE_CLIENT_ID'}).`,
      );
    }
    const bestEffort = async (what: () => Promise<unknown>) => {
      try {
        await what();
      } catch (error) {
        deps.logger.debug('Job log or progress not written', {
          jobId: job.id,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    };
    const run: ChorusJobRun<T, D> = {
      job,
      em,
      subject,
      supplier,
      account: { login: supplier.chorusLogin, password: '', ...(signal ? { signal } : {}) },
      invoicing: chorus.invoicing,
      structures: chorus.structures,
      log: (line) => bestEffort(() => job.log(line)),
      progress: (percent) => bestEffort(() => job.updateProgress(percent)),
      later: (ms) => postpone(job, token, ms),
      async refuse(alert, sentence) {
        await em.flush();
        if (alert) await publishNotifications(deps, [alert], correlationIdOf(job.data));
        await bestEffort(() => job.log(sentence));
        // From Bull Board's failed job to the page where the fix is a form.
        const invoiceId = invoiceIdOfJobData(job.data);
        if (invoiceId) await bestEffort(() => job.log(`The invoice and its fix: /app/invoices/${invoiceId}`));
        throw new UnrecoverableError(sentence);
      },
    };
    if (supplier.pausedAt) {
      if (spec.whilePaused === 'skip') return spec.skipped;
      await run.log(
        `Supplier account ${supplier.siret} is paused (${supplier.pausedReason ?? 'refused by Chorus Pro'}); waiting for new credentials.`,
      );
      return run.later(deps.config.pipeline.supplierPauseRecheckMs);
    }
    run.account.password = deps.secretBox.open(supplier.chorusPasswordSealed, SEALED_AT.supplierPassword(supplier.id));

    try {
      return await spec.run(run);
    } catch (error) {
      if (error instanceof DelayedError || error instanceof UnrecoverableError) throw error;
      if (error instanceof OptimisticLockError) {
        // Another run of this job wrote these rows first: Redis lost the job's lock (a failover) and the job was taken
        // again while this run went on. This run's view is stale, so it writes nothing more and sends nothing; the
        // job runs again from fresh rows (for a run that lost its lock, BullMQ refuses the move: the other run owns
        // it).
        deps.logger.warn('Another run of this job changed its rows first; this run stops without sending', {
          queue: job.queueName,
          jobId: job.id,
          invoiceId: invoiceIdOfJobData(job.data),
        });
        return run.later(CONCURRENT_RUN_RETRY_MS);
      }
      const decision = decide(error);
      await run.log(`${decision.action}: ${decision.reason}`);
      switch (decision.action) {
        case 'wait':
          await spec.beforeWaiting?.(run);
          return run.later(decision.ms);
        case 'pause-supplier':
          await spec.beforeWaiting?.(run);
          await pauseSupplier(deps, supplier, decision.reason);
          if (spec.whilePaused === 'skip') return spec.skipped;
          return run.later(deps.config.pipeline.supplierPauseRecheckMs);
        case 'give-up':
          if (spec.refused) return spec.refused(run, decision.reason, error);
          throw new UnrecoverableError(decision.reason);
        case 'look-up':
          if (spec.maybeDelivered) return spec.maybeDelivered(run, decision.reason);
          break;
        case 'bug':
          if (spec.invalidRequest) return spec.invalidRequest(run, decision.error);
          throw new UnrecoverableError(decision.reason);
        case 'retry':
          break;
      }
      const last = isLastAttempt(job);
      const ended = await spec.failed?.(run, decision.reason, last, error);
      if (ended !== undefined) return ended;
      throw error instanceof Error ? error : new Error(String(error));
    }
  };
}

/**
 * The send-once step: how every request that Chorus Pro must take at most once goes out (a deposit by flux or by
 * soumettre, a follow-up, a validator's decision). A processor declares its parts; the order and the rules are here:
 *
 * 1. When an earlier run may have sent it (its row says `sending`), or whenever the endpoint lets us look cheaply
 *    (`lookUp.always`), Chorus Pro is read first: what a request that took effect would have changed.
 *    Found after a possible send: it took effect, nothing is sent again. Found before any: Chorus Pro moved on
 *    without it (a deadline, another's action). Not found after a possible send: send again only if the look-up is
 *    definitive, else wait (`notFound`).
 * 2. What must be ready is prepared (checks, uploads); then the row says `sending`, flushed, right before the request
 *    leaves (`markSending`, which the client calls once the request is admitted): nothing that can fail runs between.
 * 3. A refusal after a possible send looks first: it may only say that the earlier request worked. An answer lost
 *    (a timeout, a garbled page) is an unknown outcome, looked up by the next run, never resent blindly. A failure
 *    that proves the request never arrived puts the row back where it can be sent again.
 */
export interface SendOnceSpec<T, D, L, P, A, R> {
  skipped: R;
  whilePaused?: 'postpone' | 'skip';
  load(em: EntityManager, job: Job<D>): Promise<{ subject: T; supplier: SupplierAccount } | { done: R }>;
  /** The row says an earlier run (or this one) may have sent the request, and nobody learnt how it ended. */
  mayHaveLeft(run: ChorusJobRun<T, D>): boolean;
  lookUp: {
    /** Read before every send, not only after a possible one. */
    always: boolean;
    /** What Chorus Pro shows that the request changed (a status, the invoice found by its number); null: nothing. */
    find(run: ChorusJobRun<T, D>): Promise<L | null>;
  };
  /** Found after a possible send: it took effect. */
  tookEffect(run: ChorusJobRun<T, D>, found: L): Promise<R>;
  /** Found before any send: Chorus Pro moved on without this request. */
  overtaken?(run: ChorusJobRun<T, D>, found: L): Promise<R>;
  /** Not found after a possible send: `send` again (the look-up is definitive), or what to do instead. */
  notFound(run: ChorusJobRun<T, D>): Promise<R | 'send'>;
  /** The checks and uploads before the request: the request, or a result that ends the run. */
  prepare(run: ChorusJobRun<T, D>): Promise<{ request: P } | { done: R }>;
  /** Records that the request may leave from now on, and flushes. */
  markSending(run: ChorusJobRun<T, D>): Promise<void>;
  send(run: ChorusJobRun<T, D>, request: P, beforeSend: () => Promise<void>): Promise<A>;
  sent(run: ChorusJobRun<T, D>, answer: A, request: P): Promise<R>;
  /** Chorus Pro said no to the request. */
  refused(run: ChorusJobRun<T, D>, reason: string): Promise<R>;
  /** The request may have arrived and its answer was lost: what to record before the next run looks it up. */
  unknown(run: ChorusJobRun<T, D>, reason: string): Promise<R>;
  /** It surely never arrived: the row goes back to where it can be sent (an attempt ends `not_sent`...). */
  notSent(run: ChorusJobRun<T, D>, reason: string): Promise<void>;
  /** A failure BullMQ will try again (`last` false), or the last one: what to record, and on the last the result. */
  failed(run: ChorusJobRun<T, D>, reason: string, last: boolean): Promise<R | undefined>;
  /** We built a request the contract refuses: our bug. */
  invalid(run: ChorusJobRun<T, D>, error: ChorusRequestInvalidError): Promise<R>;
  /** Before waiting out a rate limit or a pause. */
  beforeWaiting?(run: ChorusJobRun<T, D>): Promise<void>;
}

/** A chorusJob that sends one request once, by the rules of SendOnceSpec. */
export function sendOnceJob<T, D, L, P, A, R>(deps: ChorusJobDeps, spec: SendOnceSpec<T, D, L, P, A, R>) {
  /** Whether an earlier request took effect, when one may have left; null when nothing says so. */
  const lookAfterPossibleSend = async (run: ChorusJobRun<T, D>): Promise<R | null> => {
    if (!spec.mayHaveLeft(run)) return null;
    const found = await spec.lookUp.find(run).catch(() => null);
    return found === null ? null : spec.tookEffect(run, found);
  };
  return chorusJob<T, R, D>(deps, {
    skipped: spec.skipped,
    ...(spec.whilePaused ? { whilePaused: spec.whilePaused } : {}),
    load: (em, job) => spec.load(em, job),
    async run(run) {
      if (spec.mayHaveLeft(run) || spec.lookUp.always) {
        const found = await spec.lookUp.find(run);
        if (found !== null) {
          if (spec.mayHaveLeft(run)) return spec.tookEffect(run, found);
          if (spec.overtaken) return spec.overtaken(run, found);
        } else if (spec.mayHaveLeft(run)) {
          const next = await spec.notFound(run);
          if (next !== 'send') return next;
        }
      }
      const prepared = await spec.prepare(run);
      if ('done' in prepared) return prepared.done;
      const answer = await spec.send(run, prepared.request, () => spec.markSending(run));
      return spec.sent(run, answer, prepared.request);
    },
    async refused(run, reason) {
      // A refusal after a lost answer may only say that the first request worked: look before reporting it.
      return (await lookAfterPossibleSend(run)) ?? spec.refused(run, reason);
    },
    maybeDelivered: (run, reason) => spec.unknown(run, reason),
    async invalidRequest(run, error) {
      await spec.notSent(run, error.message);
      return spec.invalid(run, error);
    },
    async beforeWaiting(run) {
      await spec.beforeWaiting?.(run);
    },
    async failed(run, reason, last, error) {
      const provenNotSent = error instanceof ChorusTransientError && !error.maybeDelivered;
      // It may have arrived (a failure after the request left that proves nothing): looked up by the next run.
      if (spec.mayHaveLeft(run) && !provenNotSent && !last) return spec.unknown(run, reason);
      // It never left, or surely never arrived: it may be sent again.
      if (provenNotSent || !spec.mayHaveLeft(run)) await spec.notSent(run, reason);
      return spec.failed(run, reason, last);
    },
  });
}
