/**
 * `deposit` jobs: check the recipient, deposit the invoice's flux once, and hand over to the report job.
 *
 * Exactly once: an attempt row is written before the call (`prepared`), marked `sending` just before the
 * request leaves, and `sent` with the numeroFluxDepot once Chorus Pro answered. A worker killed at any point
 * leaves the invoice `depositing`; the next run reads the last attempt: `prepared` never left, so it deposits;
 * `sending` may have arrived, so it looks the invoice up at Chorus Pro and never deposits blindly.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Job } from 'bullmq';
import type { TechnicalAccount } from '../../src/chorus/client.js';
import type { ChorusInvoicing } from '../../src/chorus/invoicing.js';
import type { StructureDirectory } from '../../src/chorus/structure-directory.js';
import type { AppContext } from '../../src/context.js';
import { DepositAttempt } from '../../src/db/entities/deposit-attempt.js';
import { Invoice } from '../../src/db/entities/invoice.js';
import type { SupplierAccount } from '../../src/db/entities/supplier-account.js';
import { checkRecipient } from '../../src/invoices/recipient-check.js';
import { RETRYABLE_STATES } from '../../src/invoices/states.js';
import { note } from '../../src/invoices/transitions.js';
import { enqueueReport } from '../../src/queues/enqueue.js';
import { notifyActionRequired, publishNotifications } from '../../src/alerts/notify.js';
import { decide, isLastAttempt, postpone } from '../../src/queues/failure-policy.js';
import type { JobPayloads } from '../../src/queues/jobs.js';
import { failpoint } from '../../src/shared/failpoints.js';
import { pauseSupplier } from './supplier-pause.js';

export type DepositDeps = AppContext & { invoicing: ChorusInvoicing; structures: StructureDirectory };
type DepositJob = Job<JobPayloads['deposit']>;

export interface DepositResult {
  outcome: 'deposited' | 'reconciled' | 'precheck-failed' | 'refused' | 'needs-attention' | 'nothing-to-do';
  detail?: string;
}

export function makeDepositProcessor(deps: DepositDeps) {
  return async (job: DepositJob, token?: string): Promise<DepositResult> => {
    await deps.priorities.served(job.priority);
    const em = deps.orm.em.fork();
    const invoice = await em.findOne(Invoice, job.data.invoiceId, { populate: ['supplier', 'fileContent'] });
    if (!invoice) return { outcome: 'nothing-to-do', detail: 'no such invoice' };
    const log = deps.logger.child({ invoiceId: invoice.id });
    const supplier = invoice.supplier.getEntity();

    if (RETRYABLE_STATES.includes(invoice.state)) {
      // Only an operator runs a finished deposit job again (Bull Board's retry, or POST /v1/invoices/{id}/retry).
      note(em, invoice, { type: 'retry-requested', source: 'operator', message: 'An operator asked for the deposit to be tried again.' }, { state: 'queued', error: null });
      await em.flush();
    }
    if (invoice.state !== 'queued' && invoice.state !== 'depositing') return { outcome: 'nothing-to-do', detail: `invoice is ${invoice.state}` };

    if (supplier.pausedAt) {
      await job.log(`Supplier account ${supplier.siret} is paused (${supplier.pausedReason ?? 'refused by Chorus Pro'}); waiting.`);
      return postpone(job, token, deps.config.pipeline.supplierPauseRecheckMs);
    }
    const account: TechnicalAccount = { login: supplier.chorusLogin, password: deps.secretBox.open(supplier.chorusPasswordSealed) };

    const last = await em.findOne(DepositAttempt, { invoice }, { orderBy: { number: 'desc' } });
    if (invoice.state === 'depositing' && last?.phase === 'sending') {
      return reconcile(deps, em, job, token, invoice, supplier, account, last);
    }
    if (invoice.state === 'depositing' && last?.phase === 'prepared') {
      last.phase = 'not_sent';
      last.finishedAt = new Date();
      last.error = 'The worker stopped before sending the request.';
    }

    try {
      await job.updateProgress(10);
      const recipient = await deps.structures.recipient(account, invoice.recipientSiret);
      const refusal = checkRecipient(invoice, recipient);
      if (refusal) {
        note(
          em,
          invoice,
          { type: 'precheck-failed', source: 'worker', message: `${refusal.message} ${refusal.fix}`, details: { rule: refusal.rule, fix: refusal.fix } },
          { state: 'precheck_failed', error: { code: refusal.rule, message: `${refusal.message} ${refusal.fix}` } },
        );
        const alert = notifyActionRequired(em, invoice, { reason: 'precheck_failed', message: `${refusal.message} ${refusal.fix}`, transition: `v${invoice.version}` });
        await em.flush();
        await publishNotifications(deps, [alert]);
        await job.log(`Pre-check refused: ${refusal.rule}`);
        return { outcome: 'precheck-failed', detail: refusal.rule };
      }
      if (!last) {
        // Once, before the first deposit: the timeline shows what the routing was checked against.
        note(em, invoice, {
          type: 'precheck-passed',
          source: 'worker',
          message: `Routing checked against Chorus Pro: ${recipient!.name} (${invoice.recipientSiret})${invoice.serviceCode ? `, service ${invoice.serviceCode}` : ''}${invoice.engagementNumber ? `, engagement number ${invoice.engagementNumber}` : ''}.`,
          details: { recipientStructureId: recipient!.structureId },
        });
      }
    } catch (error) {
      return handleFailure(deps, em, job, token, invoice, supplier, null, error);
    }

    const attempt = em.create(DepositAttempt, { invoice, number: (last?.number ?? 0) + 1, phase: 'prepared' });
    invoice.state = 'depositing';
    // The version check makes a second, concurrent run of this job fail here rather than deposit again.
    await em.flush();
    failpoint(deps.config.failpoints, 'deposit:before-call');
    attempt.phase = 'sending';
    await em.flush();
    await job.updateProgress(40);

    let receipt;
    try {
      receipt = await deps.invoicing.deposit(account, { content: invoice.fileContent, name: invoice.fileName, syntaxeFlux: invoice.syntaxeFlux });
    } catch (error) {
      return handleFailure(deps, em, job, token, invoice, supplier, attempt, error);
    }
    failpoint(deps.config.failpoints, 'deposit:after-response');
    const { fluxNumber } = receipt;
    if (!fluxNumber) {
      return handleFailure(deps, em, job, token, invoice, supplier, attempt, new Error('Chorus Pro accepted the deposit without a numeroFluxDepot'));
    }
    attempt.phase = 'sent';
    attempt.fluxNumber = fluxNumber;
    attempt.finishedAt = new Date();
    invoice.chorusFluxNumber = fluxNumber;
    invoice.depositedAt = attempt.finishedAt;
    note(
      em,
      invoice,
      { type: 'deposit-sent', source: 'chorus', message: `Chorus Pro received the invoice: flux ${fluxNumber}, deposited on ${receipt.depositDate ?? 'an unstated date'}.`, details: { fluxNumber, depositDate: receipt.depositDate, answer: receipt.answer } },
      { state: 'awaiting_report', error: null },
    );
    await em.flush();
    await job.log(`deposerFlux: ${receipt.answer}, numeroFluxDepot ${fluxNumber}, dateDepot ${receipt.depositDate ?? '?'}`);
    await job.updateProgress(100);
    log.info('Invoice deposited', { fluxNumber });
    await enqueueReport(deps.queues, invoice, deps.config.pipeline.reportPollFirstMs);
    return { outcome: 'deposited', detail: fluxNumber };
  };
}

/** The outcome of the last attempt is unknown: find the invoice at Chorus Pro before anything else. */
async function reconcile(
  deps: DepositDeps,
  em: EntityManager,
  job: DepositJob,
  token: string | undefined,
  invoice: Invoice,
  supplier: SupplierAccount,
  account: TechnicalAccount,
  attempt: DepositAttempt,
): Promise<DepositResult> {
  let found;
  try {
    found = (await deps.invoicing.invoicesNumbered(account, invoice.number, attempt.startedAt)).find(
      (f) => f.number === invoice.number && (f.supplierSiret === null || f.supplierSiret === supplier.siret),
    );
  } catch (error) {
    return handleFailure(deps, em, job, token, invoice, supplier, null, error);
  }
  if (found) {
    attempt.phase = 'reconciled';
    attempt.fluxNumber = found.fluxNumber;
    attempt.finishedAt = new Date();
    invoice.chorusFluxNumber = found.fluxNumber ?? invoice.chorusFluxNumber;
    invoice.depositedAt ??= attempt.startedAt;
    invoice.chorusInvoiceId = found.chorusInvoiceId;
    invoice.chorusStatus = found.status;
    invoice.chorusStatusAt = found.statusAt;
    note(em, invoice, {
      type: 'deposit-reconciled',
      source: 'worker',
      message: `The outcome of deposit attempt ${attempt.number} was unknown; Chorus Pro has the invoice (flux ${found.fluxNumber ?? '?'}), so it was not deposited again.`,
      details: { fluxNumber: found.fluxNumber, chorusInvoiceId: found.chorusInvoiceId },
    });
    note(
      em,
      invoice,
      { type: 'integrated', source: 'chorus', message: `Integrated in Chorus Pro as invoice ${found.chorusInvoiceId}, status ${found.status ?? 'unknown'}.`, details: { chorusInvoiceId: found.chorusInvoiceId, status: found.status } },
      { state: 'integrated', error: null },
    );
    await em.flush();
    await job.log(`Reconciled: Chorus Pro has ${invoice.number} as ${found.chorusInvoiceId} (${found.status ?? '?'})`);
    return { outcome: 'reconciled', detail: found.chorusInvoiceId };
  }
  const waited = Date.now() - attempt.startedAt.getTime();
  const { reconcileWindowMs, reportPollFirstMs, reportPollMaxMs } = deps.config.pipeline;
  if (waited < reconcileWindowMs) {
    await job.log(`Not found at Chorus Pro yet (the flux may still be processed); looking again later.`);
    return postpone(job, token, Math.min(Math.max(reportPollFirstMs, waited), reportPollMaxMs));
  }
  const after = waited < 120_000 ? `${Math.round(waited / 1000)} seconds` : `${Math.round(waited / 60_000)} minutes`;
  const message = `The outcome of deposit attempt ${attempt.number} is unknown and Chorus Pro still does not show invoice ${invoice.number} after ${after}. Check the Chorus Pro portal: if the invoice is not there, retry the deposit.`;
  note(em, invoice, { type: 'needs-attention', source: 'worker', message }, { state: 'needs_attention', error: { code: 'DEPOSIT_OUTCOME_UNKNOWN', message } });
  attempt.finishedAt = new Date();
  const alert = notifyActionRequired(em, invoice, { reason: 'deposit_failed', message, transition: `v${invoice.version}` });
  await em.flush();
  await publishNotifications(deps, [alert]);
  return { outcome: 'needs-attention', detail: 'DEPOSIT_OUTCOME_UNKNOWN' };
}

