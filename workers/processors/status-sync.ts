/**
 * `status-sync` jobs, one scheduler per supplier account: ask Chorus Pro only for invoices whose status changed
 * since the last successful sync (minus an overlap), walk every page, and read the full history only of those
 * that changed, so that every intermediate status is recorded with its date and comment.
 * The cost grows with the number of changes, not with the number of invoices followed.
 */
import type { Job } from 'bullmq';
import type { TechnicalAccount } from '../../src/chorus/client.js';
import type { ChorusInvoicing } from '../../src/chorus/invoicing.js';
import type { AppContext } from '../../src/context.js';
import { Invoice } from '../../src/db/entities/invoice.js';
import { SupplierAccount } from '../../src/db/entities/supplier-account.js';
import { note } from '../../src/invoices/transitions.js';
import { actionRequiredOf } from '../../src/invoices/action-required.js';
import { meaningOf } from '../../src/chorus/status-model.js';
import type { Notification } from '../../src/db/entities/notification.js';
import { notifyActionRequired, notifyStatusChanged, publishNotifications } from '../../src/alerts/notify.js';
import { decide, postpone } from '../../src/queues/failure-policy.js';
import type { JobPayloads } from '../../src/queues/jobs.js';
import { pauseSupplier } from './supplier-pause.js';

/** The statutory payment delay runs from here (for works, from the MOE's receipt). */
const MADE_AVAILABLE = new Set(['MISE_A_DISPOSITION', 'MISE_A_DISPOSITION_MOE']);

/** When a supplier was never synced, look back this far. */
const FIRST_SYNC_LOOKBACK_MS = 90 * 86_400_000;

export function makeStatusSyncProcessor(deps: AppContext & { invoicing: ChorusInvoicing }) {
  return async (job: Job<JobPayloads['status-sync']>, token?: string): Promise<{ changed: number; seen: number }> => {
    const em = deps.orm.em.fork();
    const supplier = await em.findOne(SupplierAccount, job.data.supplierAccountId);
    if (!supplier || supplier.pausedAt) return { changed: 0, seen: 0 };
    const account: TechnicalAccount = { login: supplier.chorusLogin, password: deps.secretBox.open(supplier.chorusPasswordSealed) };
    const started = new Date();
    const since = supplier.statusSyncedUntil ? new Date(supplier.statusSyncedUntil.getTime() - deps.config.pipeline.statusSyncOverlapMs) : new Date(started.getTime() - FIRST_SYNC_LOOKBACK_MS);
    try {
      const changedAtChorus = await deps.invoicing.invoicesChangedSince(account, since);
      const byId = new Map(changedAtChorus.map((item) => [item.chorusInvoiceId, item]));
      const ours = byId.size === 0 ? [] : await em.find(Invoice, { supplier, state: 'integrated', statusFollowed: true, chorusInvoiceId: { $in: [...byId.keys()] } }, { populate: ['supplier'] });
      const notifications: Notification[] = [];
      let changed = 0;
      for (const invoice of ours) {
        const item = byId.get(invoice.chorusInvoiceId!)!;
        if (item.status === invoice.chorusStatus && item.statusAt?.getTime() === invoice.chorusStatusAt?.getTime()) continue;
        const history = await deps.invoicing.statusHistory(account, invoice.chorusInvoiceId!);
        const known = invoice.chorusStatusAt?.getTime() ?? 0;
        const entries = history
          .filter((h) => h.at !== null && (h.at.getTime() > known || (h.at.getTime() === known && h.status !== invoice.chorusStatus)))
          .sort((a, b) => a.at!.getTime() - b.at!.getTime());
        const told = new Set<string>();
        for (const entry of entries) {
          const at = entry.at!;
          note(em, invoice, {
            type: 'status-changed',
            source: 'chorus',
            message: `Chorus Pro status ${entry.status}${entry.comment ? `: ${entry.comment}` : ''}`,
            details: { from: invoice.chorusStatus, to: entry.status, at: at.toISOString(), comment: entry.comment, historyId: entry.id },
          });
          const from = invoice.chorusStatus;
          invoice.chorusStatus = entry.status;
          invoice.chorusStatusAt = at;
          if (MADE_AVAILABLE.has(entry.status)) invoice.madeAvailableAt ??= at;
          // Two history lines with one status at the same instant would share a key, and a duplicate key would fail the
          // whole sync: tell it once.
          const key = `${entry.status}@${at.getTime()}`;
          if (!told.has(key)) notifications.push(notifyStatusChanged(em, invoice, { from, to: entry.status, at, comment: entry.comment, historyId: entry.id }));
          told.add(key);
        }
        if (entries.length === 0 && item.status) {
          invoice.chorusStatus = item.status;
          invoice.chorusStatusAt = item.statusAt;
        }
        // Only where the invoice stands now calls for action: statuses it went through during an outage do not.
        const reason = actionRequiredOf(invoice);
        if (reason && invoice.chorusStatus) {
          const chorusReason = entries.at(-1)?.comment ?? item.comment;
          notifications.push(
            notifyActionRequired(em, invoice, {
              reason,
              message: `Chorus Pro status ${invoice.chorusStatus}${chorusReason ? `: ${chorusReason}` : ''}.`,
              chorusReason,
              transition: `${invoice.chorusStatus}:${invoice.chorusStatusAt?.toISOString() ?? ''}`,
            }),
          );
        }
        if (meaningOf(invoice.chorusStatus)?.final) {
          invoice.statusFollowed = false;
          note(em, invoice, { type: 'status-follow-ended', source: 'worker', message: `Status ${invoice.chorusStatus} is final: its status is no longer followed.` });
        }
        changed += 1;
      }
      await em.flush();
      // A direct update, after the invoices: other jobs update this row too (checks, pauses), and its version must
      // not fail a sync whose work is done. Should it not be saved, the next sync reads the same changes again and
      // finds nothing new to record.
      await em.nativeUpdate(SupplierAccount, { id: supplier.id, $or: [{ statusSyncedUntil: null }, { statusSyncedUntil: { $lt: started } }] }, { statusSyncedUntil: started });
      await publishNotifications(deps, notifications);
      await job.log(`${changedAtChorus.length} invoice(s) changed at Chorus Pro since ${since.toISOString()}; ${changed} of ours updated`);
      return { changed, seen: changedAtChorus.length };
    } catch (error) {
      const decision = decide(error);
      if (decision.action === 'wait') return postpone(job, token, decision.ms);
      if (decision.action === 'pause-supplier') {
        await pauseSupplier(deps, supplier, decision.reason);
        return { changed: 0, seen: 0 };
      }
      throw error;
    }
  };
}
