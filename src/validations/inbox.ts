/**
 * Following a validator's inbox: each status sync of a supplier account also reads the invoices waiting for its
 * decision (`rechercher/aTraiter/valideur`). A new one is recorded with its deadline (the deposit plus 15 days)
 * and alerts once (`validation.required`); one that left the inbox is read directly (`consulter/valideur`) to
 * learn how it ended: approved, refused, or approved by silence past the deadline (`validation.tacitly_approved`).
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { TechnicalAccount } from '../chorus/client.js';
import type { ChorusInvoicing } from '../chorus/invoicing.js';
import type { InvoiceToValidate } from '../chorus/validator.js';
import type { Clock } from '../shared/clock.js';
import type { Notification } from '../db/entities/notification.js';
import type { SupplierAccount } from '../db/entities/supplier-account.js';
import { Validation } from '../db/entities/validation.js';
import { notifyValidation } from '../alerts/notify.js';
import { deadlineOf } from './stages.js';
import { moveDecision, observeValidationStatus } from './transitions.js';
import { addEvent } from './timeline.js';

const money = (value: number | null): string | null => (value === null ? null : value.toFixed(2));

async function recordNew(
  em: EntityManager,
  invoicing: ChorusInvoicing,
  account: TechnicalAccount,
  validator: SupplierAccount,
  item: InvoiceToValidate,
  now: Date,
): Promise<Notification> {
  const view = await invoicing.viewAsValidator(account, item.chorusInvoiceId);
  const depositedAt = item.depositedAt ?? now;
  const validation = em.create(Validation, {
    validator,
    chorusInvoiceId: item.chorusInvoiceId,
    invoiceNumber: item.number ?? `#${item.chorusInvoiceId}`,
    supplierSiret: item.supplierSiret,
    supplierName: item.supplierName,
    recipientSiret: item.recipientSiret,
    recipientName: item.recipientName,
    serviceCode: item.serviceCode,
    marketNumber: item.marketNumber,
    engagementNumber: item.engagementNumber,
    frame: view.frame,
    amountWithVat: money(view.amountWithVat),
    amountToPay: money(view.amountToPay),
    issueDate: item.issueDate,
    depositedAt,
    chorusStatus: item.status ?? 'A_VALIDER_1',
    deadline: deadlineOf(depositedAt),
  });
  addEvent(
    validation,
    now,
    'received',
    `Invoice ${validation.invoiceNumber} from ${item.supplierName ?? item.supplierSiret ?? 'a supplier'} waits for your decision (${validation.chorusStatus}).`,
  );
  return notifyValidation(
    em,
    validation,
    'validation.required',
    {
      message: `Invoice ${validation.invoiceNumber} waits for your decision until ${validation.deadline.toISOString()}; silence then counts as approval.`,
    },
    `${validation.chorusStatus}:${depositedAt.toISOString()}`,
  );
}

/** One pass over one validator's inbox. Returns the alerts written (flushed); publishing them is the caller's. */
export async function syncValidationInbox(deps: {
  em: EntityManager;
  invoicing: ChorusInvoicing;
  account: TechnicalAccount;
  validator: SupplierAccount;
  clock: Clock;
}): Promise<{ notifications: Notification[]; waiting: number; settled: number }> {
  const { em, invoicing, account, validator } = deps;
  // A row changed after this instant (a decision that landed meanwhile) may be newer than the inbox read: it is left
  // to the next sync, so that a stale "still waiting" never reopens a decided invoice.
  const askedAt = deps.clock.now();
  const inbox = await invoicing.invoicesToValidate(account, validator.siret);
  // What Chorus Pro shows is judged against the deadline at the time it was read, never before: a deadline that
  // passed while the read was on its way would otherwise make approval by silence look like the validator's.
  const now = deps.clock.now();
  const known = await em.find(Validation, {
    validator,
    $or: [
      { chorusInvoiceId: { $in: inbox.map((i) => i.chorusInvoiceId) } },
      { stage: { $in: ['pending', 'wrong_validator'] } },
    ],
  });
  const byId = new Map(known.map((v) => [v.chorusInvoiceId, v]));
  const notifications: Notification[] = [];
  for (const item of inbox) {
    const found = byId.get(item.chorusInvoiceId);
    if (!found) {
      notifications.push(await recordNew(em, invoicing, account, validator, item, now));
      continue;
    }
    if (found.updatedAt > askedAt) continue;
    // Back in the inbox (a corrected validator, the group's representative next): a new deadline, a new alert.
    if (found.stage !== 'pending' || (item.status && item.status !== found.chorusStatus)) {
      const alert = observeValidationStatus(em, found, item.status ?? 'A_VALIDER_1', now);
      if (alert) notifications.push(alert);
      const depositedAt = item.depositedAt ?? now;
      found.deadline = new Date(Math.max(found.deadline.getTime(), deadlineOf(depositedAt).getTime()));
      found.remindersSent = [];
      if (found.decisionState !== null && found.decisionState !== 'queued' && found.decisionState !== 'sending')
        moveDecision(found, 'none');
      notifications.push(
        notifyValidation(
          em,
          found,
          'validation.required',
          { message: `Invoice ${found.invoiceNumber} waits for your decision again (${found.chorusStatus}).` },
          `${found.chorusStatus}:${now.toISOString()}`,
        ),
      );
    }
  }
  // Gone from the inbox: how did it end?
  const inInbox = new Set(inbox.map((i) => i.chorusInvoiceId));
  let settled = 0;
  for (const validation of known) {
    // A decision on its way settles the row itself (its job reads the status before and after its call).
    if (
      inInbox.has(validation.chorusInvoiceId) ||
      validation.stage !== 'pending' ||
      validation.decisionState === 'queued' ||
      validation.decisionState === 'sending'
    )
      continue;
    if (validation.updatedAt > askedAt) continue;
    const { status } = await invoicing.viewAsValidator(account, validation.chorusInvoiceId);
    if (!status) continue;
    const alert = observeValidationStatus(em, validation, status, deps.clock.now());
    if (alert) notifications.push(alert);
    if (validation.stage !== 'pending') settled += 1;
  }
  await em.flush();
  return { notifications, waiting: inbox.length, settled };
}
