/**
 * `deposit` jobs: check the recipient, then deposit the invoice once: its flux (deposer/flux, then the report job
 * follows it), or without a flux, soumettre (after deposer/pdf has read a plain PDF), whose answer integrates it.
 *
 * Exactly once: an attempt row is written before the call (`prepared`), marked `sending` just before the
 * request leaves, and `sent` with the numeroFluxDepot once Chorus Pro answered. A worker killed at any point
 * leaves the invoice `depositing`; the next run reads the last attempt: `prepared` never left, so it deposits;
 * `sending` may have arrived, so it looks the invoice up at Chorus Pro and never deposits blindly.
 * Between committing `sending` and sending, nothing runs that could fail (no Redis call, no log line).
 */
import type { Job } from 'bullmq';
import { DepositAttempt } from '../../src/db/entities/deposit-attempt.js';
import { Invoice } from '../../src/db/entities/invoice.js';
import { InvoiceAttachment } from '../../src/db/entities/invoice-attachment.js';
import { integrate, record, transition } from '../../src/invoices/lifecycle.js';
import { checkRecipient } from '../../src/invoices/recipient-check.js';
import { readingDisagreements, submissionDataOf } from '../../src/invoices/without-flux.js';
import type { SubmissionData } from '../../src/chorus/submit.js';
import { WORKS_FRAMES } from '../../src/chorus/codes.js';
import { ChorusBusinessError } from '../../src/chorus/errors.js';
import type { WorksOffer } from '../../src/chorus/works-offer.js';
import { RETRYABLE_STATES } from '../../src/invoices/states.js';
import { publishNotifications } from '../../src/alerts/notify.js';
import { enqueueReport } from '../../src/queues/enqueue.js';
import type { JobPayloads } from '../../src/queues/jobs.js';
import { failpoint } from '../../src/shared/failpoints.js';
import { chorusJob, type ChorusJobDeps, type ChorusJobRun } from '../chorus-job.js';

export type DepositDeps = ChorusJobDeps;

export interface DepositResult {
  outcome: 'deposited' | 'reconciled' | 'precheck-failed' | 'refused' | 'needs-attention' | 'nothing-to-do';
  detail?: string;
}

interface Subject {
  invoice: Invoice;
  /** The attempt under way in this run, once prepared. */
  attempt: DepositAttempt | null;
}
type Run = ChorusJobRun<Subject>;

/** Ends this run's attempt, if one is under way: it never left (`not_sent`) or Chorus Pro said no (`refused`). */
function endAttempt(run: Run, phase: 'not_sent' | 'refused', reason: string): boolean {
  const { attempt } = run.subject;
  if (!attempt || (attempt.phase !== 'sending' && attempt.phase !== 'prepared')) return false;
  attempt.phase = phase;
  attempt.finishedAt = new Date();
  attempt.error = reason;
  return true;
}

