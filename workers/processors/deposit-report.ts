/**
 * `deposit-report` jobs: for a flux the account's integration search has not found REPORT_AFTER_SECONDS after its
 * deposit (status-sync.ts finds most of them, many at once), read the flux's report (consulterCRDetaille) until it is
 * final, then find the invoice's identifiantFactureCPP (rechercher/fournisseur by numeroFluxDepot, every page) or
 * record why Chorus Pro refused it. Between two reads the job waits in the delayed set, not in a worker slot. A flux
 * state we do not know is not final (field reports name several); a flux that stays unfinished past
 * FLUX_STUCK_AFTER_SECONDS needs a person rather than endless polling.
 */
import { FINAL_FLUX_STATES, FLUX_STATES, type FluxState } from '../../src/chorus/statuses.js';
import { Invoice } from '../../src/db/entities/invoice.js';
import { integrate, transition } from '../../src/invoices/lifecycle.js';
import { historyAddsNothing, searchedStatus } from '../../src/invoices/status-history.js';
import { publishNotifications } from '../../src/alerts/notify.js';
import type { JobPayloads } from '../../src/queues/jobs.js';
import { withoutFinalStop } from '../../src/shared/sentences.js';
import { integrationCursorKey } from '../../src/queues/enqueue.js';
import { chorusJob, type ChorusJobDeps } from '../chorus-job.js';

/** An integrated flux whose invoice is not found yet is read again this many times (search can lag). */
const SEARCH_LAG_POLLS = 5;

export interface ReportResult {
  outcome: string;
  detail?: string;
}

/** However far behind the searches are, a report is read after this many times REPORT_AFTER_SECONDS. */
const MOST_WAITED_FOR_SEARCHES = 4;

