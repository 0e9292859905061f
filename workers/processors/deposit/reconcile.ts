/**
 * When an earlier attempt's outcome is unknown (it was `sending` when its answer was lost or its worker died), the
 * invoice is looked for at Chorus Pro by its number before anything else, never deposited again blindly. Found: it
 * is integrated as it stands there. Not found: the search may lag behind the flux's processing, so it is looked for
 * again for RECONCILE_WINDOW_SECONDS; past that, a person must check the portal.
 */
import type { ChorusInvoiceSummary } from '../../../src/chorus/invoicing.js';
import { publishNotifications } from '../../../src/alerts/notify.js';
import { endUnknown, moveAttempt } from '../../../src/invoices/deposit-attempts.js';
import { integrate, transition } from '../../../src/invoices/lifecycle.js';
import type { ChorusJobDeps } from '../../chorus-job.js';
import type { DepositResult, DepositRun } from './subject.js';

/** The invoice at Chorus Pro under its number, deposited since the attempt started; null when not found (yet). */
export async function findDeposited(run: DepositRun): Promise<ChorusInvoiceSummary | null> {
  const { invoice, last } = run.subject;
  const found = await run.invoicing.invoicesNumbered(run.account, invoice.number, last!.startedAt);
  return (
    found.find(
      (f) => f.number === invoice.number && (f.supplierSiret === null || f.supplierSiret === run.supplier.siret),
    ) ?? null
  );
}

/** It took effect: integrated as Chorus Pro has it, not deposited again. */
export async function reconciled(
  deps: ChorusJobDeps,
  run: DepositRun,
  found: ChorusInvoiceSummary,
): Promise<DepositResult> {
  const { em, account } = run;
  const { invoice, last: attempt } = run.subject;
  moveAttempt(attempt!, 'reconciled', deps.clock.now(), { fluxNumber: found.fluxNumber });
  invoice.depositedAt ??= attempt!.startedAt;
  const history = await run.invoicing.statusHistory(account, found.chorusInvoiceId);
  const notifications = integrate(em, invoice, 'deposit-reconciled', found, history, {
    message: `The outcome of deposit attempt ${attempt!.number} was unknown; Chorus Pro has the invoice (flux ${found.fluxNumber ?? '?'}, invoice ${found.chorusInvoiceId}, status ${found.status ?? 'unknown'}), so it was not deposited again.`,
    details: { fluxNumber: found.fluxNumber, chorusInvoiceId: found.chorusInvoiceId, status: found.status },
  });
  await em.flush();
  await publishNotifications(deps, notifications, run.job.data.correlationId);
  await run.log(`Reconciled: Chorus Pro has ${invoice.number} as ${found.chorusInvoiceId} (${found.status ?? '?'})`);
  return { outcome: 'reconciled', detail: found.chorusInvoiceId };
}

/** Not found: looked for again while the search may lag, then left to a person. */
export async function notFoundYet(deps: ChorusJobDeps, run: DepositRun): Promise<DepositResult> {
  const { invoice, last: attempt } = run.subject;
  const now = deps.clock.now();
  const waited = now.getTime() - attempt!.startedAt.getTime();
  const { reconcileWindowMs, reportPollFirstMs, reportPollMaxMs } = deps.config.pipeline;
  if (waited < reconcileWindowMs) {
    await run.log(`Not found at Chorus Pro yet (the flux may still be processed); looking again later.`);
    return run.later(Math.min(Math.max(reportPollFirstMs, waited), reportPollMaxMs));
  }
  const after = waited < 120_000 ? `${Math.round(waited / 1000)} seconds` : `${Math.round(waited / 60_000)} minutes`;
  const message = `The outcome of deposit attempt ${attempt!.number} is unknown and Chorus Pro still does not show invoice ${invoice.number} after ${after}. Check the Chorus Pro portal: if the invoice is not there, retry the deposit.`;
  endUnknown(attempt!, now);
  const alert = transition(run.em, invoice, 'deposit-outcome-lost', { message });
  return run.refuse(alert, message);
}
