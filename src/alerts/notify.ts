/**
 * Recording what subscribers must hear about. A notification is created with the change it tells of and flushed
 * in the same transaction (an outbox): if the change is saved, the notification is too, and the `alerts` job that
 * fans it out is added after the commit (or by the sweeper, if Redis was away).
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { meaningOf, STAGE_LABELS_FR, statusLabelOf } from '../chorus/status-model.js';
import type { Invoice } from '../db/entities/invoice.js';
import { Notification } from '../db/entities/notification.js';
import { SupplierAccount } from '../db/entities/supplier-account.js';
import type { Validation } from '../db/entities/validation.js';
import { NEXT_STEP, type ActionReason } from '../invoices/action-required.js';
import type { Logger } from '../logger.js';
import { withCorrelation } from '../queues/jobs.js';
import type { Queues } from '../queues/queues.js';
import type { NotificationEvent } from './events.js';

/** The invoice as subscribers see it, fixed at the time of the event. */
export interface InvoiceSnapshot {
  id: string;
  number: string;
  supplierSiret: string | null;
  recipientSiret: string;
  serviceCode: string | null;
  engagementNumber: string | null;
  amountWithVat: string;
  currency: string;
  issueDate: string;
  state: string;
  chorusInvoiceId: string | null;
  chorusStatus: string | null;
  stage: string | null;
  stageLabel: string | null;
  /** The Chorus status in French words (absent from payloads written before it existed). */
  statusLabel?: string | null;
}

export function invoiceSnapshot(invoice: Invoice): InvoiceSnapshot {
  const meaning = meaningOf(invoice.chorusStatus);
  return {
    id: invoice.id,
    number: invoice.number,
    supplierSiret: invoice.supplier.isInitialized() ? invoice.supplier.getEntity().siret : null,
    recipientSiret: invoice.recipientSiret,
    serviceCode: invoice.serviceCode,
    engagementNumber: invoice.engagementNumber,
    amountWithVat: invoice.amountWithVat,
    currency: invoice.currency,
    issueDate: invoice.issueDate,
    state: invoice.state,
    chorusInvoiceId: invoice.chorusInvoiceId,
    chorusStatus: invoice.chorusStatus,
    stage: meaning?.stage ?? null,
    stageLabel: meaning ? STAGE_LABELS_FR[meaning.stage] : null,
    statusLabel: statusLabelOf(invoice.chorusStatus),
  };
}

function record(
  em: EntityManager,
  fields: {
    supplierId: string;
    invoice?: Invoice;
    event: NotificationEvent;
    dedupKey: string;
    payload: Record<string, unknown>;
  },
): Notification {
  // The invoice's next number, written with the invoice (its version check orders concurrent writers).
  const sequence = fields.invoice ? ++fields.invoice.eventSequence : null;
  return em.create(Notification, {
    supplier: em.getReference(SupplierAccount, fields.supplierId),
    invoice: fields.invoice ?? null,
    event: fields.event,
    dedupKey: fields.dedupKey.slice(0, 200),
    payload: fields.payload,
    sequence,
  });
}

/**
 * The invoice needs its supplier. `transition` names the change (a version, a Chorus status and date), so one
 * transition gives one alert however often the code that saw it runs.
 */
export function notifyActionRequired(
  em: EntityManager,
  invoice: Invoice,
  alert: { reason: ActionReason; message: string; chorusReason?: string | null; transition: string },
): Notification {
  return record(em, {
    supplierId: invoice.supplier.id,
    invoice,
    event: 'invoice.action_required',
    dedupKey: `action:${invoice.id}:${alert.reason}:${alert.transition}`,
    payload: {
      invoice: invoiceSnapshot(invoice),
      reason: alert.reason,
      message: alert.message,
      chorusReason: alert.chorusReason ?? null,
      nextStep: NEXT_STEP[alert.reason],
    },
  });
}

/**
 * `line` names the change in Chorus Pro's history (its id, or its position): history dates are only to the minute,
 * so a status that comes back within one minute is another change with the same date.
 */
export function notifyStatusChanged(
  em: EntityManager,
  invoice: Invoice,
  change: { from: string | null; to: string; at: Date; comment: string | null; line: string },
): Notification {
  const meaning = meaningOf(change.to);
  return record(em, {
    supplierId: invoice.supplier.id,
    invoice,
    event: 'invoice.status_changed',
    dedupKey: `status:${invoice.id}:${change.to}:${change.at.toISOString()}:${change.line}`,
    payload: {
      invoice: invoiceSnapshot(invoice),
      from: change.from,
      to: change.to,
      stage: meaning?.stage ?? null,
      stageLabel: meaning ? STAGE_LABELS_FR[meaning.stage] : null,
      statusLabel: statusLabelOf(change.to),
      final: meaning?.final ?? null,
      action: meaning?.action ?? null,
      at: change.at.toISOString(),
      comment: change.comment,
    },
  });
}

