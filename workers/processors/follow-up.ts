/**
 * `follow-ups` jobs: send a recycle or a completion to Chorus Pro, once. Before each call the invoice's status is
 * read: if it has already left A_RECYCLER or SUSPENDUE, an earlier call took effect (a crash or a timeout hid the
 * answer) and nothing is sent again. The status sync then records where the invoice goes next.
 */
import type { Job } from 'bullmq';
import { ChorusTransientError } from '../../src/chorus/errors.js';
import { FollowUp, type CompleteRequest, type CorrectValidatorRequest, type RecycleRequest } from '../../src/db/entities/follow-up.js';
import { FOLLOW_UP_FROM, FOLLOW_UP_WORDS } from '../../src/invoices/follow-ups.js';
import { record } from '../../src/invoices/lifecycle.js';
import type { JobPayloads } from '../../src/queues/jobs.js';
import { chorusJob, type ChorusJobDeps, type ChorusJobRun } from '../chorus-job.js';

type Result = { outcome: string; detail?: string };
type Run = ChorusJobRun<FollowUp>;

export function makeFollowUpProcessor(deps: ChorusJobDeps) {
  const finish = async (run: Run, state: 'done' | 'failed', message: string, error?: { code: string; message: string }): Promise<Result> => {
    const followUp = run.subject;
    followUp.state = state;
    followUp.error = error ?? null;
    record(run.em, followUp.invoice.getEntity(), state === 'done' ? 'follow-up-sent' : 'follow-up-failed', state === 'done' ? 'chorus' : 'worker', {
      message,
      details: { followUpId: followUp.id, kind: followUp.kind },
    });
    await run.em.flush();
    await run.log(message);
    return { outcome: state, detail: message };
  };
  /** Whether an earlier call already took effect: the invoice no longer waits for this answer. */
  const alreadyDone = async (run: Run): Promise<string | null> => {
    const status = await run.invoicing.currentStatus(run.account, run.subject.invoice.getEntity().chorusInvoiceId!);
    return status && !FOLLOW_UP_FROM[run.subject.kind].includes(status) ? status : null;
  };

  return chorusJob<FollowUp, Result>(deps, {
    skipped: { outcome: 'skipped' },
    async load(em, job) {
      const followUp = await em.findOne(FollowUp, (job as Job<JobPayloads['follow-ups']>).data.followUpId, { populate: ['invoice', 'invoice.supplier', 'attachmentContent'] });
      if (!followUp || followUp.state === 'done' || followUp.state === 'failed') return { done: { outcome: followUp?.state ?? 'gone' } };
      return { subject: followUp, supplier: followUp.invoice.getEntity().supplier.getEntity() };
    },

    async run(run) {
      const { em, subject: followUp, account } = run;
      const invoice = followUp.invoice.getEntity();
      const chorusId = invoice.chorusInvoiceId!;
      const moved = await alreadyDone(run);
      if (moved) {
        if (followUp.state === 'sending') return finish(run, 'done', `Chorus Pro shows invoice ${invoice.number} as ${moved}: the earlier ${followUp.kind} took effect.`);
        const verb = FOLLOW_UP_WORDS[followUp.kind].done;
        return finish(run, 'failed', `Invoice ${invoice.number} is now ${moved} at Chorus Pro: it can no longer be ${verb}.`, {
          code: 'STATUS_CHANGED',
          message: `The invoice is ${moved} at Chorus Pro.`,
        });
      }
      if (followUp.kind === 'complete') {
        const request = followUp.request as CompleteRequest;
        if (request.attachment && followUp.attachmentContent && !followUp.chorusAttachmentId) {
          // Uploading twice after a crash leaves an unused attachment at Chorus Pro, never a wrong completion.
          followUp.chorusAttachmentId = await run.invoicing.uploadAttachment(account, { ...request.attachment, content: followUp.attachmentContent });
          await em.flush();
        }
        followUp.state = 'sending';
        await em.flush();
        await run.invoicing.complete(account, chorusId, {
          comment: request.comment,
          attachment: request.attachment && followUp.chorusAttachmentId ? { id: followUp.chorusAttachmentId, name: request.attachment.name } : null,
        });
      } else if (followUp.kind === 'correct-validator') {
        const { validatorSiret } = followUp.request as CorrectValidatorRequest;
        followUp.state = 'sending';
        await em.flush();
        await run.invoicing.correctValidator(account, chorusId, validatorSiret);
        invoice.validatorSiret = validatorSiret;
      } else {
        const routing = followUp.request as RecycleRequest;
        followUp.state = 'sending';
        await em.flush();
        await run.invoicing.recycle(account, chorusId, routing);
        // Chorus Pro routes the invoice again with the new data; the status sync follows it from here.
        if (routing.recipientSiret) invoice.recipientSiret = routing.recipientSiret;
        if (routing.serviceCode) invoice.serviceCode = routing.serviceCode;
        if (routing.engagementNumber) invoice.engagementNumber = routing.engagementNumber;
      }
      return finish(run, 'done', `Chorus Pro accepted the ${FOLLOW_UP_WORDS[followUp.kind].noun} of invoice ${invoice.number}.`);
    },

    async refused(run, reason) {
      const followUp = run.subject;
      const invoice = followUp.invoice.getEntity();
      // A refusal after a lost answer may only say that the first call worked: look before reporting it.
      if (followUp.state === 'sending') {
        const moved = await alreadyDone(run).catch(() => null);
        if (moved) return finish(run, 'done', `Chorus Pro shows invoice ${invoice.number} as ${moved}: the ${followUp.kind} took effect.`);
      }
      return finish(run, 'failed', `Chorus Pro refused to ${followUp.kind} invoice ${invoice.number}: ${reason}`, { code: 'CHORUS_REFUSED', message: reason });
    },

    async maybeDelivered(run, reason) {
      // Stays `sending`: the next run reads the status before calling again.
      await run.log(`The ${run.subject.kind} may have reached Chorus Pro (${reason}); its status is read before any new call.`);
      throw new Error(reason);
    },

    async invalidRequest(run, error) {
      return finish(run, 'failed', `${error.message}. This is a defect of chorus-relay.`, { code: 'INVALID_CHORUS_REQUEST', message: error.message });
    },

    async failed(run, reason, lastAttempt, error) {
      const followUp = run.subject;
      const invoice = followUp.invoice.getEntity();
      // Surely not sent (connection refused...): back to `queued`. Otherwise it stays as it was, and the next run
      // reads the status before calling again anyway.
      if (error instanceof ChorusTransientError && !error.maybeDelivered) followUp.state = 'queued';
      if (lastAttempt) {
        return finish(
          run,
          'failed',
          `The ${followUp.kind} of invoice ${invoice.number} could not be sent (${reason}). Ask again with POST /v1/invoices/${invoice.id}/${followUp.kind}.`,
          { code: 'SEND_FAILED', message: reason },
        );
      }
      await run.em.flush().catch(() => undefined);
      return undefined;
    },
  });
}
