/**
 * Whether a supplier account's status sync works. A sync that stops is seen: the account shows since when it fails
 * and why (GET /v1/suppliers, /v1/stats, the status-sync queue in Bull Board); past SYNC_FAILING_ALERT_SECONDS
 * `supplier.sync_failing` goes once to its subscriptions, and `supplier.sync_recovered` once when a sync works again.
 * A failure that retrying cannot fix (Chorus Pro refuses the search, an answer we cannot read) is tried again after
 * as long as it has lasted (at least one interval, at most an hour), not at every interval.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { notifySupplier } from '../alerts/notify.js';
import type { Notification } from '../db/entities/notification.js';
import { SupplierAccount } from '../db/entities/supplier-account.js';

/** The longest a failing sync waits before it is tried again. */
export const SYNC_RETRY_MAX_MS = 3_600_000;

export interface SyncHealthSettings {
  /** How long syncs must fail before the alert. */
  alertAfterMs: number;
  /** The status-sync interval: the shortest wait after a failure. */
  intervalMs: number;
}

/** Whether the account's sync waits after a failure retrying cannot fix: the instant it may run again, or null. */
export function syncWaitsUntil(supplier: Pick<SupplierAccount, 'syncRetryAt'>, now: Date): Date | null {
  return supplier.syncRetryAt && supplier.syncRetryAt > now ? supplier.syncRetryAt : null;
}

/**
 * A sync worked: the account is healthy again. Returns the recovery alert when its failure had been alerted (only the
 * process that clears that failure gets it).
 */
export async function recordSyncSuccess(
  em: EntityManager,
  supplier: SupplierAccount,
  now: Date,
): Promise<Notification | null> {
  const healthy = {
    lastSyncAt: now,
    syncFailingSince: null,
    syncError: null,
    syncRetryAt: null,
    syncFailureAlertedAt: null,
  };
  const row = await em
    .fork()
    .findOne(SupplierAccount, supplier.id, { fields: ['syncFailingSince', 'syncFailureAlertedAt'] });
  if (!row?.syncFailingSince || !row.syncFailureAlertedAt) {
    await em.nativeUpdate(SupplierAccount, { id: supplier.id }, healthy);
    return null;
  }
  const failingSince = row.syncFailingSince;
  return em.fork().transactional(async (tx) => {
    const cleared = await tx.nativeUpdate(
      SupplierAccount,
      { id: supplier.id, syncFailingSince: failingSince },
      healthy,
    );
    if (cleared === 0) return null;
    const minutes = Math.round((now.getTime() - failingSince.getTime()) / 60_000);
    return notifySupplier(
      tx,
      supplier,
      'supplier.sync_recovered',
      {
        message: `The status sync of supplier ${supplier.siret} works again after ${minutes} minute(s) of failure; the changes made at Chorus Pro meanwhile are recorded.`,
        failingSince: failingSince.toISOString(),
        recoveredAt: now.toISOString(),
      },
      String(failingSince.getTime()),
    );
  });
}

/**
 * A sync failed with `sentence`. `retryCannotFix`: the same request would fail the same way (a refusal, an answer we
 * cannot read), so the next syncs wait (see the module's comment). Returns the alert when the failure has now lasted
 * long enough and was not alerted yet (only one process gets it).
 */
export async function recordSyncFailure(
  em: EntityManager,
  supplier: SupplierAccount,
  failure: { sentence: string; retryCannotFix: boolean; now: Date },
  settings: SyncHealthSettings,
): Promise<Notification | null> {
  const { now, sentence } = failure;
  await em.nativeUpdate(SupplierAccount, { id: supplier.id, syncFailingSince: null }, { syncFailingSince: now });
  const row = await em
    .fork()
    .findOneOrFail(SupplierAccount, supplier.id, { fields: ['syncFailingSince', 'syncFailureAlertedAt'] });
  const failingSince = row.syncFailingSince ?? now;
  const failingFor = now.getTime() - failingSince.getTime();
  const retryAt = failure.retryCannotFix
    ? new Date(now.getTime() + Math.min(Math.max(failingFor, settings.intervalMs), SYNC_RETRY_MAX_MS))
    : null;
  await em.nativeUpdate(
    SupplierAccount,
    { id: supplier.id },
    { syncError: sentence.slice(0, 2000), syncRetryAt: retryAt },
  );
  if (row.syncFailureAlertedAt || failingFor < settings.alertAfterMs) return null;
  return em.fork().transactional(async (tx) => {
    const claimed = await tx.nativeUpdate(
      SupplierAccount,
      { id: supplier.id, syncFailingSince: failingSince, syncFailureAlertedAt: null },
      { syncFailureAlertedAt: now },
    );
    if (claimed === 0) return null;
    const minutes = Math.round(failingFor / 60_000);
    return notifySupplier(
      tx,
      supplier,
      'supplier.sync_failing',
      {
        message: `The status sync of supplier ${supplier.siret} has failed for ${minutes} minute(s): ${sentence}. Until it works again, a rejection or a suspension of its invoices at Chorus Pro is not seen.${retryAt ? ` Next try at ${retryAt.toISOString()}.` : ''}`,
        error: sentence,
        failingSince: failingSince.toISOString(),
        ...(retryAt ? { nextTryAt: retryAt.toISOString() } : {}),
      },
      String(failingSince.getTime()),
    );
  });
}

export interface FailingSync {
  siret: string;
  since: Date;
  error: string | null;
  nextTryAt: Date | null;
}

/** The accounts whose sync fails (among `sirets`, or all), oldest failure first: for the board and the stats. */
export async function failingSyncs(em: EntityManager, sirets: readonly string[] | null = null): Promise<FailingSync[]> {
  const rows = await em.find(
    SupplierAccount,
    { syncFailingSince: { $ne: null }, ...(sirets === null ? {} : { siret: { $in: [...sirets] } }) },
    { fields: ['siret', 'syncFailingSince', 'syncError', 'syncRetryAt'], orderBy: { syncFailingSince: 'asc' } },
  );
  return rows.map((r) => ({
    siret: r.siret,
    since: r.syncFailingSince!,
    error: r.syncError,
    nextTryAt: r.syncRetryAt,
  }));
}
