/**
 * Where an invoice stands in our pipeline (not Chorus Pro's own status, which is `chorusStatus`).
 *
 * - queued: stored, waiting for its deposit job (which the sweeper re-adds if Redis lost it);
 * - depositing: a deposit attempt is under way, or its outcome is being looked up at Chorus Pro;
 * - awaiting_report: Chorus Pro received the flux (we have its numeroFluxDepot); we follow its report;
 * - integrated: Chorus Pro integrated the invoice (we have its identifiantFactureCPP); its status is followed;
 * - rejected: Chorus Pro refused it at integration (IN_REJETE); the fixed invoice may be submitted again under the same
 *   number;
 * - precheck_failed: our check of the recipient's rules refused it before spending a deposit;
 * - needs_attention: the deposit failed for good, or its outcome is unknown; an operator can retry it.
 */
export const INVOICE_STATES = [
  'queued',
  'depositing',
  'awaiting_report',
  'integrated',
  'rejected',
  'precheck_failed',
  'needs_attention',
] as const;
export type InvoiceState = (typeof INVOICE_STATES)[number];

/** The states whose invoice must have a deposit job in Redis (deposit, or look-up of an unknown outcome). */
export const STATES_AWAITING_DEPOSIT: readonly InvoiceState[] = ['queued', 'depositing'];
/** The states whose invoice must have a report job in Redis. */
export const STATES_AWAITING_REPORT: readonly InvoiceState[] = ['awaiting_report'];
/** The states whose invoice cannot move while its supplier account is paused. */
export const STATES_WAITING_ON_ACCOUNT: readonly InvoiceState[] = ['queued', 'depositing', 'awaiting_report'];
/** The states an operator may send back to the deposit queue. */
export const RETRYABLE_STATES: readonly InvoiceState[] = ['needs_attention', 'precheck_failed'];

/** The last problem met by an invoice, kept on the row so lists can show it without reading the timeline. */
export interface InvoiceError {
  code: string;
  message: string;
  at: string;
}
