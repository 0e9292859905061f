/**
 * Where an invoice stands in our pipeline (not Chorus Pro's own status, which is `chorusStatus`).
 *
 * - `queued`: stored and waiting for its deposit job; the sweeper re-enqueues it if Redis lost the job.
 */
export const INVOICE_STATES = ['queued'] as const;
export type InvoiceState = (typeof INVOICE_STATES)[number];

/** The pipeline states whose invoice must have a deposit job in Redis. */
export const STATES_AWAITING_DEPOSIT: readonly InvoiceState[] = ['queued'];

/** The last problem met by an invoice, kept on the row so lists can show it without reading the timeline. */
export interface InvoiceError {
  code: string;
  message: string;
  at: string;
}