export function notifyPaymentOverdue(
  em: EntityManager,
  invoice: Invoice,
  overdue: Record<string, unknown> & { message: string },
): Notification {
  return record(em, {
    supplierId: invoice.supplier.id,
    invoice,
    event: 'invoice.payment_overdue',
    dedupKey: `overdue:${invoice.id}`,
    payload: { invoice: invoiceSnapshot(invoice), ...overdue },
  });
}

/** A regulatory clock of a works document ran out (works-clocks.ts); `dedupKey` names the clock and its start. */
export function notifyClockExpired(
  em: EntityManager,
  invoice: Invoice,
  expired: Record<string, unknown> & { message: string },
  dedupKey: string,
): Notification {
  return record(em, {
    supplierId: invoice.supplier.id,
    invoice,
    event: 'invoice.clock_expired',
    dedupKey,
    payload: { invoice: invoiceSnapshot(invoice), ...expired },
  });
}

export function supplierDedupKey(event: NotificationEvent, supplierId: string, transition: string): string {
  return `${event}:${supplierId}:${transition}`;
}

export function notifySupplier(
  em: EntityManager,
  supplier: SupplierAccount,
  event:
    'supplier.account_refused' | 'supplier.password_expiring' | 'supplier.sync_failing' | 'supplier.sync_recovered',
  details: Record<string, unknown> & { message: string },
  transition: string,
): Notification {
  return record(em, {
    supplierId: supplier.id,
    event,
    dedupKey: supplierDedupKey(event, supplier.id, transition),
    payload: { supplier: { id: supplier.id, siret: supplier.siret, chorusLogin: supplier.chorusLogin }, ...details },
  });
}

/** A subcontractor's or co-contractor's invoice as its validator sees it, fixed at the time of the event. */
export interface ValidationSnapshot {
  id: string;
  invoiceNumber: string;
  chorusInvoiceId: string;
  supplierSiret: string | null;
  supplierName: string | null;
  recipientSiret: string | null;
  recipientName: string | null;
  marketNumber: string | null;
  frame: string | null;
  amountWithVat: string | null;
  chorusStatus: string;
  stage: string;
  deadline: string;
}

export function validationSnapshot(v: Validation): ValidationSnapshot {
  return {
    id: v.id,
    invoiceNumber: v.invoiceNumber,
    chorusInvoiceId: v.chorusInvoiceId,
    supplierSiret: v.supplierSiret,
    supplierName: v.supplierName,
    recipientSiret: v.recipientSiret,
    recipientName: v.recipientName,
    marketNumber: v.marketNumber,
    frame: v.frame,
    amountWithVat: v.amountWithVat,
    chorusStatus: v.chorusStatus,
    stage: v.stage,
    deadline: v.deadline.toISOString(),
  };
}

/**
 * The validator must act (`validation.required`, `validation.reminder`) or its silence decided
 * (`validation.tacitly_approved`). `transition` names the occasion (the deposit, the reminder), so each goes once.
 */
export function notifyValidation(
  em: EntityManager,
  validation: Validation,
  event: 'validation.required' | 'validation.reminder' | 'validation.tacitly_approved',
  details: Record<string, unknown> & { message: string },
  transition: string,
): Notification {
  return record(em, {
    supplierId: validation.validator.id,
    event,
    dedupKey: `${event}:${validation.id}:${transition}`,
    payload: { validation: validationSnapshot(validation), ...details },
  });
}

/** What a notification is about, for its job's name in Bull Board: an invoice number, or a supplier's SIRET. */
function subjectOf(n: Notification): string {
  if (n.invoice) return (n.payload.invoice as InvoiceSnapshot).number;
  if (n.payload.validation) return (n.payload.validation as ValidationSnapshot).invoiceNumber;
  return (n.payload.supplier as { siret: string }).siret;
}

/** After the commit. A failure here loses nothing: the sweeper adds the job of any notification left unsent. */
export async function publishNotifications(
  deps: { queues: Queues; logger: Logger },
  notifications: Notification[],
  correlationId?: string,
): Promise<void> {
  for (const n of notifications) {
    try {
      await deps.queues.alerts.add(
        `${n.event} ${subjectOf(n)}`,
        withCorrelation({ notificationId: n.id }, correlationId),
        { jobId: n.id },
      );
    } catch (error) {
      deps.logger.warn('Alert job not enqueued; the sweeper will add it', {
        notificationId: n.id,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
