/**
 * `follow-ups` jobs: send a recycle, a completion or a new validator to Chorus Pro, once, by the send-once step of
 * workers/chorus-job.ts. The look-up is the invoice's status, read before every call: if it has already left
 * A_RECYCLER, SUSPENDUE or the validator error, an earlier call took effect (a crash or a timeout hid the answer), or
 * Chorus Pro moved on without it; either way nothing is sent again. The status sync then records where it goes next.
 */
import type { Job } from 'bullmq';
import {
  FollowUp,
  type CompleteRequest,
  type CorrectValidatorRequest,
  type RecycleRequest,
} from '../../src/db/entities/follow-up.js';
import { FOLLOW_UP_FROM, FOLLOW_UP_WORDS, moveFollowUp } from '../../src/invoices/follow-ups.js';
import { record } from '../../src/invoices/lifecycle.js';
import type { JobPayloads } from '../../src/queues/jobs.js';
import { sendOnceJob, type ChorusJobDeps, type ChorusJobRun } from '../chorus-job.js';

type Result = { outcome: string; detail?: string };
type Run = ChorusJobRun<FollowUp, JobPayloads['follow-ups']>;

export function makeFollowUpProcessor(deps: ChorusJobDeps) {
  const finish = async (
    run: Run,
    state: 'done' | 'failed',
    message: string,
    error?: { code: string; message: string },
  ): Promise<Result> => {
    const followUp = run.subject;
    moveFollowUp(followUp, state, error ?? null);
    record(
      run.em,
      followUp.invoice.getEntity(),
      state === 'done' ? 'follow-up-sent' : 'follow-up-failed',
      state === 'done' ? 'chorus' : 'worker',
      { message, details: { followUpId: followUp.id, kind: followUp.kind } },
    );
    await run.em.flush();
    await run.log(message);
    return { outcome: state, detail: message };
  };
  const numberOf = (run: Run) => run.subject.invoice.getEntity().number;

  return sendOnceJob(deps, {
    skipped: { outcome: 'skipped' },
    async load(em, job: Job<JobPayloads['follow-ups']>) {
      const followUp = await em.findOne(FollowUp, job.data.followUpId, {
        populate: ['invoice', 'invoice.supplier', 'attachmentContent'],
      });
      if (!followUp || followUp.state === 'done' || followUp.state === 'failed')
        return { done: { outcome: followUp?.state ?? 'gone' } };
      return { subject: followUp, supplier: followUp.invoice.getEntity().supplier.getEntity() };
    },
    mayHaveLeft: (run) => run.subject.state === 'sending',
    lookUp: {
      always: true,
      async find(run) {
        const status = await run.invoicing.currentStatus(run.account, run.subject.invoice.getEntity().chorusInvoiceId!);
        return status && !FOLLOW_UP_FROM[run.subject.kind].includes(status) ? status : null;
      },
    },
    tookEffect: (run, status) =>
      finish(
        run,
        'done',
        `Chorus Pro shows invoice ${numberOf(run)} as ${status}: the earlier ${run.subject.kind} took effect.`,
      ),
    overtaken: (run, status) =>
      finish(
        run,
        'failed',
        `Invoice ${numberOf(run)} is now ${status} at Chorus Pro: it can no longer be ${FOLLOW_UP_WORDS[run.subject.kind].done}.`,
        { code: 'STATUS_CHANGED', message: `The invoice is ${status} at Chorus Pro.` },
      ),
    // The status is definitive: still waiting for this answer means the earlier call did not take effect.
    notFound: () => Promise.resolve('send' as const),
    async prepare(run) {
      const followUp = run.subject;
      if (followUp.kind === 'complete') {
        const request = followUp.request as CompleteRequest;
        if (request.attachment && followUp.attachmentContent && !followUp.chorusAttachmentId) {
          // Uploading twice after a crash leaves an unused attachment at Chorus Pro, never a wrong completion.
          followUp.chorusAttachmentId = await run.invoicing.uploadAttachment(run.account, {
            ...request.attachment,
            content: followUp.attachmentContent,
          });
          await run.em.flush();
        }
      }
      return { request: followUp };
    },
    async markSending(run) {
      moveFollowUp(run.subject, 'sending');
      await run.em.flush();
    },
    // Marked `sending` right before the call (these calls take no hook of their own): a worker killed from here on
    // leaves it `sending`, and the next run reads the status before anything else.
    async send(run, followUp, beforeSend) {
      const invoice = followUp.invoice.getEntity();
      const chorusId = invoice.chorusInvoiceId!;
      await beforeSend();
      if (followUp.kind === 'complete') {
        const request = followUp.request as CompleteRequest;
        await run.invoicing.complete(run.account, chorusId, {
          comment: request.comment,
          attachment:
            request.attachment && followUp.chorusAttachmentId
              ? { id: followUp.chorusAttachmentId, name: request.attachment.name }
              : null,
        });
      } else if (followUp.kind === 'correct-validator') {
        const { validatorSiret } = followUp.request as CorrectValidatorRequest;
        await run.invoicing.correctValidator(run.account, chorusId, validatorSiret);
        invoice.validatorSiret = validatorSiret;
      } else {
        const routing = followUp.request as RecycleRequest;
        await run.invoicing.recycle(run.account, chorusId, routing);
        // Chorus Pro routes the invoice again with the new data; the status sync follows it from here.
        if (routing.recipientSiret) invoice.recipientSiret = routing.recipientSiret;
        if (routing.serviceCode) invoice.serviceCode = routing.serviceCode;
        if (routing.engagementNumber) invoice.engagementNumber = routing.engagementNumber;
      }
    },
    sent: (run) =>
      finish(
        run,
        'done',
        `Chorus Pro accepted the ${FOLLOW_UP_WORDS[run.subject.kind].noun} of invoice ${numberOf(run)}.`,
      ),
    refused: (run, reason) =>
      finish(run, 'failed', `Chorus Pro refused to ${run.subject.kind} invoice ${numberOf(run)}: ${reason}`, {
        code: 'CHORUS_REFUSED',
        message: reason,
      }),
    async unknown(run, reason) {
      // Stays `sending`: the next run reads the status before calling again.
      await run.log(
        `The ${run.subject.kind} may have reached Chorus Pro (${reason}); its status is read before any new call.`,
      );
      throw new Error(reason);
    },
    notSent(run) {
      if (run.subject.state === 'sending') moveFollowUp(run.subject, 'queued');
      return Promise.resolve();
    },
    async failed(run, reason, last) {
      const followUp = run.subject;
      if (last) {
        return finish(
          run,
          'failed',
          `The ${followUp.kind} of invoice ${numberOf(run)} could not be sent (${reason}). Ask again with POST /v1/invoices/${followUp.invoice.id}/${followUp.kind}.`,
          { code: 'SEND_FAILED', message: reason },
        );
      }
      await run.em.flush().catch(() => undefined);
      return undefined;
    },
    invalid: (run, error) =>
      finish(run, 'failed', `${error.message}. This is a defect of chorus-relay.`, {
        code: 'INVALID_CHORUS_REQUEST',
        message: error.message,
      }),
  });
}
