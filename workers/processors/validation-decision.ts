/**
 * `validations` jobs: send a validator's decision to Chorus Pro (`traiter/factureAValider`), once. Before each call
 * the invoice's status is read as its validator sees it: if it no longer waits (A_VALIDER_1/2), an earlier call
 * took effect (a crash or a timeout hid the answer) or the deadline passed, and nothing is sent again.
 */
import type { Job } from 'bullmq';
import { ChorusTransientError } from '../../src/chorus/errors.js';
import { Validation } from '../../src/db/entities/validation.js';
import type { JobPayloads } from '../../src/queues/jobs.js';
import { addEvent } from '../../src/validations/timeline.js';
import { stageAfter, validationStageOf } from '../../src/validations/stages.js';
import { chorusJob, type ChorusJobDeps, type ChorusJobRun } from '../chorus-job.js';

type Result = { outcome: string; detail?: string };
type Run = ChorusJobRun<Validation>;

const VERB = { approve: 'approval', refuse: 'refusal' } as const;

export function makeValidationDecisionProcessor(deps: ChorusJobDeps) {
  const finish = async (run: Run, state: 'done' | 'failed', message: string, status: string | null, error?: { code: string; message: string }): Promise<Result> => {
    const validation = run.subject;
    validation.decisionState = state;
    validation.decisionError = error ?? null;
    if (status && status !== validation.chorusStatus) {
      validation.chorusStatus = status;
      validation.stage = stageAfter(validation, status, deps.clock.now());
    }
    addEvent(validation, deps.clock.now(), state === 'done' ? 'decision-sent' : 'decision-failed', message);
    await run.em.flush();
    await run.log(message);
    return { outcome: state, detail: message };
  };
  /** The status, when the invoice no longer waits for a decision. */
  const noLongerWaiting = async (run: Run): Promise<string | null> => {
    const { status } = await run.invoicing.viewAsValidator(run.account, run.subject.chorusInvoiceId);
    return status && validationStageOf(status) !== 'pending' ? status : null;
  };

  return chorusJob<Validation, Result>(deps, {
    skipped: { outcome: 'skipped' },
    async load(em, job) {
      const validation = await em.findOne(Validation, (job as Job<JobPayloads['validations']>).data.validationId, { populate: ['validator'] });
      if (!validation?.decision || (validation.decisionState !== 'queued' && validation.decisionState !== 'sending'))
        return { done: { outcome: validation?.decisionState ?? 'gone' } };
      return { subject: validation, supplier: validation.validator.getEntity() };
    },

    async run(run) {
      const { em, subject: validation, account, supplier } = run;
      const decision = validation.decision!;
      const moved = await noLongerWaiting(run);
      if (moved) {
        if (validation.decisionState === 'sending')
          return finish(run, 'done', `Chorus Pro shows invoice ${validation.invoiceNumber} as ${moved}: the earlier ${VERB[decision.action]} took effect.`, moved);
        return finish(run, 'failed', `Invoice ${validation.invoiceNumber} is now ${moved} at Chorus Pro: it no longer waits for a decision.`, moved, {
          code: 'STATUS_CHANGED',
          message: `The invoice is ${moved} at Chorus Pro.`,
        });
      }
      validation.decisionState = 'sending';
      await em.flush();
      const status = await run.invoicing.decideAsValidator(
        account,
        validation.chorusInvoiceId,
        supplier.chorusStructureId,
        decision.action === 'approve' ? { action: 'approve', comment: decision.text } : { action: 'refuse', reason: decision.text ?? '' },
      );
      return finish(run, 'done', `Chorus Pro accepted the ${VERB[decision.action]} of invoice ${validation.invoiceNumber}${status ? `: it is now ${status}` : ''}.`, status);
    },

    async refused(run, reason) {
      const validation = run.subject;
      const verb = VERB[validation.decision!.action];
      // A refusal after a lost answer may only say that the first call worked: look before reporting it.
      if (validation.decisionState === 'sending') {
        const moved = await noLongerWaiting(run).catch(() => null);
        if (moved) return finish(run, 'done', `Chorus Pro shows invoice ${validation.invoiceNumber} as ${moved}: the ${verb} took effect.`, moved);
      }
      return finish(run, 'failed', `Chorus Pro refused the ${verb} of invoice ${validation.invoiceNumber}: ${reason}`, null, { code: 'CHORUS_REFUSED', message: reason });
    },

    async maybeDelivered(run, reason) {
      // Stays `sending`: the next run reads the status before calling again.
      await run.log(`The decision may have reached Chorus Pro (${reason}); its status is read before any new call.`);
      throw new Error(reason);
    },

    async invalidRequest(run, error) {
      return finish(run, 'failed', `${error.message}. This is a defect of chorus-relay.`, null, { code: 'INVALID_CHORUS_REQUEST', message: error.message });
    },

    async failed(run, reason, lastAttempt, error) {
      const validation = run.subject;
      if (error instanceof ChorusTransientError && !error.maybeDelivered) validation.decisionState = 'queued';
      if (lastAttempt) {
        return finish(
          run,
          'failed',
          `The ${VERB[validation.decision!.action]} of invoice ${validation.invoiceNumber} could not be sent (${reason}). Ask again with POST /v1/validations/${validation.id}/${validation.decision!.action}.`,
          null,
          { code: 'SEND_FAILED', message: reason },
        );
      }
      await run.em.flush().catch(() => undefined);
      return undefined;
    },
  });
}
