/**
 * The deposit's request and what its answer means: deposer/flux (the report job then follows the flux), or
 * soumettre (its answer is the invoice, integrated at once). An answer without the receipt it should carry tells
 * nothing of the outcome: the attempt stays `sending` and the next run looks the invoice up.
 */
import type { DepositReceipt } from '../../../src/chorus/invoicing.js';
import type { SubmissionReceipt } from '../../../src/chorus/submit.js';
import { publishNotifications } from '../../../src/alerts/notify.js';
import { moveAttempt } from '../../../src/invoices/deposit-attempts.js';
import { integrate, transition } from '../../../src/invoices/lifecycle.js';
import { enqueueReport, requestIntegrationSearch } from '../../../src/queues/enqueue.js';
import { failpoint } from '../../../src/shared/failpoints.js';
import type { ChorusJobDeps } from '../../chorus-job.js';
import type { DepositRequest } from './prechecks.js';
import type { DepositResult, DepositRun } from './subject.js';

export type DepositAnswer = { kind: 'flux'; receipt: DepositReceipt } | { kind: 'submit'; receipt: SubmissionReceipt };

/** Sends the request; `beforeSend` runs once it is admitted (rate limit, token), right before it leaves. */
export async function sendDeposit(
  run: DepositRun,
  request: DepositRequest,
  beforeSend: () => Promise<void>,
): Promise<DepositAnswer> {
  const { invoice } = run.subject;
  if (request.kind === 'submit')
    return { kind: 'submit', receipt: await run.invoicing.submit(run.account, request.data, beforeSend) };
  if (!invoice.fileContent || !invoice.fileName || !invoice.syntaxeFlux)
    throw new Error(`Invoice ${invoice.number} has no structured file to deposit`);
  const receipt = await run.invoicing.deposit(
    run.account,
    { content: invoice.fileContent, name: invoice.fileName, syntaxeFlux: invoice.syntaxeFlux },
    beforeSend,
  );
  return { kind: 'flux', receipt };
}

/** What Chorus Pro's answer means for the invoice; `unknown` when it carries no receipt. */
export async function depositSent(
  deps: ChorusJobDeps,
  run: DepositRun,
  answer: DepositAnswer,
  unknown: (reason: string) => Promise<DepositResult>,
): Promise<DepositResult> {
  failpoint(deps.config.failpoints, 'deposit:after-response');
  const { em } = run;
  const { invoice, attempt } = run.subject;
  const { correlationId } = run.job.data;
  const now = deps.clock.now();
  if (answer.kind === 'flux') {
    const { receipt } = answer;
    const { fluxNumber } = receipt;
    if (!fluxNumber) return unknown('Chorus Pro accepted the deposit without a numeroFluxDepot');
    moveAttempt(attempt!, 'sent', now, { fluxNumber });
    invoice.chorusFluxNumber = fluxNumber;
    invoice.depositedAt = now;
    transition(em, invoice, 'deposit-sent', {
      message: `Chorus Pro received the invoice: flux ${fluxNumber}, deposited on ${receipt.depositDate ?? 'an unstated date'}.`,
      details: {
        fluxNumber,
        depositDate: receipt.depositDate,
        syntaxeFlux: receipt.syntaxeFlux,
        answer: receipt.answer,
      },
    });
    await em.flush();
    await run.log(
      `deposerFlux: ${receipt.answer}, numeroFluxDepot ${fluxNumber}, dateDepot ${receipt.depositDate ?? '?'}`,
    );
    await run.progress(100);
    deps.logger.info('Invoice deposited', { invoiceId: invoice.id, fluxNumber, correlationId });
    // The account's integration search finds it, with the other fluxes on their way; the report is read only if
    // that search has not found it by then.
    await requestIntegrationSearch(deps.queues, run.supplier, deps.config.pipeline.integrationSearchMs);
    await enqueueReport(deps.queues, invoice, deps.config.pipeline.reportAfterMs, correlationId);
    return { outcome: 'deposited', detail: fluxNumber };
  }
  const { receipt } = answer;
  const { chorusInvoiceId } = receipt;
  if (!chorusInvoiceId) return unknown('Chorus Pro accepted soumettre without an identifiantFactureCPP');
  moveAttempt(attempt!, 'sent', now);
  invoice.depositedAt = receipt.depositDate ?? now;
  const withPdf = invoice.depositMode === 'pdf';
  const notifications = integrate(
    em,
    invoice,
    'submitted',
    { chorusInvoiceId, fluxNumber: null, status: receipt.status, statusAt: receipt.depositDate, comment: null },
    [],
    {
      message: `Chorus Pro received the invoice (${withPdf ? 'PDF with its data' : 'data alone'}, soumettre ${withPdf ? 'DEPOT_PDF_API' : 'SAISIE_API'}): invoice ${chorusInvoiceId}, status ${receipt.status ?? 'unknown'}.`,
      details: { chorusInvoiceId, status: receipt.status, answer: receipt.answer },
    },
  );
  await em.flush();
  await publishNotifications(deps, notifications, correlationId);
  await run.log(`soumettre: ${receipt.answer}, identifiantFactureCPP ${chorusInvoiceId}`);
  await run.progress(100);
  deps.logger.info('Invoice submitted', { invoiceId: invoice.id, chorusInvoiceId, correlationId });
  // On its way to its recipient: the integration search follows its first statuses with the others.
  await requestIntegrationSearch(deps.queues, run.supplier, deps.config.pipeline.integrationSearchMs);
  return { outcome: 'deposited', detail: chorusInvoiceId };
}
