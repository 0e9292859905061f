/** Rows as the API shows them. Nothing secret (password, file bytes) is ever copied here. */
import { meaningOf, STAGE_LABELS_FR } from '../chorus/status-model.js';
import type { Invoice } from '../db/entities/invoice.js';
import type { InvoiceEvent } from '../db/entities/invoice-event.js';
import type { SupplierAccount } from '../db/entities/supplier-account.js';
import type { InvoiceView, SupplierView } from './schemas.js';

export function supplierView(account: SupplierAccount): SupplierView {
  return {
    id: account.id,
    siret: account.siret,
    chorusLogin: account.chorusLogin,
    environment: account.environment,
    chorusStructureId: account.chorusStructureId,
    createdAt: account.createdAt.toISOString(),
    updatedAt: account.updatedAt.toISOString(),
  };
}

export function invoiceView(invoice: Invoice, supplierSiret: string, events?: InvoiceEvent[]): InvoiceView {
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
    currency: invoice.currency,
    amountWithoutVat: invoice.amountWithoutVat,
    vatAmount: invoice.vatAmount,
    amountWithVat: invoice.amountWithVat,
    syntaxeFlux: invoice.syntaxeFlux,
    file: { name: invoice.fileName, size: invoice.fileSize, sha256: invoice.fileSha256 },
    chorus: {
      fluxNumber: invoice.chorusFluxNumber,
      invoiceId: invoice.chorusInvoiceId,
      status: invoice.chorusStatus,
      statusAt: invoice.chorusStatusAt?.toISOString() ?? null,
      stage: meaning?.stage ?? null,
      stageLabel: meaning ? STAGE_LABELS_FR[meaning.stage] : null,
      final: meaning?.final ?? null,
      action: meaning?.action ?? null,
    },
    lastError: invoice.lastError,
    createdAt: invoice.createdAt.toISOString(),
    updatedAt: invoice.updatedAt.toISOString(),
    ...(events ? { events: events.map(eventView) } : {}),
  };
}

function eventView(event: InvoiceEvent): NonNullable<InvoiceView['events']>[number] {
  return { at: event.at.toISOString(), type: event.type, source: event.source, message: event.message, details: event.details };
}
