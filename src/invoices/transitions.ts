/** Changes of an invoice's state, always written together with the timeline line that explains them. */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Invoice } from '../db/entities/invoice.js';
import { InvoiceEvent } from '../db/entities/invoice-event.js';
import type { InvoiceEventSource, InvoiceEventType } from './events.js';
import type { InvoiceState } from './states.js';

export interface TimelineLine {
  type: InvoiceEventType;
  source: InvoiceEventSource;
  message: string;
  details?: Record<string, unknown>;
}

/** Records the line and, when given, the new state and last error; flushed by the caller's `em.flush()`. */
export function note(em: EntityManager, invoice: Invoice, line: TimelineLine, change: { state?: InvoiceState; error?: { code: string; message: string } | null } = {}): void {
  if (change.state) invoice.state = change.state;
  // From integration on, the status syncs follow it (until a final status).
  if (change.state === 'integrated') invoice.statusFollowed = true;
  if (change.error !== undefined) invoice.lastError = change.error === null ? null : { ...change.error, at: new Date().toISOString() };
  em.create(InvoiceEvent, { invoice, type: line.type, source: line.source, message: line.message, details: line.details ?? null });
}
