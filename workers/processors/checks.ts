/**
 * `checks` jobs, from one job scheduler: the look-outs that no Chorus Pro event triggers.
 * - payment overdue: an invoice made available longer ago than its recipient's statutory payment delay and not
 *   reported paid gets one alert ("possibly" late: some recipients never report payment);
 * - password expiry: a technical account whose password expires within the warning window gets one alert per
 *   expiry date (an expired password stops every deposit of the supplier);
 * - payment follow: recipients that never report payment (statutMiseEnPaiementNestPasRemonte) would be followed
 *   for ever; their invoices stop being followed once the configured delay after MISE_A_DISPOSITION has passed;
 * - validation deadlines: a main contractor is reminded 5 days and 1 day before its silence counts as approval;
 * - works clocks: the project manager (MOE) let its 7 days to review a works document run out.
 */
import type { Job } from 'bullmq';
import { SEALED_AT } from '../../src/shared/secret-box.js';
import type { TechnicalAccount } from '../../src/chorus/client.js';
import { meaningOf } from '../../src/chorus/status-model.js';
import type { StructureDirectory } from '../../src/chorus/structure-directory.js';
import type { AppContext } from '../../src/context.js';
import { Invoice } from '../../src/db/entities/invoice.js';
import { Notification } from '../../src/db/entities/notification.js';
import { SupplierAccount } from '../../src/db/entities/supplier-account.js';
import {
  notifyPaymentOverdue,
  notifySupplier,
  publishNotifications,
  supplierDedupKey,
} from '../../src/alerts/notify.js';
import { endFollowing, record } from '../../src/invoices/lifecycle.js';
import { batchesById } from '../../src/db/batches.js';
import type { JobPayloads } from '../../src/queues/jobs.js';
import { remindValidators } from '../../src/validations/reminders.js';
import { alertExpiredClocks } from '../../src/invoices/works-clocks.js';
import { DAY_MS } from '../../src/shared/time.js';

/** Fixed recovery-cost indemnity owed on any late payment (D. 2192-35). */
const LATE_PAYMENT_INDEMNITY_EUR = '40.00';
const BATCH = 500;

type ChecksDeps = AppContext;

export function makeChecksProcessor(deps: ChecksDeps) {
  return async (job: Job<JobPayloads['checks']>) => {
    const overdue = await checkOverduePayments(deps);
    const passwords = await checkPasswordExpiry(deps);
    const unfollowed = await stopFollowingUnreportedPayments(deps);
    const reminders = await remindValidators({ em: deps.orm.em, clock: deps.clock });
    await publishNotifications(deps, reminders);
    const clocks = await alertExpiredClocks({ em: deps.orm.em, clock: deps.clock });
    await publishNotifications(deps, clocks);
    await job.log(
      `${overdue} overdue alert(s), ${passwords} password alert(s), ${unfollowed} invoice(s) no longer followed, ${reminders.length} validation reminder(s), ${clocks.length} works clock alert(s)`,
    );
    return { overdue, passwords, unfollowed, reminders: reminders.length, clocks: clocks.length };
  };
}

/** The structure directory of the supplier account's Chorus Pro environment (sandbox or production). */
function structuresOf(deps: ChecksDeps, supplier: SupplierAccount): StructureDirectory {
  const chorus = deps.chorus[supplier.environment];
  if (!chorus) throw new Error(`The Chorus Pro ${supplier.environment} environment has no PISTE credentials`);
  return chorus.structures;
}

function accountOf(deps: ChecksDeps, supplier: SupplierAccount): TechnicalAccount {
  return {
    login: supplier.chorusLogin,
    password: deps.secretBox.open(supplier.chorusPasswordSealed, SEALED_AT.supplierPassword(supplier.id)),
  };
}

export function paymentDelayDays(deps: Pick<AppContext, 'config'>, recipientSiret: string): number {
  return deps.config.alerts.paymentDelayByRecipient.get(recipientSiret) ?? deps.config.alerts.paymentDelayDays;
}

