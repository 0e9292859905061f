/**
 * `deposit-report` jobs: read the flux's report (consulterCRDetaille) until it is final, then find the
 * invoice's identifiantFactureCPP (rechercher/fournisseur by numeroFluxDepot, every page) or record why
 * Chorus Pro refused it. Between two reads the job waits in the delayed set, not in a worker slot.
 */
import { DelayedError, type Job } from 'bullmq';
import type { TechnicalAccount } from '../../src/chorus/client.js';
import type { ChorusInvoicing } from '../../src/chorus/invoicing.js';
import { FINAL_FLUX_STATES } from '../../src/chorus/statuses.js';
import type { AppContext } from '../../src/context.js';
import { Invoice } from '../../src/db/entities/invoice.js';
import { note } from '../../src/invoices/transitions.js';
import { notifyActionRequired, publishNotifications } from '../../src/alerts/notify.js';
import { decide, postpone } from '../../src/queues/failure-policy.js';
import type { JobPayloads } from '../../src/queues/jobs.js';
import { pauseSupplier } from './supplier-pause.js';

type ReportJob = Job<JobPayloads['deposit-report']>;
export type ReportDeps = AppContext & { invoicing: ChorusInvoicing };

/** An integrated flux whose invoice is not found yet is read again this many times (search can lag). */
const SEARCH_LAG_POLLS = 5;

export function makeDepositReportProcessor(deps: ReportDeps) {
  return async (job: ReportJob, token?: string): Promise<{ outcome: string; detail?: string }> => {
    const em = deps.orm.em.fork();
    const invoice = await em.findOne(Invoice, job.data.invoiceId, { populate: ['supplier'] });
    if (!invoice || invoice.state !== 'awaiting_report' || !invoice.chorusFluxNumber) return { outcome: 'nothing-to-do' };
    const supplier = invoice.supplier.getEntity();
    if (supplier.pausedAt) return postpone(job, token, deps.config.pipeline.supplierPauseRecheckMs);
    const account: TechnicalAccount = { login: supplier.chorusLogin, password: deps.secretBox.open(supplier.chorusPasswordSealed) };
    const poll = job.data.poll;
    const later = async (): Promise<never> => {
      await job.updateData({ ...job.data, poll: poll + 1 });
      const { reportPollFirstMs, reportPollMaxMs } = deps.config.pipeline;
      // Growing delays with jitter: most fluxes finish in minutes, some wait hours for reprocessing.
      const delay = Math.min(reportPollFirstMs * 2 ** Math.min(poll, 16), reportPollMaxMs) * (0.75 + Math.random() * 0.5);
      return postpone(job, token, delay);
    };

    try {
      const report = await deps.invoicing.report(account, invoice.chorusFluxNumber);
      const { state } = report;
      await job.log(`consulterCRDetaille #${poll + 1}: ${state} at ${report.stateAt ?? '?'} (${report.invoiceErrors.length} invoice error(s), ${report.technicalErrors.length} technical)`);
      await job.updateProgress(Math.min(90, 10 + poll * 10));
      if (!FINAL_FLUX_STATES.includes(state)) return await later();

      const ourErrors = report.invoiceErrors.filter((e) => !e.invoiceNumber || e.invoiceNumber === invoice.number).map((e) => e.message);
      const technical = report.technicalErrors;

      if (state === 'IN_INTEGRE' || state === 'IN_INTEGRE_PARTIEL') {
        const found = (await deps.invoicing.invoicesOfFlux(account, invoice.chorusFluxNumber)).find((f) => f.number === invoice.number);
        if (found) {
          invoice.chorusInvoiceId = found.chorusInvoiceId;
          invoice.chorusStatus = found.status;
          invoice.chorusStatusAt = found.statusAt;
          note(
            em,
            invoice,
            { type: 'integrated', source: 'chorus', message: `Integrated in Chorus Pro (flux ${state}) as invoice ${found.chorusInvoiceId}, status ${found.status ?? 'unknown'}.`, details: { fluxState: state, chorusInvoiceId: found.chorusInvoiceId, status: found.status } },
            { state: 'integrated', error: null },
          );
          await em.flush();
          return { outcome: 'integrated', detail: found.chorusInvoiceId };
        }
        if (ourErrors.length === 0 && state === 'IN_INTEGRE' && poll < SEARCH_LAG_POLLS) return await later();
      }

      if (state === 'IN_INCIDENTE' || state === 'QP_IRRECEVABLE') {
        const message = `Chorus Pro did not process the flux (${state}): it must be sent again in full. Retry the deposit from Bull Board or POST /v1/invoices/${invoice.id}/retry.`;
        note(em, invoice, { type: 'needs-attention', source: 'chorus', message, details: { fluxState: state } }, { state: 'needs_attention', error: { code: 'FLUX_NOT_PROCESSED', message } });
        const alert = notifyActionRequired(em, invoice, { reason: 'deposit_failed', message, transition: `v${invoice.version}` });
        await em.flush();
        await publishNotifications(deps, [alert]);
        return { outcome: 'needs-attention', detail: state };
      }

      const reasons = ourErrors.length > 0 ? ourErrors : technical;
      const message =
        reasons.length > 0
          ? `Chorus Pro rejected the invoice (${state}): ${reasons.join(' | ')}`
          : `Chorus Pro integrated the flux only partly (${state}) and the invoice is not in Chorus Pro, without giving a reason for it. Check the file, then submit a corrected invoice under a new number.`;
      note(em, invoice, { type: 'rejected', source: 'chorus', message, details: { fluxState: state, invoiceErrors: ourErrors, technicalErrors: technical } }, { state: 'rejected', error: { code: 'REJECTED_AT_INTEGRATION', message } });
      const alert = notifyActionRequired(em, invoice, { reason: 'rejected_at_integration', message, chorusReason: reasons.join(' | ') || null, transition: `v${invoice.version}` });
      await em.flush();
      await publishNotifications(deps, [alert]);
      return { outcome: 'rejected', detail: reasons[0] ?? state };
    } catch (error) {
      if (error instanceof DelayedError) throw error;
      const decision = decide(error);
      await job.log(`${decision.action}: ${decision.reason}`);
      if (decision.action === 'wait') return postpone(job, token, decision.ms);
      if (decision.action === 'pause-supplier') {
        await pauseSupplier(deps, supplier, decision.reason);
        return postpone(job, token, deps.config.pipeline.supplierPauseRecheckMs);
      }
      if (decision.action === 'give-up') {
        const message = `Chorus Pro refused to give the report of flux ${invoice.chorusFluxNumber}: ${decision.reason}`;
        note(em, invoice, { type: 'needs-attention', source: 'chorus', message }, { state: 'needs_attention', error: { code: 'REPORT_REFUSED', message } });
        const alert = notifyActionRequired(em, invoice, { reason: 'deposit_failed', message, transition: `v${invoice.version}` });
        await em.flush();
        await publishNotifications(deps, [alert]);
        return { outcome: 'needs-attention' };
      }
      // Reading a report is harmless: transient failures simply retry with BullMQ's backoff.
      throw error;
    }
  };
}
