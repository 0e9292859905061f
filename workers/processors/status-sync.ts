/**
 * `status-sync` jobs, one scheduler per supplier account: ask Chorus Pro only for invoices whose status changed
 * since the last successful sync (minus an overlap), walk every page, and read the full history only of those
 * that changed, so that every intermediate status is recorded with its date and comment.
 * The cost grows with the number of changes, not with the number of invoices followed.
 */
import type { Job } from 'bullmq';
import type { ChorusClient, TechnicalAccount } from '../../src/chorus/client.js';
import { parseChorusDate } from '../../src/chorus/contract/common.js';
import type { AppContext } from '../../src/context.js';
import { Invoice } from '../../src/db/entities/invoice.js';
import { SupplierAccount } from '../../src/db/entities/supplier-account.js';
import { note } from '../../src/invoices/transitions.js';
import { decide, postpone } from '../../src/queues/failure-policy.js';
import type { JobPayloads } from '../../src/queues/jobs.js';
import { pauseSupplier } from './supplier-pause.js';

/** When a supplier was never synced, look back this far. */
const FIRST_SYNC_LOOKBACK_MS = 90 * 86_400_000;

/** Chorus's date-time filter, as production clients send it: French wall-clock time, no zone. */
function chorusDateTime(date: Date): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  ) as Record<string, string>;
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
}

export function makeStatusSyncProcessor(deps: AppContext & { chorus: ChorusClient }) {
  return async (job: Job<JobPayloads['status-sync']>, token?: string): Promise<{ changed: number; seen: number }> => {
    const em = deps.orm.em.fork();
    const supplier = await em.findOne(SupplierAccount, job.data.supplierAccountId);
    if (!supplier || supplier.pausedAt) return { changed: 0, seen: 0 };
    const account: TechnicalAccount = { login: supplier.chorusLogin, password: deps.secretBox.open(supplier.chorusPasswordSealed) };
    const started = new Date();
    const since = supplier.statusSyncedUntil ? new Date(supplier.statusSyncedUntil.getTime() - deps.config.pipeline.statusSyncOverlapMs) : new Date(started.getTime() - FIRST_SYNC_LOOKBACK_MS);
    try {
      const changedAtChorus = await deps.chorus.rechercherFactureParFournisseur(account, { periodeDateHeureEtatCourantDu: chorusDateTime(since) });
      const byId = new Map(changedAtChorus.map((item) => [String(item.identifiantFactureCPP), item]));
      const ours = byId.size === 0 ? [] : await em.find(Invoice, { supplier, state: 'integrated', chorusInvoiceId: { $in: [...byId.keys()] } });
      let changed = 0;
      for (const invoice of ours) {
        const item = byId.get(invoice.chorusInvoiceId!)!;
        const itemAt = parseChorusDate(item.dateHeureEtatCourant);
        if (item.statut === invoice.chorusStatus && itemAt?.getTime() === invoice.chorusStatusAt?.getTime()) continue;
        const history = await deps.chorus.consulterHistoriqueFacture(account, Number(invoice.chorusInvoiceId));
        const known = invoice.chorusStatusAt?.getTime() ?? 0;
        const entries = (history.historiquesDesStatuts?.histoStatut ?? [])
          .map((h) => ({ code: h.histoStatutCode, at: parseChorusDate(h.histoStatutDatePassage), comment: h.histoStatutCommentaire ?? null, id: h.histoStatutId ?? null }))
          .filter((h) => h.at !== null && (h.at.getTime() > known || (h.at.getTime() === known && h.code !== invoice.chorusStatus)))
          .sort((a, b) => a.at!.getTime() - b.at!.getTime());
        for (const entry of entries) {
          note(em, invoice, {
            type: 'status-changed',
            source: 'chorus',
            message: `Chorus Pro status ${entry.code}${entry.comment ? `: ${entry.comment}` : ''}`,
            details: { from: invoice.chorusStatus, to: entry.code, at: entry.at!.toISOString(), comment: entry.comment, histoStatutId: entry.id },
          });
          invoice.chorusStatus = entry.code;
          invoice.chorusStatusAt = entry.at;
        }
        if (entries.length === 0 && item.statut) {
          invoice.chorusStatus = item.statut;
          invoice.chorusStatusAt = itemAt;
        }
        changed += 1;
      }
      supplier.statusSyncedUntil = started;
      await em.flush();
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
