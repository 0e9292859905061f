/**
 * `status-sync` jobs, one scheduler per supplier account: ask Chorus Pro only for invoices whose status changed
 * since the last successful sync (minus an overlap), walk every page, and read the full history only of those
 * that changed, so that every intermediate status is recorded with its date and comment.
 * The cost grows with the number of changes, not with the number of invoices followed.
 *
 * History dates come to the minute (`YYYY-MM-DD HH:MM`) while the search gives the current status to the
 * millisecond: what is new in a history is told by position (how many lines were recorded), never by comparing
 * dates of different precision.
 */
import type { Job } from 'bullmq';
import type { ChorusInvoiceSummary } from '../../src/chorus/invoicing.js';
import { Invoice } from '../../src/db/entities/invoice.js';
import type { Notification } from '../../src/db/entities/notification.js';
import { SupplierAccount } from '../../src/db/entities/supplier-account.js';
import { observeStatuses } from '../../src/invoices/lifecycle.js';
import { searchedStatus, statusesToRecord } from '../../src/invoices/status-history.js';
import { publishNotifications } from '../../src/alerts/notify.js';
import type { JobPayloads } from '../../src/queues/jobs.js';
import { syncValidationInbox } from '../../src/validations/inbox.js';
import { ChorusBusinessError } from '../../src/chorus/errors.js';
import { chorusJob, type ChorusJobDeps, type ChorusJobRun } from '../chorus-job.js';
import { DAY_MS } from '../../src/shared/time.js';

/** When a supplier was never synced, look back this far. */
const FIRST_SYNC_LOOKBACK_MS = 90 * DAY_MS;

export function makeStatusSyncProcessor(deps: ChorusJobDeps) {
  return chorusJob<SupplierAccount, { changed: number; seen: number }>(deps, {
    skipped: { changed: 0, seen: 0 },
    // The scheduler runs it again; a paused account has nothing to sync.
    whilePaused: 'skip',
    async load(em, job) {
      const supplier = await em.findOne(SupplierAccount, (job as Job<JobPayloads['status-sync']>).data.supplierAccountId);
      return supplier ? { subject: supplier, supplier } : { done: { changed: 0, seen: 0 } };
    },

    async run(run) {
      const { em, supplier, account } = run;
      const started = new Date();
      const since = supplier.statusSyncedUntil
        ? new Date(supplier.statusSyncedUntil.getTime() - deps.config.pipeline.statusSyncOverlapMs)
        : new Date(started.getTime() - FIRST_SYNC_LOOKBACK_MS);
      const changedAtChorus = await run.invoicing.invoicesChangedSince(account, since);
      const byId = new Map(changedAtChorus.map((item) => [item.chorusInvoiceId, item]));
      const ours =
        byId.size === 0
          ? []
          : await em.find(Invoice, { supplier, state: 'integrated', statusFollowed: true, chorusInvoiceId: { $in: [...byId.keys()] } }, { populate: ['supplier'] });
      const notifications: Notification[] = [];
      let changed = 0;
      for (const invoice of ours) {
        const item = byId.get(invoice.chorusInvoiceId!)!;
        if (!sameInvoice(invoice, item)) {
          // Ids are Chorus Pro's; a number or flux that differs means another invoice (a reset test platform, a
          // restarted simulator): applying its statuses here would tell a false story.
          deps.logger.warn('Chorus Pro invoice id points to another invoice; its statuses are not applied', {
            invoiceId: invoice.id,
            chorusInvoiceId: item.chorusInvoiceId,
            ourNumber: invoice.number,
            chorusNumber: item.number,
            ourFlux: invoice.chorusFluxNumber,
            chorusFlux: item.fluxNumber,
          });
          continue;
        }
        if (item.status === invoice.chorusStatus && item.statusAt?.getTime() === invoice.chorusStatusAt?.getTime()) continue;
        const history = await run.invoicing.statusHistory(account, invoice.chorusInvoiceId!);
        const current = searchedStatus(item);
        const fresh = statusesToRecord(invoice, history, current);
        notifications.push(...observeStatuses(em, invoice, fresh, current, history.length));
        if (fresh.length > 0) changed += 1;
      }
      await em.flush();
      // A direct update, after the invoices: other jobs update this row too (checks, pauses), and its version must
      // not fail a sync whose work is done. Should it not be saved, the next sync reads the same changes again and
      // finds nothing new to record.
      await em.nativeUpdate(SupplierAccount, { id: supplier.id, $or: [{ statusSyncedUntil: null }, { statusSyncedUntil: { $lt: started } }] }, { statusSyncedUntil: started });
      await publishNotifications(deps, notifications);
      await run.log(`${changedAtChorus.length} invoice(s) changed at Chorus Pro since ${since.toISOString()}; ${changed} of ours updated`);
      await followValidatorInbox(deps, run);
      return { changed, seen: changedAtChorus.length };
    },
  });
}

/**
 * The same account as a validator: its subcontractors' and co-contractors' invoices waiting for its decision. An
 * account Chorus Pro refuses this search to says so in the log and the sync stands; a transient error fails the
 * job like the rest of the sync (its statuses are saved: the retry finds nothing new there).
 */
async function followValidatorInbox(deps: ChorusJobDeps, run: ChorusJobRun<SupplierAccount>): Promise<void> {
  try {
    const inbox = await syncValidationInbox({ em: run.em, invoicing: run.invoicing, account: run.account, validator: run.supplier, clock: deps.clock });
    await publishNotifications(deps, inbox.notifications);
    if (inbox.waiting + inbox.settled > 0) await run.log(`Validator inbox: ${inbox.waiting} invoice(s) waiting for a decision, ${inbox.settled} settled`);
  } catch (error) {
    if (!(error instanceof ChorusBusinessError)) throw error;
    await run.log(`Chorus Pro refused to list this account's validator inbox: ${error.message}`);
  }
}

function sameInvoice(invoice: Invoice, item: ChorusInvoiceSummary): boolean {
  if (item.number !== null && item.number !== invoice.number) return false;
  return item.fluxNumber === null || invoice.chorusFluxNumber === null || item.fluxNumber === invoice.chorusFluxNumber;
}
