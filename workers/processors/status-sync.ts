/**
 * `status-sync` jobs, one scheduler per technical account (the supplier accounts that log in with the same Chorus Pro
 * account share it): ask Chorus Pro only for invoices whose status changed since the last successful sync (minus an
 * overlap), walk every page, and read the full history only where it adds something, so that every intermediate
 * status is recorded with its date and comment. The cost grows with the number of changes, not with the number of
 * invoices followed.
 *
 * The same search finds the integration of deposited fluxes, many at once: while invoices are on their way, an
 * *integration search* (a job of this queue asked for by each deposit, one at a time per technical account) runs every
 * INTEGRATION_SEARCH_SECONDS over a short period, matches what Chorus Pro integrated to our invoices by flux number
 * and number, and records their first statuses. The deposit report is read only for a flux these searches did not find
 * (deposit-report.ts).
 *
 * History dates come to the minute (`YYYY-MM-DD HH:MM`) while the search gives the current status to the
 * millisecond: what is new in a history is told by position (how many lines were recorded), never by comparing
 * dates of different precision.
 *
 * Each run records the account's sync health (src/suppliers/sync-health.ts): a sync that keeps failing is shown,
 * alerted once, and waits between tries when retrying cannot fix it.
 */
import { randomUUID } from 'node:crypto';
import { UnrecoverableError } from 'bullmq';
import { OptimisticLockError, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { ChorusInvoiceSummary } from '../../src/chorus/invoicing.js';
import { Invoice } from '../../src/db/entities/invoice.js';
import type { Notification } from '../../src/db/entities/notification.js';
import { SupplierAccount } from '../../src/db/entities/supplier-account.js';
import { integrate, observeStatuses } from '../../src/invoices/lifecycle.js';
import {
  historyAddsNothing,
  searchedStatus,
  statusesToRecord,
  STATUSES_ON_THEIR_WAY,
} from '../../src/invoices/status-history.js';
import { sqlList } from '../../src/db/sql.js';
import { publishNotifications } from '../../src/alerts/notify.js';
import type { JobPayloads } from '../../src/queues/jobs.js';
import {
  integrationCursorKey,
  integrationSearchDelay,
  readHistoryNow,
  requestIntegrationSearch,
  technicalAccountKey,
} from '../../src/queues/enqueue.js';
import { Validation } from '../../src/db/entities/validation.js';
import { recordSyncFailure, recordSyncSuccess, syncWaitsUntil } from '../../src/suppliers/sync-health.js';
import { syncValidationInbox } from '../../src/validations/inbox.js';
import { ChorusBusinessError } from '../../src/chorus/errors.js';
import { chorusJob, type ChorusJobDeps, type ChorusJobRun } from '../chorus-job.js';
import { DAY_MS, HOUR_MS } from '../../src/shared/time.js';

/** When a supplier was never synced, look back this far. */
const FIRST_SYNC_LOOKBACK_MS = 90 * DAY_MS;
/**
 * An invoice Chorus Pro listed but we could not read may have changed: the period is read again at the next sync
 * (nothing lost) rather than moved past, but for a day at most (an item that stays unreadable must not make every
 * sync longer for ever; the warn logs and the metric tell of it meanwhile).
 */
const UNREADABLE_HOLD_MS = DAY_MS;
/**
 * One sync of an account at a time (a slow one overtaken by the next of its scheduler, one asked by hand, another
 * worker process): two would record the same changes and one would fail on their notification's unique key. A sync
 * that finds another running ends at once; the running one covers its period. The lease outlives any sync.
 */
const RUNNING_LEASE_MS = 10 * 60_000;
/** How long a sync waits for a running integration search (a fraction of a search) before it tries again. */
const INTEGRATION_SEARCH_PASSES_MS = 250;
/**
 * An invoice DEPOSEE or EN_COURS_ACHEMINEMENT for longer than this is no longer "on its way" for the integration
 * search (Chorus Pro moves it on in minutes; one that waits is for the regular sync to follow).
 */
const ON_ITS_WAY_FOR_MS = HOUR_MS;
/**
 * The validator inbox of an account that validates nothing we know of (no contract names it as main contractor or
 * co-contractor, no invoice names it as validator, none ever waited in its inbox) is searched only once in this many
 * syncs: a new validator is still found, without a search per account and sync.
 */
const INBOX_SLOWER_FACTOR = 12;

export interface StatusSyncResult {
  changed: number;
  seen: number;
  /** Deposited invoices this search found integrated (those past their first status recorded by their report job). */
  integrated?: number;
  /** Status changes recorded from the search alone: the history could add nothing. */
  withoutHistory?: number;
  /** The account's syncs fail for a reason retrying cannot fix: this run did not ask, the next one after this. */
  waitingUntil?: string;
  /** Another sync of the account was running: this one left it the work. */
  overlapped?: boolean;
}

export function makeStatusSyncProcessor(deps: ChorusJobDeps) {
  /** Records the failure on the account (and its alert once it has lasted); the job still fails as the runner says. */
  const failing = async (run: ChorusJobRun<SupplierAccount>, sentence: string, retryCannotFix: boolean) => {
    const health = {
      alertAfterMs: deps.config.alerts.syncFailingAlertMs,
      intervalMs: deps.config.pipeline.statusSyncIntervalMs,
    };
    const alert = await recordSyncFailure(
      run.em,
      run.supplier,
      { sentence, retryCannotFix, now: deps.clock.now() },
      health,
    );
    if (alert) await publishNotifications(deps, [alert]);
  };

  /**
   * One sync of the technical account: the changes since the last one, the integration of deposited invoices among
   * them, each followed invoice's new statuses in order, then the validator inboxes.
   */
  async function syncStatuses(
    run: ChorusJobRun<SupplierAccount, JobPayloads['status-sync']>,
  ): Promise<StatusSyncResult> {
    const { em, supplier, account } = run;
    const integration = run.job.data.integration;
    const pipeline = deps.config.pipeline;
    const started = deps.clock.now();
    const siblings = await em.find(SupplierAccount, {
      environment: supplier.environment,
      chorusLogin: supplier.chorusLogin,
    });
    const siblingIds = siblings.map((s) => s.id);
    const cursorKey = integrationCursorKey(deps.config.queuePrefix, supplier);
    let since: Date;
    if (integration) {
      const onTheirWay = await earliestOnTheirWay(em, siblingIds, started);
      if (onTheirWay === null) {
        await run.log('No invoice of this technical account is on its way: nothing to search.');
        return { changed: 0, seen: 0 };
      }
      // From the last search or the first invoice on its way, whichever is later: what changed before either is the
      // regular sync's. A short overlap: the regular sync, with its longer one, and the deposit report catch what
      // this one misses.
      const overlap = Math.min(60_000, Math.max(1_000, pipeline.integrationSearchMs));
      const cursor = Number((await deps.redis.get(cursorKey)) ?? 0);
      since = new Date(Math.max(cursor, onTheirWay.getTime()) - overlap);
    } else {
      since = supplier.statusSyncedUntil
        ? new Date(supplier.statusSyncedUntil.getTime() - pipeline.statusSyncOverlapMs)
        : new Date(started.getTime() - FIRST_SYNC_LOOKBACK_MS);
    }
    const { invoices: changedAtChorus, unreadable } = await run.invoicing.invoicesChangedSince(account, since, started);
    const found = await integrateFound(run, siblingIds, changedAtChorus);
    const notifications: Notification[] = [...found.notifications];
    const byId = new Map(changedAtChorus.map((item) => [item.chorusInvoiceId, item]));
    for (const invoice of found.integrated) byId.delete(invoice.chorusInvoiceId!);
    const ours =
      byId.size === 0
        ? []
        : await em.find(
            Invoice,
            {
              supplier: { $in: siblingIds },
              state: 'integrated',
              statusFollowed: true,
              chorusInvoiceId: { $in: [...byId.keys()] },
            },
            { populate: ['supplier'] },
          );
    let changed = 0;
    let withoutHistory = 0;
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
      if (item.status === invoice.chorusStatus && item.statusAt?.getTime() === invoice.chorusStatusAt?.getTime())
        continue;
      const current = searchedStatus(item);
      if (current && historyAddsNothing(invoice, current)) {
        const seenLines = invoice.chorusHistorySeen === null ? null : invoice.chorusHistorySeen + 1;
        notifications.push(...observeStatuses(em, invoice, [current], current, seenLines));
        changed += 1;
        withoutHistory += 1;
        continue;
      }
      const history = await run.invoicing.statusHistory(account, invoice.chorusInvoiceId!);
      const fresh = statusesToRecord(invoice, history, current);
      notifications.push(...observeStatuses(em, invoice, fresh, current, history.length));
      if (fresh.length > 0) changed += 1;
    }
    await em.flush();
    // Their report jobs wait for a flux the search did not find; these were found.
    await Promise.all(
      found.integrated.map((invoice) => deps.queues['deposit-report'].remove(invoice.id).catch(() => 0)),
    );
    const held =
      unreadable > 0 &&
      supplier.statusSyncedUntil !== null &&
      started.getTime() - supplier.statusSyncedUntil.getTime() < UNREADABLE_HOLD_MS;
    if (integration) {
      if (unreadable === 0) await deps.redis.set(cursorKey, String(started.getTime()), 'PX', DAY_MS);
    } else if (!held) {
      // A direct update, after the invoices: other jobs update these rows too (checks, pauses), and their version must
      // not fail a sync whose work is done. Should it not be saved, the next sync reads the same changes again and
      // finds nothing new to record.
      await em.nativeUpdate(
        SupplierAccount,
        {
          id: { $in: siblingIds },
          $or: [{ statusSyncedUntil: null }, { statusSyncedUntil: { $lt: started } }],
        },
        { statusSyncedUntil: started },
      );
    }
    await publishNotifications(deps, notifications);
    await run.log(
      `${changedAtChorus.length} invoice(s) changed at Chorus Pro since ${since.toISOString()}; ${found.integrated.length} integrated, ${changed} of ours updated (${withoutHistory} from the search alone, the history adding nothing)`,
    );
    if (unreadable > 0) {
      await run.log(
        `${unreadable} invoice(s) of Chorus Pro's answer lacked what we need and were skipped (see the warn logs)${held ? '; the same period is read again at the next sync' : ''}`,
      );
    }
    if (!integration) for (const validator of siblings) await followValidatorInbox(deps, run, validator);
    const recovered = await recordSyncSuccess(em, supplier, deps.clock.now());
    if (recovered) await publishNotifications(deps, [recovered]);
    return {
      changed,
      seen: changedAtChorus.length,
      integrated: found.integrated.length + found.handedOver,
      withoutHistory,
    };
  }

  /**
   * Deposited invoices among what the search listed, matched by flux number and invoice number: integrated at once,
   * with their first statuses (the history is read only when the invoice is already past its first status).
   */
  async function integrateFound(
    run: ChorusJobRun<SupplierAccount, JobPayloads['status-sync']>,
    siblingIds: string[],
    items: ChorusInvoiceSummary[],
  ): Promise<{ integrated: Invoice[]; notifications: Notification[]; handedOver: number }> {
    const byFlux = new Map(items.filter((i) => i.fluxNumber !== null).map((i) => [i.fluxNumber!, i]));
    if (byFlux.size === 0) return { integrated: [], notifications: [], handedOver: 0 };
    const candidates = await run.em
      .fork()
      .find(
        Invoice,
        { supplier: { $in: siblingIds }, state: 'awaiting_report', chorusFluxNumber: { $in: [...byFlux.keys()] } },
        { fields: ['id'] },
      );
    const integrated: Invoice[] = [];
    const notifications: Notification[] = [];
    let handedOver = 0;
    for (const { id } of candidates) {
      // One transaction per invoice: its report job may integrate it at the same moment (its version then refuses
      // one of the two), and that must cost this invoice, not the others of the search.
      const em = run.em.fork();
      const invoice = await em.findOne(Invoice, { id, state: 'awaiting_report' }, { populate: ['supplier'] });
      if (!invoice) continue;
      const item = byFlux.get(invoice.chorusFluxNumber!)!;
      if (item.number !== null && item.number !== invoice.number) continue;
      const current = searchedStatus(item);
      if (!current || !historyAddsNothing(null, current)) {
        // Past its first status: its history tells what came before, read by its own job.
        await readHistoryNow(deps.queues, invoice, {
          ...item,
          statusAt: item.statusAt?.toISOString() ?? null,
        });
        handedOver += 1;
        continue;
      }
      const told = integrate(em, invoice, 'integrated', item, 'not-read', {
        message: `Integrated in Chorus Pro as invoice ${item.chorusInvoiceId}, status ${item.status ?? 'unknown'} (found by the search of the account's invoices).`,
        details: { chorusInvoiceId: item.chorusInvoiceId, status: item.status, foundBy: 'search' },
      });
      try {
        await em.flush();
      } catch (error) {
        if (!(error instanceof OptimisticLockError || error instanceof UniqueConstraintViolationException)) throw error;
        await run.log(`Invoice ${invoice.number} was integrated meanwhile by its report job`);
        continue;
      }
      notifications.push(...told);
      integrated.push(invoice);
    }
    if (handedOver > 0)
      await run.log(`${handedOver} found past their first status: their history is read by their report job`);
    return { integrated, notifications, handedOver };
  }

  /** The next integration search, while anything is on its way; slower while the searches find nothing new. */
  async function askForNextSearch(
    run: ChorusJobRun<SupplierAccount, JobPayloads['status-sync']>,
    integration: { idleRuns: number },
    result: StatusSyncResult | undefined,
  ): Promise<void> {
    const siblings = await run.em
      .fork()
      .find(
        SupplierAccount,
        { environment: run.supplier.environment, chorusLogin: run.supplier.chorusLogin },
        { fields: ['id'] },
      );
    const onTheirWay = await earliestOnTheirWay(
      run.em,
      siblings.map((s) => s.id),
      deps.clock.now(),
    );
    if (onTheirWay === null) return;
    const moved = result !== undefined && (result.integrated ?? 0) + result.changed > 0;
    const idleRuns = moved ? 0 : integration.idleRuns + 1;
    // This search's own key may still be alive (a deposit asked for it with a shorter delay): it must not swallow the
    // next one. Another search already waiting keeps its key, and this request joins it.
    await run.job.removeDeduplicationKey().catch(() => false);
    await requestIntegrationSearch(
      deps.queues,
      run.supplier,
      integrationSearchDelay(deps.config.pipeline.integrationSearchMs, idleRuns),
      idleRuns,
    );
  }

  return chorusJob<SupplierAccount, StatusSyncResult, JobPayloads['status-sync']>(deps, {
    skipped: { changed: 0, seen: 0 },
    // The scheduler runs it again; a paused account has nothing to sync.
    whilePaused: 'skip',
    async load(em, job) {
      const supplier = await em.findOne(SupplierAccount, job.data.supplierAccountId);
      if (!supplier) return { done: { changed: 0, seen: 0 } };
      const waitingUntil = syncWaitsUntil(supplier, deps.clock.now());
      if (waitingUntil) {
        await job
          .log(
            `Syncs of this account fail (${supplier.syncError ?? 'see the account'}); not asked again before ${waitingUntil.toISOString()}`,
          )
          .catch(() => undefined);
        return { done: { changed: 0, seen: 0, waitingUntil: waitingUntil.toISOString() } };
      }
      return { subject: supplier, supplier };
    },

    async run(run) {
      const lease = `${deps.config.queuePrefix}:status-sync-running:${technicalAccountKey(run.supplier)}`;
      const kind = run.job.data.integration ? 'integration' : 'sync';
      const holder = `${kind}:${run.job.id ?? ''}:${randomUUID()}`;
      if ((await deps.redis.set(lease, holder, 'PX', RUNNING_LEASE_MS, 'NX')) !== 'OK') {
        // An integration search covers a few seconds only, not this sync's period: this one runs right after it. So
        // does one that finds the lease gone already (released between the two questions): only another regular
        // sync covers this one.
        const running = await deps.redis.get(lease);
        if (kind === 'sync' && (running === null || running.startsWith('integration:')))
          return run.later(INTEGRATION_SEARCH_PASSES_MS);
        await run.log('Another sync of this technical account is running: it covers this one.');
        return { changed: 0, seen: 0, overlapped: true };
      }
      let result: StatusSyncResult | undefined;
      try {
        result = await syncStatuses(run);
        return result;
      } finally {
        await deps.redis
          .eval(
            "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end",
            1,
            lease,
            holder,
          )
          .catch(() => undefined);
        // Failed or not: the searches go on while invoices are on their way (a failed one is not retried).
        const { integration } = run.job.data;
        if (integration)
          await askForNextSearch(run, integration, result).catch((error: unknown) =>
            deps.logger.warn('Could not ask for the next integration search; the sweeper will', {
              supplierAccountId: run.supplier.id,
              error: error instanceof Error ? error.message : String(error),
            }),
          );
      }
    },

    // Chorus Pro refuses the search, or answers what we cannot read: the same request would fail again.
    async refused(run, reason) {
      await failing(run, reason, true);
      throw new UnrecoverableError(reason);
    },
    async invalidRequest(run, error) {
      await failing(run, error.message, true);
      throw new UnrecoverableError(error.message);
    },
    // Network, 5xx, our own database: BullMQ tries again, and the next interval's sync too.
    async failed(run, reason) {
      await failing(run, reason, false).catch((error: unknown) =>
        deps.logger.warn('Could not record the failed status sync', {
          supplierAccountId: run.supplier.id,
          error: error instanceof Error ? error.message : String(error),
        }),
      );
      return undefined;
    },
  });
}