export function makeDepositProcessor(deps: DepositDeps) {
  return chorusJob<Subject, DepositResult>(deps, {
    skipped: { outcome: 'nothing-to-do' },
    async load(em, job: Job<JobPayloads['deposit']>) {
      await deps.priorities.served(job.priority);
      const invoice = await em.findOne(Invoice, job.data.invoiceId, { populate: ['supplier', 'fileContent'] });
      if (!invoice) return { done: { outcome: 'nothing-to-do', detail: 'no such invoice' } };
      if (RETRYABLE_STATES.includes(invoice.state)) {
        // Only an operator runs a finished deposit job again (Bull Board's retry, or POST /v1/invoices/{id}/retry).
        transition(em, invoice, 'retry-requested', { message: 'An operator asked for the deposit to be tried again.' });
        await em.flush();
      }
      if (invoice.state !== 'queued' && invoice.state !== 'depositing') return { done: { outcome: 'nothing-to-do', detail: `invoice is ${invoice.state}` } };
      return { subject: { invoice, attempt: null }, supplier: invoice.supplier.getEntity() };
    },

    async run(run) {
      const { em, subject, account, supplier } = run;
      const { invoice } = subject;
      const last = await em.findOne(DepositAttempt, { invoice }, { orderBy: { number: 'desc' } });
      if (invoice.state === 'depositing' && last?.phase === 'sending') return reconcile(run, last);
      if (invoice.state === 'depositing' && last?.phase === 'prepared') {
        last.phase = 'not_sent';
        last.finishedAt = new Date();
        last.error = 'The worker stopped before sending the request.';
      }

      await run.progress(10);
      const recipient = await run.structures.recipient(account, invoice.recipientSiret);
      const refusal = checkRecipient(invoice, recipient);
      if (refusal) {
        const sentence = `Pre-check refused invoice ${invoice.number} before any deposit: ${refusal.message} ${refusal.fix}`;
        const alert = transition(
          em,
          invoice,
          'precheck-failed',
          { message: `${refusal.message} ${refusal.fix}`, details: { rule: refusal.rule, fix: refusal.fix } },
          { errorCode: refusal.rule },
        );
        return run.refuse(alert, `${sentence} (rule ${refusal.rule}; retry once fixed)`);
      }
      if (!last && recipient) {
        // Once, before the first deposit: the timeline shows what the routing was checked against.
        record(em, invoice, 'precheck-passed', 'worker', {
          message: `Routing checked against Chorus Pro: ${recipient.name} (${invoice.recipientSiret})${invoice.serviceCode ? `, service ${invoice.serviceCode}` : ''}${invoice.engagementNumber ? `, engagement number ${invoice.engagementNumber}` : ''}.`,
          details: { recipientStructureId: recipient.structureId },
        });
      }

      if (!last && WORKS_FRAMES.includes(invoice.billingFrame)) {
        const refused = await checkWorksOffer(run);
        if (refused) return refused;
      }

      let submission: SubmissionData | null = null;
      if (invoice.depositMode !== 'flux') {
        if (invoice.depositMode === 'pdf') await readPdfOnce(run);
        const structureId = supplier.chorusStructureId ?? (await run.structures.ownStructure(account, supplier.siret, null))?.structureId ?? null;
        if (structureId === null) {
          const message = `Chorus Pro shows no structure for the supplier's SIRET ${supplier.siret} on technical account ${supplier.chorusLogin}, so the invoice cannot be submitted. Attach the account to the structure in the Chorus Pro portal, then retry.`;
          const alert = transition(em, invoice, 'precheck-failed', { message }, { errorCode: 'SUPPLIER_STRUCTURE_UNKNOWN' });
          return run.refuse(alert, `Pre-check refused invoice ${invoice.number}: ${message}`);
        }
        submission = submissionDataOf(invoice, structureId, await uploadAttachmentsOnce(run));
        if (!submission) throw new Error(`Invoice ${invoice.number} (${invoice.depositMode}) lacks what soumettre needs; the intake should have refused it`);
      }

      subject.attempt = em.create(DepositAttempt, { invoice, number: (last?.number ?? 0) + 1, phase: 'prepared' });
      transition(em, invoice, 'deposit-started', null);
      // The version check makes a second, concurrent run of this job fail here rather than deposit again.
      await em.flush();
      await run.progress(40);
      failpoint(deps.config.failpoints, 'deposit:before-call');
      // 'sending' (the outcome may be unknown from now on) is written once the request is admitted, right before it
      // leaves: a worker killed while it waited for the rate limit or a token leaves 'prepared', safely sent again.
      const attempt = subject.attempt;
      const markSending = async () => {
        if (attempt.phase === 'sending') return;
        attempt.phase = 'sending';
        await em.flush();
      };
      return submission ? submit(run, attempt, submission, markSending) : depositFlux(run, attempt, markSending);
    },

    async beforeWaiting(run) {
      // The deposit slot is given back: the invoice waits as queued.
      if (endAttempt(run, 'not_sent', 'Waiting (rate limit or paused account)')) transition(run.em, run.subject.invoice, 'deposit-postponed', null);
      await run.em.flush();
    },

    async maybeDelivered(run, reason) {
      return unknownOutcome(run, reason);
    },

    async refused(run, reason) {
      const message = `Chorus Pro refused the deposit: ${reason}`;
      endAttempt(run, 'refused', reason);
      const alert = transition(run.em, run.subject.invoice, 'deposit-refused', { message }, { chorusReason: reason });
      return run.refuse(alert, `${message}. Fix the invoice, then submit it again (POST /v1/invoices).`);
    },

    async invalidRequest(run, error) {
      endAttempt(run, 'not_sent', error.message);
      const message = `${error.message}. This is a defect of chorus-relay, not of the invoice: report it; an operator can retry once it is fixed.`;
      const alert = transition(run.em, run.subject.invoice, 'request-invalid', { message, details: { field: error.field } });
      return run.refuse(alert, message);
    },

    async failed(run, reason, lastAttempt) {
      const { invoice } = run.subject;
      endAttempt(run, 'not_sent', reason);
      const message = lastAttempt
        ? `The deposit failed ${run.job.attemptsMade + 1} times (${reason}). An operator can retry it from Bull Board or POST /v1/invoices/${invoice.id}/retry.`
        : `Deposit attempt failed (${reason}); it will be tried again.`;
      const alert = transition(run.em, invoice, lastAttempt ? 'deposit-failed' : 'deposit-attempt-failed', { message });
      try {
        await run.em.flush();
        if (alert) await publishNotifications(deps, [alert], (run.job.data as JobPayloads['deposit']).correlationId);
      } catch (flushError) {
        // The database itself may be what failed; the row still says where the invoice stands.
        deps.logger.warn('Could not record the failed attempt', { invoiceId: invoice.id, error: flushError instanceof Error ? flushError.message : String(flushError) });
      }
      return undefined;
    },
  });

  /**
   * Once, before a works document's first deposit: what Chorus Pro offers the account for works (frames and flux
   * formats), recorded with the syntaxeFlux used. A frame missing from a list that names some is refused here; an
   * account that cannot ask (a business refusal of the call) deposits anyway, and the timeline says so.
   */
  async function checkWorksOffer(run: Run): Promise<DepositResult | null> {
    const { em, account } = run;
    const { invoice } = run.subject;
    let offer: WorksOffer;
    try {
      offer = await run.structures.worksOffer(account);
    } catch (error) {
      if (!(error instanceof ChorusBusinessError)) throw error;
      record(em, invoice, 'works-offer', 'chorus', {
        message: `Chorus Pro did not say which works frames and flux formats this account may use (${error.message}); deposited with syntaxeFlux ${invoice.syntaxeFlux ?? '-'}.`,
      });
      return null;
    }
    if (offer.frames.length > 0 && !offer.frames.includes(invoice.billingFrame)) {
      const message = `Chorus Pro does not offer billing frame ${invoice.billingFrame} to this account for works documents (it offers ${offer.frames.join(', ')}). Check the frame with the contract's profile (fiche d'identité du marché), then submit again.`;
      const alert = transition(em, invoice, 'precheck-failed', { message, details: { offer } }, { errorCode: 'FRAME_NOT_OFFERED' });
      return run.refuse(alert, `Pre-check refused works document ${invoice.number}: ${message}`);
    }
    record(em, invoice, 'works-offer', 'chorus', {
      message: `Works document: Chorus Pro offers this account the frames ${offer.frames.join(', ') || '(none listed)'} and the flux formats ${offer.formats.join(', ') || '(none listed)'}; deposited as ${invoice.billingFrame} with syntaxeFlux ${invoice.syntaxeFlux ?? '-'} (the E4/E5 codes of works fluxes are unconfirmed).`,
      details: { frames: offer.frames, formats: offer.formats, syntaxeFluxUsed: invoice.syntaxeFlux },
    });
    return null;
  }

  /** deposer/flux, then the report job follows the flux until Chorus Pro integrated its invoice. */
  async function depositFlux(run: Run, attempt: DepositAttempt, markSending: () => Promise<void>): Promise<DepositResult> {
    const { em, account } = run;
    const { invoice } = run.subject;
    if (!invoice.fileContent || !invoice.fileName || !invoice.syntaxeFlux) throw new Error(`Invoice ${invoice.number} has no structured file to deposit`);
    const receipt = await run.invoicing.deposit(account, { content: invoice.fileContent, name: invoice.fileName, syntaxeFlux: invoice.syntaxeFlux }, markSending);
    failpoint(deps.config.failpoints, 'deposit:after-response');
    const { fluxNumber } = receipt;
    if (!fluxNumber) {
      // Accepted without a receipt number: it may be there; the next run looks it up.
      return unknownOutcome(run, 'Chorus Pro accepted the deposit without a numeroFluxDepot');
    }
    attempt.phase = 'sent';
    attempt.fluxNumber = fluxNumber;
    attempt.finishedAt = new Date();
    invoice.chorusFluxNumber = fluxNumber;
    invoice.depositedAt = attempt.finishedAt;
    transition(em, invoice, 'deposit-sent', {
      message: `Chorus Pro received the invoice: flux ${fluxNumber}, deposited on ${receipt.depositDate ?? 'an unstated date'}.`,
      details: { fluxNumber, depositDate: receipt.depositDate, syntaxeFlux: receipt.syntaxeFlux, answer: receipt.answer },
    });
    await em.flush();
    await run.log(`deposerFlux: ${receipt.answer}, numeroFluxDepot ${fluxNumber}, dateDepot ${receipt.depositDate ?? '?'}`);
    await run.progress(100);
    const { correlationId } = run.job.data as JobPayloads['deposit'];
    deps.logger.info('Invoice deposited', { invoiceId: invoice.id, fluxNumber, correlationId });
    await enqueueReport(deps.queues, invoice, deps.config.pipeline.reportPollFirstMs, correlationId);
    return { outcome: 'deposited', detail: fluxNumber };
  }

  /** soumettre (pdf and data): the answer is the invoice itself, integrated at once. */
  async function submit(run: Run, attempt: DepositAttempt, data: SubmissionData, markSending: () => Promise<void>): Promise<DepositResult> {
    const { em, account } = run;
    const { invoice } = run.subject;
    const receipt = await run.invoicing.submit(account, data, markSending);
    failpoint(deps.config.failpoints, 'deposit:after-response');
    const { chorusInvoiceId } = receipt;
    if (!chorusInvoiceId) return unknownOutcome(run, 'Chorus Pro accepted soumettre without an identifiantFactureCPP');
    attempt.phase = 'sent';
    attempt.finishedAt = new Date();
    invoice.depositedAt = receipt.depositDate ?? attempt.finishedAt;
    const notifications = integrate(em, invoice, 'submitted', { chorusInvoiceId, fluxNumber: null, status: receipt.status, statusAt: receipt.depositDate, comment: null }, [], {
      message: `Chorus Pro received the invoice (${data.mode === 'pdf' ? 'PDF with its data' : 'data alone'}, soumettre ${data.mode === 'pdf' ? 'DEPOT_PDF_API' : 'SAISIE_API'}): invoice ${chorusInvoiceId}, status ${receipt.status ?? 'unknown'}.`,
      details: { chorusInvoiceId, status: receipt.status, answer: receipt.answer },
    });
    await em.flush();
    const { correlationId } = run.job.data as JobPayloads['deposit'];
    await publishNotifications(deps, notifications, correlationId);
    await run.log(`soumettre: ${receipt.answer}, identifiantFactureCPP ${chorusInvoiceId}`);
    await run.progress(100);
    deps.logger.info('Invoice submitted', { invoiceId: invoice.id, chorusInvoiceId, correlationId });
    return { outcome: 'deposited', detail: chorusInvoiceId };
  }

  /**
   * ajouter/fichier for each attachment not yet uploaded, its id kept at once: a retry uploads only what is left
   * (an upload whose answer was lost leaves an unused file at Chorus Pro, never a second invoice).
   */
  async function uploadAttachmentsOnce(run: Run): Promise<Array<{ id: string; name: string }>> {
    const { em, account } = run;
    const attachments = await em.find(InvoiceAttachment, { invoice: run.subject.invoice }, { orderBy: { position: 'asc' }, populate: ['content'] });
    for (const attachment of attachments.filter((a) => a.chorusAttachmentId === null)) {
      const extension = attachment.name.includes('.') ? attachment.name.slice(attachment.name.lastIndexOf('.') + 1) : 'PDF';
      attachment.chorusAttachmentId = await run.invoicing.uploadAttachment(account, {
        name: attachment.name,
        mimeType: attachment.mimeType,
        extension,
        content: attachment.content,
      });
      await em.flush();
    }
    return attachments.map((a) => ({ id: a.chorusAttachmentId!, name: a.name }));
  }

  /** deposer/pdf once: Chorus Pro's reading goes on the timeline, with where it differs from the data given. */
  async function readPdfOnce(run: Run): Promise<void> {
    const { em, account } = run;
    const { invoice } = run.subject;
    if (invoice.chorusAttachmentId) return;
    if (!invoice.fileContent || !invoice.fileName) throw new Error(`Invoice ${invoice.number} has no PDF to deposit`);
    const reading = await run.invoicing.readPdf(account, { content: invoice.fileContent, name: invoice.fileName });
    invoice.chorusAttachmentId = reading.attachmentId;
    const differences = readingDisagreements(invoice, reading);
    const said = differences.map((d) => `${d.field} given ${d.given ?? '(none)'}, read ${d.read ?? '(nothing)'}`).join('; ');
    record(em, invoice, 'pdf-read', 'chorus', {
      message:
        differences.length === 0
          ? `Chorus Pro read the PDF (attachment ${reading.attachmentId}) and agrees with the data given.`
          : `Chorus Pro read the PDF (attachment ${reading.attachmentId}) differently from the data given: ${said}. The invoice is submitted with the data given; check the PDF says the same.`,
      details: { attachmentId: reading.attachmentId, disagreements: differences },
    });
    await em.flush();
  }

  /** No readable answer: the attempt stays `sending`, so the next run looks the invoice up before any new deposit. */
  async function unknownOutcome(run: Run, reason: string): Promise<never> {
    const { invoice, attempt } = run.subject;
    transition(run.em, invoice, 'deposit-outcome-unknown', {
      message: `No usable answer from Chorus Pro to deposit attempt ${attempt?.number ?? '?'} (${reason}); it may have arrived, so it will be looked up before any new deposit.`,
    });
    await run.em.flush();
    return run.later(deps.config.pipeline.reportPollFirstMs);
  }

  /** The outcome of the last attempt is unknown: find the invoice at Chorus Pro before anything else. */
  async function reconcile(run: Run, attempt: DepositAttempt): Promise<DepositResult> {
    const { em, subject, supplier, account } = run;
    const { invoice } = subject;
    const found = (await run.invoicing.invoicesNumbered(account, invoice.number, attempt.startedAt)).find(
      (f) => f.number === invoice.number && (f.supplierSiret === null || f.supplierSiret === supplier.siret),
    );
    if (found) {
      attempt.phase = 'reconciled';
      attempt.fluxNumber = found.fluxNumber;
      attempt.finishedAt = new Date();
      invoice.depositedAt ??= attempt.startedAt;
      const history = await run.invoicing.statusHistory(account, found.chorusInvoiceId);
      const notifications = integrate(em, invoice, 'deposit-reconciled', found, history, {
        message: `The outcome of deposit attempt ${attempt.number} was unknown; Chorus Pro has the invoice (flux ${found.fluxNumber ?? '?'}, invoice ${found.chorusInvoiceId}, status ${found.status ?? 'unknown'}), so it was not deposited again.`,
        details: { fluxNumber: found.fluxNumber, chorusInvoiceId: found.chorusInvoiceId, status: found.status },
      });
      await em.flush();
      await publishNotifications(deps, notifications, (run.job.data as JobPayloads['deposit']).correlationId);
      await run.log(`Reconciled: Chorus Pro has ${invoice.number} as ${found.chorusInvoiceId} (${found.status ?? '?'})`);
      return { outcome: 'reconciled', detail: found.chorusInvoiceId };
    }
    const waited = Date.now() - attempt.startedAt.getTime();
    const { reconcileWindowMs, reportPollFirstMs, reportPollMaxMs } = deps.config.pipeline;
    if (waited < reconcileWindowMs) {
      await run.log(`Not found at Chorus Pro yet (the flux may still be processed); looking again later.`);
      return run.later(Math.min(Math.max(reportPollFirstMs, waited), reportPollMaxMs));
    }
    const after = waited < 120_000 ? `${Math.round(waited / 1000)} seconds` : `${Math.round(waited / 60_000)} minutes`;
    const message = `The outcome of deposit attempt ${attempt.number} is unknown and Chorus Pro still does not show invoice ${invoice.number} after ${after}. Check the Chorus Pro portal: if the invoice is not there, retry the deposit.`;
    attempt.finishedAt = new Date();
    const alert = transition(em, invoice, 'deposit-outcome-lost', { message });
    return run.refuse(alert, message);
  }
}
