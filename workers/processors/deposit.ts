/**
 * `deposit` jobs: check the recipient, then deposit the invoice once: its flux (deposer/flux, then the report job
 * follows it), or without a flux, soumettre (after deposer/pdf has read a plain PDF), whose answer integrates it.
 *
 * Exactly once, by the send-once step of workers/chorus-job.ts, with an attempt row per try (its table in
 * src/invoices/deposit-attempts.ts): written before the call (`prepared`), marked `sending` once the request is
 * admitted, right before it leaves, and `sent` once Chorus Pro answered. A worker killed at any point leaves the
 * invoice `depositing`; the next run reads the last attempt: `prepared` never left, so it deposits; `sending` may have
 * arrived, so the invoice is looked up at Chorus Pro (deposit/reconcile.ts) and never deposited blindly.
 * The parts: deposit/prechecks.ts (what the request needs), deposit/send.ts (the request and its answer),
 * deposit/reconcile.ts (the look-up).
 */
import type { Job } from 'bullmq';
import { publishNotifications } from '../../src/alerts/notify.js';
import { DepositAttempt } from '../../src/db/entities/deposit-attempt.js';
import { Invoice } from '../../src/db/entities/invoice.js';
import { isUnderWay, moveAttempt } from '../../src/invoices/deposit-attempts.js';
import { transition } from '../../src/invoices/lifecycle.js';
import { RETRYABLE_STATES } from '../../src/invoices/states.js';
import type { JobPayloads } from '../../src/queues/jobs.js';
import { withoutFinalStop } from '../../src/shared/sentences.js';
import { failpoint } from '../../src/shared/failpoints.js';
import { sendOnceJob, type ChorusJobDeps } from '../chorus-job.js';
import { prepareDeposit } from './deposit/prechecks.js';
import { findDeposited, notFoundYet, reconciled } from './deposit/reconcile.js';
import { depositSent, sendDeposit } from './deposit/send.js';
import type { DepositRun } from './deposit/subject.js';

export type { DepositResult } from './deposit/subject.js';
export type DepositDeps = ChorusJobDeps;