export function makeDepositReportProcessor(deps: ChorusJobDeps) {
  /**
   * The report is for a flux the searches did not find, not for one they have not looked for yet: when the last
   * search of the account started before the deposit had had half its REPORT_AFTER_SECONDS, reading the report now
   * would spend three calls where the next search spends none (and, under load, slow that search down further).
   */
  const searchesLagBehind = async (invoice: Invoice): Promise<boolean> => {
    const { reportAfterMs } = deps.config.pipeline;
    const depositedAt = (invoice.depositedAt ?? invoice.createdAt).getTime();
    if (deps.clock.now().getTime() - depositedAt >= MOST_WAITED_FOR_SEARCHES * reportAfterMs) return false;
    const key = integrationCursorKey(deps.config.queuePrefix, invoice.supplier.getEntity());
    const lastSearch = Number((await deps.redis.get(key)) ?? 0);
    return lastSearch < depositedAt + reportAfterMs / 2;
  };

  return chorusJob<Invoice, ReportResult, JobPayloads['deposit-report']>(deps, {
    skipped: { outcome: 'nothing-to-do' },
    async load(em, job) {
      const invoice = await em.findOne(Invoice, job.data.invoiceId, { populate: ['supplier'] });
      if (!invoice || invoice.state !== 'awaiting_report' || !invoice.chorusFluxNumber)
        return { done: { outcome: 'nothing-to-do' } };
      return { subject: invoice, supplier: invoice.supplier.getEntity() };
    },

    async run(run) {
      const { em, subject: invoice, account } = run;
      const { job } = run;
      const fluxNumber = invoice.chorusFluxNumber!;
      const poll = job.data.poll;
      const { found } = job.data;
      if (found) {
        // The integration search found it past its first status: no report to read, only its history.
        const summary = { ...found, statusAt: found.statusAt ? new Date(found.statusAt) : null };
        const history = await run.invoicing.statusHistory(account, found.chorusInvoiceId);
        const notifications = integrate(em, invoice, 'integrated', summary, history, {
          message: `Integrated in Chorus Pro as invoice ${found.chorusInvoiceId}, status ${found.status ?? 'unknown'} (found by the search of the account's invoices; its history read).`,
          details: { chorusInvoiceId: found.chorusInvoiceId, status: found.status, foundBy: 'search' },
        });
        await em.flush();
        await publishNotifications(deps, notifications, run.job.data.correlationId);
        await run.log(
          `Found by the integration search as ${found.chorusInvoiceId} (${found.status ?? '?'}); history read`,
        );
        return { outcome: 'integrated', detail: found.chorusInvoiceId };
      }
      const later = async (): Promise<never> => {
        await job.updateData({ ...job.data, poll: poll + 1 });
        const { reportPollFirstMs, reportPollMaxMs } = deps.config.pipeline;
        // Growing delays with jitter: most fluxes finish in minutes, some wait hours for reprocessing.
        const delay =
          Math.min(reportPollFirstMs * 2 ** Math.min(poll, 16), reportPollMaxMs) * (0.75 + Math.random() * 0.5);
        return run.later(delay);
      };

      if (poll === 0 && (await searchesLagBehind(invoice))) {
        await run.log(
          'The integration searches have not caught up with this deposit yet (a busy account): the report waits for them.',
        );
        return run.later(deps.config.pipeline.reportAfterMs / 2);
      }
      const report = await run.invoicing.report(account, fluxNumber);
      const { state } = report;
      await run.log(
        `consulterCRDetaille #${poll + 1}: ${state} at ${report.stateAt ?? '?'} (${report.invoiceErrors.length} invoice error(s), ${report.technicalErrors.length} technical)`,
      );
      await run.progress(Math.min(90, 10 + poll * 10));
      if (!(FINAL_FLUX_STATES as readonly string[]).includes(state)) {
        if (!(FLUX_STATES as readonly string[]).includes(state)) {
          deps.logger.warn('Chorus Pro reported a flux state we do not know; treated as not final', {
            invoiceId: invoice.id,
            fluxNumber,
            fluxState: state,
            correlationId: run.job.data.correlationId,
          });
        }
        const waited = deps.clock.now().getTime() - (invoice.depositedAt ?? invoice.createdAt).getTime();
        if (waited >= deps.config.pipeline.fluxStuckAfterMs) {
          const hours = Math.round((waited / 3_600_000) * 10) / 10;
          const how =
            waited < 120_000
              ? `${Math.round(waited / 1000)} seconds`
              : hours < 1
                ? `${Math.round(waited / 60_000)} minutes`
                : `${hours} hours`;
          const message = `Flux ${fluxNumber} is still ${state} at Chorus Pro ${how} after its deposit. Check it on the Chorus Pro portal; if Chorus Pro lost it, retry the deposit (POST /v1/invoices/${invoice.id}/retry).`;
          const alert = transition(em, invoice, 'flux-stuck', { message, details: { fluxState: state, fluxNumber } });
          return run.refuse(alert, message);
        }
        return later();
      }
      const finalState = state as FluxState;
      const ourErrors = report.invoiceErrors
        .filter((e) => !e.invoiceNumber || e.invoiceNumber === invoice.number)
        .map((e) => e.message);
      const technical = report.technicalErrors;

      if (finalState === 'IN_INTEGRE' || finalState === 'IN_INTEGRE_PARTIEL') {
        const found = (await run.invoicing.invoicesOfFlux(account, fluxNumber)).find(
          (f) => f.number === invoice.number,
        );
        if (found) {
          const current = searchedStatus(found);
          const history =
            current && historyAddsNothing(null, current)
              ? 'not-read'
              : await run.invoicing.statusHistory(account, found.chorusInvoiceId);
          const notifications = integrate(em, invoice, 'integrated', found, history, {
            message: `Integrated in Chorus Pro (flux ${finalState}) as invoice ${found.chorusInvoiceId}, status ${found.status ?? 'unknown'}.`,
            details: { fluxState: finalState, chorusInvoiceId: found.chorusInvoiceId, status: found.status },
          });
          await em.flush();
          await publishNotifications(deps, notifications, run.job.data.correlationId);
          return { outcome: 'integrated', detail: found.chorusInvoiceId };
        }
        if (ourErrors.length === 0 && finalState === 'IN_INTEGRE' && poll < SEARCH_LAG_POLLS) return later();
      }

      if (finalState === 'IN_INCIDENTE' || finalState === 'QP_IRRECEVABLE') {
        const message = `Chorus Pro did not process flux ${fluxNumber} (${finalState}): it must be sent again in full. Retry the deposit from Bull Board or POST /v1/invoices/${invoice.id}/retry.`;
        const alert = transition(em, invoice, 'flux-not-processed', { message, details: { fluxState: finalState } });
        return run.refuse(alert, message);
      }

      const reasons = ourErrors.length > 0 ? ourErrors : technical;
      const message =
        reasons.length > 0
          ? `Chorus Pro rejected invoice ${invoice.number} at integration (${finalState}): ${reasons.join(' | ')}`
          : `Chorus Pro integrated the flux only partly (${finalState}) and invoice ${invoice.number} is not in Chorus Pro, without giving a reason for it.`;
      const alert = transition(
        em,
        invoice,
        'rejected-at-integration',
        { message, details: { fluxState: finalState, invoiceErrors: ourErrors, technicalErrors: technical } },
        { chorusReason: reasons.join(' | ') || null },
      );
      return run.refuse(
        alert,
        `${withoutFinalStop(message)}. Fix the file, then submit it again under the same number (POST /v1/invoices).`,
      );
    },

    async refused(run, reason) {
      const invoice = run.subject;
      const message = `Chorus Pro refused to give the report of flux ${invoice.chorusFluxNumber ?? '?'}: ${reason}`;
      const alert = transition(run.em, invoice, 'report-refused', { message });
      return run.refuse(alert, message);
    },

    async invalidRequest(run, error) {
      const alert = transition(run.em, run.subject, 'request-invalid', {
        message: `${error.message}. This is a defect of chorus-relay, not of the invoice.`,
        details: { field: error.field },
      });
      return run.refuse(alert, error.message);
    },
    // Reading a report is harmless: transient failures simply retry with BullMQ's backoff.
  });
}