/**
 * The same accounts as validators: their subcontractors' and co-contractors' invoices waiting for their decision. An
 * account Chorus Pro refuses this search to says so in the log and the sync stands; a transient error fails the job
 * like the rest of the sync (its statuses are saved: the retry finds nothing new there). An account that validates
 * nothing we know of is searched at a slower period.
 */
async function followValidatorInbox(
  deps: ChorusJobDeps,
  run: ChorusJobRun<SupplierAccount, JobPayloads['status-sync']>,
  validator: SupplierAccount,
): Promise<void> {
  if (!(await validatesSomething(run.em, validator))) {
    const slower = INBOX_SLOWER_FACTOR * deps.config.pipeline.statusSyncIntervalMs;
    const key = `${deps.config.queuePrefix}:inbox-searched:${validator.id}`;
    if ((await deps.redis.set(key, '1', 'PX', Math.round(slower), 'NX')) !== 'OK') return;
  }
  try {
    const inbox = await syncValidationInbox({
      em: run.em,
      invoicing: run.invoicing,
      account: run.account,
      validator,
      clock: deps.clock,
    });
    await publishNotifications(deps, inbox.notifications);
    if (inbox.waiting + inbox.settled > 0)
      await run.log(
        `Validator inbox of ${validator.siret}: ${inbox.waiting} invoice(s) waiting for a decision, ${inbox.settled} settled`,
      );
  } catch (error) {
    if (!(error instanceof ChorusBusinessError)) throw error;
    await run.log(`Chorus Pro refused to list the validator inbox of ${validator.siret}: ${error.message}`);
  }
}