export function makeDepositProcessor(deps: DepositDeps) {
  /** Ends this run's attempt, if one is under way: it never left (`not_sent`) or Chorus Pro said no (`refused`). */
  const endAttempt = (run: DepositRun, phase: 'not_sent' | 'refused', reason: string): boolean => {
    const { attempt } = run.subject;
    if (!isUnderWay(attempt)) return false;
    moveAttempt(attempt, phase, deps.clock.now(), { error: reason });
    return true;
  };
  /** No usable answer: the attempt stays `sending`, so the next run looks the invoice up before any new deposit. */
  const unknownOutcome = async (run: DepositRun, reason: string): Promise<never> => {
    const { invoice, attempt } = run.subject;
    transition(run.em, invoice, 'deposit-outcome-unknown', {
      message: `No usable answer from Chorus Pro to deposit attempt ${attempt?.number ?? '?'} (${reason}); it may have arrived, so it will be looked up before any new deposit.`,
    });
    await run.em.flush();
    return run.later(deps.config.pipeline.reportPollFirstMs);
  };

  return sendOnceJob(deps, {
    skipped: { outcome: 'nothing-to-do' as const },
    async load(em, job: Job<JobPayloads['deposit']>) {
      await deps.priorities.served(job.priority);
      const invoice = await em.findOne(Invoice, job.data.invoiceId, { populate: ['supplier', 'fileContent'] });
      if (!invoice) return { done: { outcome: 'nothing-to-do' as const, detail: 'no such invoice' } };
      if (RETRYABLE_STATES.includes(invoice.state)) {
        // Only an operator runs a finished deposit job again (Bull Board's retry, or POST /v1/invoices/{id}/retry).
        transition(em, invoice, 'retry-requested', { message: 'An operator asked for the deposit to be tried again.' });
        await em.flush();
      }
      if (invoice.state !== 'queued' && invoice.state !== 'depositing')
        return { done: { outcome: 'nothing-to-do' as const, detail: `invoice is ${invoice.state}` } };
      const last = await em.findOne(DepositAttempt, { invoice }, { orderBy: { number: 'desc' } });
      return { subject: { invoice, last, attempt: null }, supplier: invoice.supplier.getEntity() };
    },
    mayHaveLeft: ({ subject }) =>
      subject.attempt
        ? subject.attempt.phase === 'sending'
        : subject.invoice.state === 'depositing' && subject.last?.phase === 'sending',
    // The search may lag behind a flux's processing: looked at only when an attempt may have arrived.
    lookUp: { always: false, find: findDeposited },
    tookEffect: (run, found) => reconciled(deps, run, found),
    notFound: (run) => notFoundYet(deps, run),
    async prepare(run) {
      const { em, subject } = run;
      const { invoice, last } = subject;
      if (invoice.state === 'depositing' && last?.phase === 'prepared') {
        moveAttempt(last, 'not_sent', deps.clock.now(), { error: 'The worker stopped before sending the request.' });
      }
      const prepared = await prepareDeposit(run, deps.rulesChecker);
      if ('done' in prepared) return prepared;
      subject.attempt = em.create(DepositAttempt, {
        invoice,
        number: (last?.number ?? 0) + 1,
        phase: 'prepared',
        startedAt: deps.clock.now(),
      });
      transition(em, invoice, 'deposit-started', null);
      // The version check makes a second, concurrent run of this job fail here rather than deposit again.
      await em.flush();
      await run.progress(40);
      failpoint(deps.config.failpoints, 'deposit:before-call');
      return prepared;
    },
    // Written once the request is admitted (rate limit, token), right before it leaves: a worker killed while it
    // waited leaves `prepared`, safely sent again.
    async markSending(run) {
      const attempt = run.subject.attempt!;
      if (attempt.phase === 'sending') return;
      moveAttempt(attempt, 'sending', deps.clock.now());
      await run.em.flush();
    },
    send: sendDeposit,
    sent: (run, answer) => depositSent(deps, run, answer, (reason) => unknownOutcome(run, reason)),
    async refused(run, reason) {
      const message = `Chorus Pro refused the deposit: ${reason}`;
      endAttempt(run, 'refused', reason);
      const alert = transition(run.em, run.subject.invoice, 'deposit-refused', { message }, { chorusReason: reason });
      return run.refuse(
        alert,
        `${withoutFinalStop(message)}. Fix the invoice, then submit it again (POST /v1/invoices).`,
      );
    },
    unknown: unknownOutcome,
    notSent(run, reason) {
      endAttempt(run, 'not_sent', reason);
      return Promise.resolve();
    },
    async beforeWaiting(run) {
      // The deposit slot is given back: the invoice waits as queued.
      if (endAttempt(run, 'not_sent', 'Waiting (rate limit or paused account)'))
        transition(run.em, run.subject.invoice, 'deposit-postponed', null);
      await run.em.flush();
    },
    invalid(run, error) {
      const message = `${error.message}. This is a defect of chorus-relay, not of the invoice: report it; an operator can retry once it is fixed.`;
      const alert = transition(run.em, run.subject.invoice, 'request-invalid', {
        message,
        details: { field: error.field },
      });
      return run.refuse(alert, message);
    },
    async failed(run, reason, lastAttempt) {
      const { invoice } = run.subject;
      const message = lastAttempt
        ? `The deposit failed ${run.job.attemptsMade + 1} times (${reason}). An operator can retry it from Bull Board or POST /v1/invoices/${invoice.id}/retry.`
        : `Deposit attempt failed (${reason}); it will be tried again.`;
      const alert = transition(run.em, invoice, lastAttempt ? 'deposit-failed' : 'deposit-attempt-failed', { message });
      try {
        await run.em.flush();
        if (alert) await publishNotifications(deps, [alert], run.job.data.correlationId);
      } catch (flushError) {
        // The database itself may be what failed; the row still says where the invoice stands.
        deps.logger.warn('Could not record the failed attempt', {
          invoiceId: invoice.id,
          error: flushError instanceof Error ? flushError.message : String(flushError),
        });
      }
      return undefined;
    },
  });
}
