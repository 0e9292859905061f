/**
 * `follow-ups` jobs: send a recycle or a completion to Chorus Pro, once. Before each call the invoice's status is
 * read: if it has already left A_RECYCLER or SUSPENDUE, an earlier call took effect (a crash or a timeout hid the
 * answer) and nothing is sent again. The status sync then records where the invoice goes next.
 */
import type { Job } from 'bullmq';
import type { TechnicalAccount } from '../../src/chorus/client.js';
import { ChorusTransientError } from '../../src/chorus/errors.js';
import type { ChorusInvoicing } from '../../src/chorus/invoicing.js';
import type { AppContext } from '../../src/context.js';
import { FollowUp, type CompleteRequest, type RecycleRequest } from '../../src/db/entities/follow-up.js';
import { FOLLOW_UP_FROM } from '../../src/invoices/follow-ups.js';
import { note } from '../../src/invoices/transitions.js';
import { decide, isLastAttempt, postpone } from '../../src/queues/failure-policy.js';
import type { JobPayloads } from '../../src/queues/jobs.js';
import { pauseSupplier } from './supplier-pause.js';

export function makeFollowUpProcessor(deps: AppContext & { invoicing: ChorusInvoicing }) {
  return async (job: Job<JobPayloads['follow-ups']>, token?: string): Promise<{ outcome: string; detail?: string }> => {
    const em = deps.orm.em.fork();
    const followUp = await em.findOne(FollowUp, job.data.followUpId, { populate: ['invoice', 'invoice.supplier', 'attachmentContent'] });
    if (!followUp || followUp.state === 'done' || followUp.state === 'failed') return { outcome: followUp?.state ?? 'gone' };
    const invoice = followUp.invoice.getEntity();
    const supplier = invoice.supplier.getEntity();
    if (supplier.pausedAt) return postpone(job, token, deps.config.pipeline.supplierPauseRecheckMs);
    const account: TechnicalAccount = { login: supplier.chorusLogin, password: deps.secretBox.open(supplier.chorusPasswordSealed) };
    const chorusId = invoice.chorusInvoiceId!;
    const verb = followUp.kind === 'recycle' ? 'recycled' : 'completed';

    const finish = async (state: 'done' | 'failed', message: string, error?: { code: string; message: string }) => {
      followUp.state = state;
      followUp.error = error ?? null;
      note(em, invoice, { type: state === 'done' ? 'follow-up-sent' : 'follow-up-failed', source: state === 'done' ? 'chorus' : 'worker', message, details: { followUpId: followUp.id, kind: followUp.kind } });
      await em.flush();
      await job.log(message);
      return { outcome: state, detail: message };
    };
    /** Whether an earlier call already took effect: the invoice no longer waits for this answer. */
    const alreadyDone = async (): Promise<string | null> => {
      const status = await deps.invoicing.currentStatus(account, chorusId);
      return status && !FOLLOW_UP_FROM[followUp.kind].includes(status) ? status : null;
    };

    try {
      const moved = await alreadyDone();
      if (moved) {
        return await finish(followUp.state === 'sending' ? 'done' : 'failed', followUp.state === 'sending'
          ? `Chorus Pro shows invoice ${invoice.number} as ${moved}: the earlier ${followUp.kind} took effect.`
          : `Invoice ${invoice.number} is now ${moved} at Chorus Pro: it can no longer be ${verb}.`,
          followUp.state === 'sending' ? undefined : { code: 'STATUS_CHANGED', message: `The invoice is ${moved} at Chorus Pro.` });
      }
      if (followUp.kind === 'complete') {
        const request = followUp.request as CompleteRequest;
        if (request.attachment && followUp.attachmentContent && !followUp.chorusAttachmentId) {
          // Uploading twice after a crash leaves an unused attachment at Chorus Pro, never a wrong completion.
          followUp.chorusAttachmentId = await deps.invoicing.uploadAttachment(account, { ...request.attachment, content: followUp.attachmentContent });
          await em.flush();
        }
        followUp.state = 'sending';
        await em.flush();
        await deps.invoicing.complete(account, chorusId, {
          comment: request.comment,
          attachment: request.attachment && followUp.chorusAttachmentId ? { id: followUp.chorusAttachmentId, name: request.attachment.name } : null,
        });
      } else {
        followUp.state = 'sending';
        await em.flush();
        await deps.invoicing.recycle(account, chorusId, followUp.request as RecycleRequest);
      }
      if (followUp.kind === 'recycle') {
        // Chorus Pro routes the invoice again with the new data; the status sync follows it from here.
        const routing = followUp.request as RecycleRequest;
        if (routing.recipientSiret) invoice.recipientSiret = routing.recipientSiret;
        if (routing.serviceCode) invoice.serviceCode = routing.serviceCode;
        if (routing.engagementNumber) invoice.engagementNumber = routing.engagementNumber;
      }
      return await finish('done', `Chorus Pro accepted the ${followUp.kind === 'recycle' ? 'recycling' : 'completion'} of invoice ${invoice.number}.`);
    } catch (error) {
      const decision = decide(error);
      await job.log(`${decision.action}: ${decision.reason}`);
      switch (decision.action) {
        case 'wait':
          return postpone(job, token, decision.ms);
        case 'pause-supplier':
          await pauseSupplier(deps, supplier, decision.reason);
          return postpone(job, token, deps.config.pipeline.supplierPauseRecheckMs);
        case 'give-up': {
          // A refusal after a lost answer may only say that the first call worked: look before reporting it.
          if (followUp.state === 'sending') {
            const moved = await alreadyDone().catch(() => null);
            if (moved) return finish('done', `Chorus Pro shows invoice ${invoice.number} as ${moved}: the ${followUp.kind} took effect.`);
          }
          const message = `Chorus Pro refused to ${followUp.kind} invoice ${invoice.number}: ${decision.reason}`;
          return finish('failed', message, { code: 'CHORUS_REFUSED', message: decision.reason });
        }
        case 'look-up':
          // Stays `sending`: the next run reads the status before calling again.
          throw error instanceof Error ? error : new Error(String(error));
        case 'retry':
          // Surely not sent (connection refused...): back to `queued`. Otherwise it stays as it was, and the next
          // run reads the status before calling again anyway.
          if (error instanceof ChorusTransientError && !error.maybeDelivered) followUp.state = 'queued';
          if (isLastAttempt(job)) {
            return finish('failed', `The ${followUp.kind} of invoice ${invoice.number} could not be sent (${decision.reason}). Ask again with POST /v1/invoices/${invoice.id}/${followUp.kind}.`, { code: 'SEND_FAILED', message: decision.reason });
          }
          await em.flush().catch(() => undefined);
          throw error instanceof Error ? error : new Error(String(error));
      }
    }
  };
}