/**
 * A contract names it as main contractor or co-contractor, an invoice names it as validator, or it validated before.
 */
async function validatesSomething(em: ChorusJobRun<SupplierAccount>['em'], account: SupplierAccount): Promise<boolean> {
  const { siret } = account;
  const [validations, invoices, contracts] = await Promise.all([
    em.findOne(Validation, { validator: account }, { fields: ['id'] }),
    em.findOne(Invoice, { validatorSiret: siret }, { fields: ['id'] }),
    em
      .getConnection()
      .execute<Array<{ n: number }>>(
        'select 1 as n from contract where holder_siret = ? or cocontractors @> ?::jsonb limit 1',
        [siret, JSON.stringify([siret])],
      ),
  ]);
  return validations !== null || invoices !== null || contracts.length > 0;
}

/**
 * The earliest time an invoice of these accounts went on its way (deposited and not found yet, or DEPOSEE /
 * EN_COURS_ACHEMINEMENT for less than an hour); null when none is.
 */
async function earliestOnTheirWay(
  em: ChorusJobRun<SupplierAccount>['em'],
  supplierIds: string[],
  now: Date,
): Promise<Date | null> {
  // A plain query, not entities: partly loaded invoices in this sync's identity map would be flushed without their
  // version.
  const [row] = await em.getConnection().execute<Array<{ earliest: Date | null }>>(
    `select least(
       (select min(coalesce(deposited_at, created_at)) from invoice where supplier_id in (?) and state = 'awaiting_report'),
       (select min(chorus_status_at) from invoice where supplier_id in (?) and state = 'integrated'
          and chorus_status in (${sqlList(STATUSES_ON_THEIR_WAY)}) and chorus_status_at >= ?)
     ) as earliest`,
    [supplierIds, supplierIds, new Date(now.getTime() - ON_ITS_WAY_FOR_MS)],
  );
  return row?.earliest ? new Date(row.earliest) : null;
}

function sameInvoice(invoice: Invoice, item: ChorusInvoiceSummary): boolean {
  if (item.number !== null && item.number !== invoice.number) return false;
  return item.fluxNumber === null || invoice.chorusFluxNumber === null || item.fluxNumber === invoice.chorusFluxNumber;
}