/** Applies the failure policy; `attempt` is the deposit attempt under way, if the call was made. */
async function handleFailure(
  deps: DepositDeps,
  em: EntityManager,
  job: DepositJob,
  token: string | undefined,
  invoice: Invoice,
  supplier: SupplierAccount,
  attempt: DepositAttempt | null,
  error: unknown,
): Promise<DepositResult> {
  const decision = decide(error);
  await job.log(`${decision.action}: ${decision.reason}`);
  const closeAttempt = (phase: 'not_sent' | 'refused') => {
    if (!attempt) return;
    attempt.phase = phase;
    attempt.finishedAt = new Date();
    attempt.error = decision.reason;
  };
  switch (decision.action) {
    case 'wait':
      closeAttempt('not_sent');
      if (attempt) invoice.state = 'queued';
      await em.flush();
      return postpone(job, token, decision.ms);
    case 'pause-supplier':
      closeAttempt('not_sent');
      if (attempt) invoice.state = 'queued';
      await em.flush();
      await pauseSupplier(deps, supplier, decision.reason);
      return postpone(job, token, deps.config.pipeline.supplierPauseRecheckMs);
    case 'look-up':
      // The attempt stays `sending`: the next run looks the invoice up instead of depositing again.
      note(em, invoice, { type: 'deposit-outcome-unknown', source: 'worker', message: `No answer from Chorus Pro to deposit attempt ${attempt?.number ?? '?'} (${decision.reason}); it may have arrived, so it will be looked up before any new deposit.` });
      await em.flush();
      return postpone(job, token, deps.config.pipeline.reportPollFirstMs);
    case 'give-up': {
      closeAttempt('refused');
      const message = `Chorus Pro refused the deposit: ${decision.reason}`;
      note(em, invoice, { type: 'deposit-refused', source: 'chorus', message }, { state: 'rejected', error: { code: 'DEPOSIT_REFUSED', message } });
      const alert = notifyActionRequired(em, invoice, { reason: 'rejected_at_integration', message, chorusReason: decision.reason, transition: `v${invoice.version}` });
      await em.flush();
      await publishNotifications(deps, [alert]);
      return { outcome: 'refused', detail: decision.reason };
    }
    case 'retry': {
      closeAttempt('not_sent');
      if (attempt) invoice.state = 'queued';
      const final = isLastAttempt(job);
      const message = final
        ? `The deposit failed ${job.attemptsMade + 1} times (${decision.reason}). An operator can retry it from Bull Board or POST /v1/invoices/${invoice.id}/retry.`
        : `Deposit attempt failed (${decision.reason}); it will be tried again.`;
      note(em, invoice, { type: final ? 'needs-attention' : 'deposit-attempt-failed', source: 'worker', message }, final ? { state: 'needs_attention', error: { code: 'DEPOSIT_FAILED', message } } : {});
      const alert = final ? notifyActionRequired(em, invoice, { reason: 'deposit_failed', message, transition: `v${invoice.version}` }) : null;
      try {
        await em.flush();
        if (alert) await publishNotifications(deps, [alert]);
      } catch (flushError) {
        // The database itself may be what failed; the row still says where the invoice stands.
        deps.logger.warn('Could not record the failed attempt', { invoiceId: invoice.id, error: flushError instanceof Error ? flushError.message : String(flushError) });
      }
      throw error instanceof Error ? error : new Error(String(error));
    }
  }
}
