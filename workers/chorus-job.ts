/**
 * The one runner for every job that calls Chorus Pro (deposit, report, status sync, follow-ups). It loads the rows,
 * postpones while the supplier account is paused, opens the technical account with the job's AbortSignal (a
 * shutdown or a lost lock aborts the HTTP request instead of leaving it running), and turns the one failure policy
 * (src/queues/failure-policy.ts) into what BullMQ should do. A processor keeps only its own rule: what it does, and
 * what a refusal, an unknown outcome or a last failed attempt mean for its rows.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { SEALED_AT } from '../src/shared/secret-box.js';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { TechnicalAccount } from '../src/chorus/client.js';
import type { ChorusRequestInvalidError } from '../src/chorus/errors.js';
import type { ChorusInvoicing } from '../src/chorus/invoicing.js';
import type { StructureDirectory } from '../src/chorus/structure-directory.js';
import type { AppContext } from '../src/context.js';
import type { Notification } from '../src/db/entities/notification.js';
import type { SupplierAccount } from '../src/db/entities/supplier-account.js';
import { publishNotifications } from '../src/alerts/notify.js';
import { decide, isLastAttempt, postpone } from '../src/queues/failure-policy.js';
import { pauseSupplier } from './processors/supplier-pause.js';

export type ChorusJobDeps = AppContext;

/** What a processor's own rule gets: its rows, the open account, and a job it may log to. */
export interface ChorusJobRun<T> {
  job: Job;
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

export interface ChorusJobSpec<T, R> {
  /** Reads the rows; `done` when there is nothing to do (the invoice moved on, the row is gone). */
  load(em: EntityManager, job: Job): Promise<{ subject: T; supplier: SupplierAccount } | { done: R }>;
  run(run: ChorusJobRun<T>): Promise<R>;
  /** While the supplier account is paused: wait (default), or end this run (a scheduler runs it again anyway). */
  whilePaused?: 'postpone' | 'skip';
  /** Chorus Pro said no (business refusal): the processor's rule. Without it, the job fails for good. */
  refused?(run: ChorusJobRun<T>, reason: string, error: unknown): Promise<R>;
  /** The request may have arrived: what to record before the job runs again (then it looks before resending). */
  maybeDelivered?(run: ChorusJobRun<T>, reason: string): Promise<R>;
  /** We built a request the contract refuses: our bug, never retried. */
  invalidRequest?(run: ChorusJobRun<T>, error: ChorusRequestInvalidError): Promise<R>;
  /** Before waiting out a rate limit or a pause: give back what the run took (a deposit slot). */
  beforeWaiting?(run: ChorusJobRun<T>): Promise<void>;
  /** A transient failure: what to record; on the last attempt, the processor may end the job with a result. */
  failed?(run: ChorusJobRun<T>, reason: string, lastAttempt: boolean, error: unknown): Promise<R | undefined>;
  skipped: R;
}

export function chorusJob<T, R>(deps: ChorusJobDeps, spec: ChorusJobSpec<T, R>) {
  // Three parameters: BullMQ hands a signal only to processors that declare it.
  return async (job: Job, token?: string, signal?: AbortSignal): Promise<R> => {
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
        deps.logger.debug('Job log or progress not written', { jobId: job.id, error: error instanceof Error ? error.message : String(error) });
      }
    };
    const run: ChorusJobRun<T> = {
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
        if (alert) await publishNotifications(deps, [alert], (job.data as { correlationId?: string }).correlationId);
        await bestEffort(() => job.log(sentence));
        throw new UnrecoverableError(sentence);
      },
    };
    if (supplier.pausedAt) {
      if (spec.whilePaused === 'skip') return spec.skipped;
      await run.log(`Supplier account ${supplier.siret} is paused (${supplier.pausedReason ?? 'refused by Chorus Pro'}); waiting for new credentials.`);
      return run.later(deps.config.pipeline.supplierPauseRecheckMs);
    }
    run.account.password = deps.secretBox.open(supplier.chorusPasswordSealed, SEALED_AT.supplierPassword(supplier.id));

    try {
      return await spec.run(run);
    } catch (error) {
      if (error instanceof DelayedError || error instanceof UnrecoverableError) throw error;
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