async function checkOverduePayments(deps: ChecksDeps): Promise<number> {
  const now = deps.clock.now();
  const shortest = Math.min(
    deps.config.alerts.paymentDelayDays,
    ...deps.config.alerts.paymentDelayByRecipient.values(),
  );
  let raised = 0;
  // Followed only: paid, rejected and ended invoices are not, so the scan does not grow with history.
  const late = {
    state: 'integrated',
    statusFollowed: true,
    overdueAlertedAt: null,
    madeAvailableAt: { $ne: null, $lte: new Date(now.getTime() - shortest * DAY_MS) },
  } as const;
  for await (const { em, rows: batch } of batchesById(deps.orm.em, Invoice, late, {
    size: BATCH,
    populate: ['supplier'],
  })) {
    const notifications: Notification[] = [];
    for (const invoice of batch) {
      const stage = meaningOf(invoice.chorusStatus)?.stage;
      // Paid, ended or refused: nothing is owed late.
      if (stage === 'completed' || stage === 'rejected') continue;
      const delay = paymentDelayDays(deps, invoice.recipientSiret);
      const due = new Date(invoice.madeAvailableAt!.getTime() + delay * DAY_MS);
      if (due > now) continue;
      const daysLate = Math.floor((now.getTime() - due.getTime()) / DAY_MS);
      const rate = deps.config.alerts.latePaymentReferenceRatePercent;
      // Interest: amount × (reference rate + 8 points) × days late / 365 (R. 2192-31; day count as common practice).
      const estimatedInterest =
        rate === null ? null : ((Number(invoice.amountWithVat) * (rate + 8) * daysLate) / 36_500).toFixed(2);
      const message = `Invoice ${invoice.number} was made available on ${invoice.madeAvailableAt!.toISOString().slice(0, 10)} and is not reported paid after the ${delay}-day payment delay (due ${due.toISOString().slice(0, 10)}, ${daysLate} day(s) late). It is possibly paid late; late-payment interest and the 40 EUR indemnity are then owed.`;
      invoice.overdueAlertedAt = now;
      record(em, invoice, 'payment-overdue', 'worker', {
        message,
        details: { dueOn: due.toISOString().slice(0, 10), delayDays: delay },
      });
      notifications.push(
        notifyPaymentOverdue(em, invoice, {
          message,
          madeAvailableOn: invoice.madeAvailableAt!.toISOString().slice(0, 10),
          delayDays: delay,
          dueOn: due.toISOString().slice(0, 10),
          daysLate,
          estimatedInterest,
          interestRatePercent: rate === null ? null : rate + 8,
          indemnity: LATE_PAYMENT_INDEMNITY_EUR,
        }),
      );
    }
    await em.flush();
    await publishNotifications(deps, notifications);
    raised += notifications.length;
  }
  return raised;
}

async function checkPasswordExpiry(deps: ChecksDeps): Promise<number> {
  const em = deps.orm.em.fork();
  const now = deps.clock.now();
  const suppliers = await em.find(SupplierAccount, { pausedAt: null });
  const due: Array<{ supplier: SupplierAccount; expiresOn: string; daysLeft: number }> = [];
  for (const supplier of suppliers) {
    try {
      const own = await structuresOf(deps, supplier).ownStructure(
        accountOf(deps, supplier),
        supplier.siret,
        supplier.chorusStructureId,
      );
      // A direct update: the status sync updates the same rows, and their version must not make either fail.
      await em.nativeUpdate(
        SupplierAccount,
        { id: supplier.id },
        {
          passwordCheckedAt: now,
          ...(own ? { chorusStructureId: own.structureId, passwordExpiresOn: own.passwordExpiresOn } : {}),
        },
      );
      if (!own?.passwordExpiresOn) continue;
      const daysLeft = Math.floor((Date.parse(`${own.passwordExpiresOn}T23:59:59+01:00`) - now.getTime()) / DAY_MS);
      if (daysLeft <= deps.config.alerts.passwordExpiryWarningDays)
        due.push({ supplier, expiresOn: own.passwordExpiresOn, daysLeft });
    } catch (error) {
      // One supplier's refusal (an expired account...) must not stop the others' checks; the deposit path pauses it.
      deps.logger.warn('Password expiry check failed for a supplier', {
        supplierAccountId: supplier.id,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  // One alert per expiry date: a date already told is skipped (its dedup key exists).
  const keys = due.map((d) => supplierDedupKey('supplier.password_expiring', d.supplier.id, d.expiresOn));
  const told = new Set(
    keys.length === 0
      ? []
      : (await em.find(Notification, { dedupKey: { $in: keys } }, { fields: ['dedupKey'] })).map((n) => n.dedupKey),
  );
  const notifications = due
    .filter((_, i) => !told.has(keys[i]!))
    .map(({ supplier, expiresOn, daysLeft }) =>
      notifySupplier(
        em,
        supplier,
        'supplier.password_expiring',
        {
          message: `The password of Chorus Pro technical account ${supplier.chorusLogin} (supplier ${supplier.siret}) expires on ${expiresOn}, in ${daysLeft} day(s). Change it in Chorus Pro, then send the new one with POST /v1/suppliers, or deposits will stop.`,
          passwordExpiresOn: expiresOn,
          daysLeft,
        },
        expiresOn,
      ),
    );
  await em.flush();
  await publishNotifications(deps, notifications);
  return notifications.length;
}

async function stopFollowingUnreportedPayments(deps: ChecksDeps): Promise<number> {
  const limit = new Date(deps.clock.now().getTime() - deps.config.alerts.paymentFollowMaxMs);
  let stopped = 0;
  for await (const { em, rows } of batchesById(
    deps.orm.em,
    Invoice,
    { statusFollowed: true, madeAvailableAt: { $ne: null, $lte: limit } },
    { size: BATCH, populate: ['supplier'] },
  )) {
    for (const invoice of rows) {
      const supplier = invoice.supplier.getEntity();
      if (supplier.pausedAt) continue;
      try {
        // Cached per recipient: a batch costs a look-up per recipient, not per invoice.
        const recipient = await structuresOf(deps, supplier).recipient(
          accountOf(deps, supplier),
          invoice.recipientSiret,
        );
        if (!recipient?.paymentStatusNotReported) continue;
      } catch {
        continue;
      }
      endFollowing(em, invoice, {
        message: `The recipient does not report payments to Chorus Pro (statutMiseEnPaiementNestPasRemonte): the status is no longer followed ${Math.round(deps.config.alerts.paymentFollowMaxMs / DAY_MS)} days after it was made available.`,
      });
      stopped += 1;
    }
    await em.flush();
  }
  return stopped;
}
