/** Rows as the API shows them. Nothing secret (password, file bytes) is ever copied here. */
import { meaningOf, STAGE_LABELS_FR, statusLabelOf } from '../chorus/status-model.js';
import type { InvoiceEvent } from '../db/entities/invoice-event.js';
import type { SupplierAccount } from '../db/entities/supplier-account.js';
import type { Contract } from '../db/entities/contract.js';
import type { Delivery } from '../db/entities/delivery.js';
import type { FollowUp } from '../db/entities/follow-up.js';
import type { Subscription } from '../db/entities/subscription.js';
import type { Validation } from '../db/entities/validation.js';
import { whoActs } from '../validations/stages.js';
import { runningClock } from '../invoices/works-clocks.js';
import { NEXT_STEP } from '../invoices/action-required.js';
import type { Invoice } from '../db/entities/invoice.js';
import type { InvoiceFields } from '../invoices/intake-statement.js';
import type { DeliveryView, InvoiceView, SubscriptionView, SupplierView, ValidationView } from './schemas.js';

export function supplierView(account: SupplierAccount): SupplierView {
  return {
    id: account.id,
    siret: account.siret,
    chorusLogin: account.chorusLogin,
    environment: account.environment,
    chorusStructureId: account.chorusStructureId,
    paused: account.pausedAt !== null,
    pausedReason: account.pausedReason,
    pausedSince: account.pausedAt?.toISOString() ?? null,
    lastSyncAt: account.lastSyncAt?.toISOString() ?? null,
    syncFailingSince: account.syncFailingSince?.toISOString() ?? null,
    syncError: account.syncFailingSince ? account.syncError : null,
    syncRetryAt: account.syncRetryAt?.toISOString() ?? null,
    createdAt: account.createdAt.toISOString(),
    updatedAt: account.updatedAt.toISOString(),
  };
}

export function invoiceView(
  invoice: InvoiceFields,
  supplierSiret: string,
  events?: InvoiceEvent[],
  followUps?: FollowUp[],
): InvoiceView {
  const meaning = meaningOf(invoice.chorusStatus);
  return {
    id: invoice.id,
    state: invoice.state,
    supplierSiret,
    recipientSiret: invoice.recipientSiret,
    serviceCode: invoice.serviceCode,
    engagementNumber: invoice.engagementNumber,
    marketNumber: invoice.marketNumber,
    number: invoice.number,
    issueDate: invoice.issueDate,
    type: invoice.type,
    billingFrame: invoice.billingFrame,
    validatorSiret: invoice.validatorSiret,
    previousInvoiceId: invoice.previous?.id ?? null,
    worksAmounts: invoice.worksAmounts,
    currency: invoice.currency,
    amountWithoutVat: invoice.amountWithoutVat,
    vatAmount: invoice.vatAmount,
    amountWithVat: invoice.amountWithVat,
    depositMode: invoice.depositMode,
    syntaxeFlux: invoice.syntaxeFlux,
    file:
      invoice.fileName !== null && invoice.fileSize !== null && invoice.fileSha256 !== null
        ? { name: invoice.fileName, size: invoice.fileSize, sha256: invoice.fileSha256 }
        : null,
    vatBreakdown: invoice.vatBreakdown,
    lines: invoice.lines,
    comment: invoice.comment,
    chorus: {
      fluxNumber: invoice.chorusFluxNumber,
      invoiceId: invoice.chorusInvoiceId,
      status: invoice.chorusStatus,
      statusAt: invoice.chorusStatusAt?.toISOString() ?? null,
      stage: meaning?.stage ?? null,
      stageLabel: meaning ? STAGE_LABELS_FR[meaning.stage] : null,
      statusLabel: statusLabelOf(invoice.chorusStatus),
      final: meaning?.final ?? null,
      action: meaning?.action ?? null,
      waitingFor: meaning?.waitingFor ?? null,
      clock: runningClock(invoice.chorusStatus, invoice.madeAvailableAt),
    },
    lastError: invoice.lastError,
    actionRequired: invoice.actionRequired
      ? { reason: invoice.actionRequired, nextStep: NEXT_STEP[invoice.actionRequired] }
      : null,
    correctsInvoiceId: invoice.corrects?.id ?? null,
    correctedByInvoiceId: invoice.correctedBy?.id ?? null,
    depositedAt: invoice.depositedAt?.toISOString() ?? null,
    madeAvailableAt: invoice.madeAvailableAt?.toISOString() ?? null,
    statusFollowed: invoice.statusFollowed,
    createdAt: invoice.createdAt.toISOString(),
    updatedAt: invoice.updatedAt.toISOString(),
    ...(events ? { events: events.map(eventView) } : {}),
    ...(followUps
      ? {
          followUps: followUps.map((f) => ({
            id: f.id,
            kind: f.kind,
            state: f.state,
            error: f.error,
            createdAt: f.createdAt.toISOString(),
          })),
        }
      : {}),
  };
}

function eventView(event: InvoiceEvent): NonNullable<InvoiceView['events']>[number] {
  return {
    at: event.at.toISOString(),
    type: event.type,
    source: event.source,
    message: event.message,
    details: event.details,
  };
}

export function subscriptionView(subscription: Subscription, supplierSiret: string, secret?: string): SubscriptionView {
  return {
    id: subscription.id,
    supplierSiret,
    channel: subscription.channel,
    emails: subscription.emails,
    url: subscription.url,
    events: subscription.events,
    active: subscription.active,
    ...(secret ? { secret } : {}),
    createdAt: subscription.createdAt.toISOString(),
  };
}

