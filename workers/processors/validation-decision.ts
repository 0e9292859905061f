/**
 * `validations` jobs: send a validator's decision to Chorus Pro (`traiter/factureAValider`), once, by the send-once
 * step of workers/chorus-job.ts. The look-up is the invoice's status as its validator sees it, read before every
 * call: if it no longer waits (A_VALIDER_1/2), an earlier call took effect (a crash or a timeout hid the answer) or
 * the deadline passed, and nothing is sent again. What the status means for the row, and the alert it calls for,
 * is src/validations/transitions.ts's, as for the inbox sync.
 */
import type { Job } from 'bullmq';
import { publishNotifications } from '../../src/alerts/notify.js';
import { Validation } from '../../src/db/entities/validation.js';
import type { JobPayloads } from '../../src/queues/jobs.js';
import { validationStageOf } from '../../src/validations/stages.js';
import { addEvent } from '../../src/validations/timeline.js';
import { moveDecision, observeValidationStatus } from '../../src/validations/transitions.js';
import { sendOnceJob, type ChorusJobDeps, type ChorusJobRun } from '../chorus-job.js';

type Result = { outcome: string; detail?: string };
type Run = ChorusJobRun<Validation, JobPayloads['validations']>;

const VERB = { approve: 'approval', refuse: 'refusal' } as const;

export function makeValidationDecisionProcessor(deps: ChorusJobDeps) {
  const finish = async (
    run: Run,
    state: 'done' | 'failed',
    message: string,
    status: string | null,
    error?: { code: string; message: string },
  ): Promise<Result> => {
    const validation = run.subject;
    const now = deps.clock.now();
    moveDecision(validation, state, error ?? null);
    addEvent(validation, now, state === 'done' ? 'decision-sent' : 'decision-failed', message);
    const alert = status ? observeValidationStatus(run.em, validation, status, now) : null;
    await run.em.flush();
    if (alert) await publishNotifications(deps, [alert], run.job.data.correlationId);
    await run.log(message);
    return { outcome: state, detail: message };
  };
  const verbOf = (run: Run) => VERB[run.subject.decision!.action];

  return sendOnceJob(deps, {
    skipped: { outcome: 'skipped' },
    async load(em, job: Job<JobPayloads['validations']>) {
      const validation = await em.findOne(Validation, job.data.validationId, { populate: ['validator'] });
      if (!validation?.decision || (validation.decisionState !== 'queued' && validation.decisionState !== 'sending'))
        return { done: { outcome: validation?.decisionState ?? 'gone' } };
      return { subject: validation, supplier: validation.validator.getEntity() };
    },
    mayHaveLeft: (run) => run.subject.decisionState === 'sending',
    lookUp: {
      always: true,
      async find(run) {
        const { status } = await run.invoicing.viewAsValidator(run.account, run.subject.chorusInvoiceId);
        return status && validationStageOf(status) !== 'pending' ? status : null;
      },
    },
    tookEffect: (run, status) =>
      finish(
        run,
        'done',
        `Chorus Pro shows invoice ${run.subject.invoiceNumber} as ${status}: the earlier ${verbOf(run)} took effect.`,
        status,
      ),
    overtaken: (run, status) =>
      finish(
        run,
        'failed',
        `Invoice ${run.subject.invoiceNumber} is now ${status} at Chorus Pro: it no longer waits for a decision.`,
        status,
        { code: 'STATUS_CHANGED', message: `The invoice is ${status} at Chorus Pro.` },
      ),
    // Still waiting for a decision: the earlier call did not take effect.
    notFound: () => Promise.resolve('send' as const),
    prepare: (run) => Promise.resolve({ request: run.subject.decision! }),
    async markSending(run) {
      moveDecision(run.subject, 'sending');
      await run.em.flush();
    },
    async send(run, decision, beforeSend) {
      await beforeSend();
      return run.invoicing.decideAsValidator(
        run.account,
        run.subject.chorusInvoiceId,
        run.supplier.chorusStructureId,
        decision.action === 'approve'
          ? { action: 'approve', comment: decision.text }
          : { action: 'refuse', reason: decision.text ?? '' },
      );
    },
    sent: (run, status) =>
      finish(
        run,
        'done',
        `Chorus Pro accepted the ${verbOf(run)} of invoice ${run.subject.invoiceNumber}${status ? `: it is now ${status}` : ''}.`,
        status,
      ),
    refused: (run, reason) =>
      finish(
        run,
        'failed',
        `Chorus Pro refused the ${verbOf(run)} of invoice ${run.subject.invoiceNumber}: ${reason}`,
        null,
        {
          code: 'CHORUS_REFUSED',
          message: reason,
        },
      ),
    async unknown(run, reason) {
      // Stays `sending`: the next run reads the status before calling again.
      await run.log(`The decision may have reached Chorus Pro (${reason}); its status is read before any new call.`);
      throw new Error(reason);
    },
    notSent(run) {
      if (run.subject.decisionState === 'sending') moveDecision(run.subject, 'queued');
      return Promise.resolve();
    },
    async failed(run, reason, last) {
      const validation = run.subject;
      if (last) {
        return finish(
          run,
          'failed',
          `The ${verbOf(run)} of invoice ${validation.invoiceNumber} could not be sent (${reason}). Ask again with POST /v1/validations/${validation.id}/${validation.decision!.action}.`,
          null,
          { code: 'SEND_FAILED', message: reason },
        );
      }
      await run.em.flush().catch(() => undefined);
      return undefined;
    },
    invalid: (run, error) =>
      finish(run, 'failed', `${error.message}. This is a defect of chorus-relay.`, null, {
        code: 'INVALID_CHORUS_REQUEST',
        message: error.message,
      }),
  });
}