export function deliveryView(delivery: Delivery): DeliveryView {
  const notification = delivery.notification.getEntity();
  return {
    id: delivery.id,
    subscriptionId: delivery.subscription.id,
    notificationId: notification.id,
    event: notification.event,
    invoiceId: notification.invoice?.id ?? null,
    channel: delivery.channel,
    sequence: delivery.sequence,
    status: delivery.status,
    attempts: delivery.attempts,
    responseStatus: delivery.responseStatus,
    lastError: delivery.lastError,
    lastAttemptAt: delivery.lastAttemptAt?.toISOString() ?? null,
    deliveredAt: delivery.deliveredAt?.toISOString() ?? null,
    createdAt: delivery.createdAt.toISOString(),
  };
}

/** The columns users expect first (number, BDC, amount, recipient, last update, Chorus status), then the rest. */
export const CSV_COLUMNS = [
  'invoice_number',
  'bdc_number',
  'amount_with_vat',
  'currency',
  'recipient_siret',
  'last_update',
  'chorus_status',
  'stage',
  'stage_label_fr',
  'action_required',
  'state',
  'supplier_siret',
  'issue_date',
  'deposited_at',
  'made_available_at',
  'chorus_invoice_id',
  'id',
] as const;

export function csvRow(invoice: Invoice): string[] {
  const meaning = meaningOf(invoice.chorusStatus);
  return [
    invoice.number,
    invoice.engagementNumber ?? '',
    invoice.amountWithVat,
    invoice.currency,
    invoice.recipientSiret,
    (invoice.chorusStatusAt ?? invoice.updatedAt).toISOString(),
    invoice.chorusStatus ?? '',
    meaning?.stage ?? '',
    meaning ? STAGE_LABELS_FR[meaning.stage] : '',
    invoice.actionRequired ?? '',
    invoice.state,
    invoice.supplier.isInitialized() ? invoice.supplier.getEntity().siret : '',
    invoice.issueDate,
    invoice.depositedAt?.toISOString() ?? '',
    invoice.madeAvailableAt?.toISOString() ?? '',
    invoice.chorusInvoiceId ?? '',
    invoice.id,
  ];
}

/** A main contractor's inbox as a spreadsheet: what to decide, for whom, by when, first. */
export const VALIDATION_CSV_COLUMNS = [
  'invoice_number',
  'supplier_name',
  'supplier_siret',
  'amount_with_vat',
  'market_number',
  'deadline',
  'stage',
  'chorus_status',
  'decision',
  'decision_state',
  'recipient_siret',
  'deposited_at',
  'id',
] as const;

export function validationCsvRow(v: Validation): string[] {
  return [
    v.invoiceNumber,
    v.supplierName ?? '',
    v.supplierSiret ?? '',
    v.amountWithVat ?? '',
    v.marketNumber ?? '',
    v.deadline.toISOString(),
    v.stage,
    v.chorusStatus,
    v.decision?.action ?? '',
    v.decisionState ?? '',
    v.recipientSiret ?? '',
    v.depositedAt?.toISOString() ?? '',
    v.id,
  ];
}

/** A UTF-8 byte order mark first: without it Excel reads the file as Windows-1252 ("Déposée" turns to "DÃ©posÃ©e"). */
export const CSV_BOM = '\uFEFF';

/** RFC 4180 quoting; a cell a spreadsheet would run as a formula is prefixed with a quote. */
export function csvLine(cells: readonly string[]): string {
  return `${cells
    .map((cell) => {
      const safe = /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
      return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
    })
    .join(',')}\r\n`;
}

export function contractView(contract: Contract) {
  return {
    id: contract.id,
    marketNumber: contract.marketNumber,
    buyer: contract.buyer,
    moe: contract.moe,
    moa: contract.moa,
    holderSiret: contract.holderSiret,
    frames: contract.frames,
    cocontractors: contract.cocontractors,
    subcontractors: contract.subcontractors,
    createdAt: contract.createdAt.toISOString(),
    updatedAt: contract.updatedAt.toISOString(),
  };
}

/** A validation as the main contractor sees it: the invoice, its deadline, who must act, and what was decided. */
export function validationView(v: Validation, withTimeline = false): ValidationView {
  return {
    id: v.id,
    validatorSiret: v.validator.isInitialized() ? v.validator.getEntity().siret : null,
    invoice: {
      chorusInvoiceId: v.chorusInvoiceId,
      number: v.invoiceNumber,
      issueDate: v.issueDate,
      frame: v.frame,
      supplierSiret: v.supplierSiret,
      supplierName: v.supplierName,
      recipientSiret: v.recipientSiret,
      recipientName: v.recipientName,
      serviceCode: v.serviceCode,
      marketNumber: v.marketNumber,
      engagementNumber: v.engagementNumber,
      amountWithVat: v.amountWithVat,
      amountToPay: v.amountToPay,
      depositedAt: v.depositedAt?.toISOString() ?? null,
    },
    chorusStatus: v.chorusStatus,
    stage: v.stage,
    waitingFor: whoActs(v.stage),
    deadline: v.deadline.toISOString(),
    decision: v.decision
      ? {
          action: v.decision.action,
          text: v.decision.text,
          requestedAt: v.decision.requestedAt,
          state: v.decisionState,
          error: v.decisionError,
        }
      : null,
    remindersSent: v.remindersSent,
    ...(withTimeline ? { timeline: v.timeline } : {}),
    updatedAt: v.updatedAt.toISOString(),
  };
}
