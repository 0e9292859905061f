/** The vocabulary of an invoice's timeline. */
export const INVOICE_EVENT_TYPES = [
  'received',
  'deposit-re-enqueued',
  'precheck-passed',
  'precheck-failed',
  'rules-checked',
  'deposit-sent',
  'pdf-read',
  'submitted',
  'deposit-attempt-failed',
  'deposit-outcome-unknown',
  'deposit-reconciled',
  'deposit-refused',
  'flux-report',
  'integrated',
  'rejected',
  'needs-attention',
  'retry-requested',
  'waiting-for-supplier-account',
  'status-changed',
  'status-follow-ended',
  'alert-sent',
  'payment-overdue',
  'clock-expired',
  'works-offer',
  'corrected-by',
  'follow-up-requested',
  'follow-up-sent',
  'follow-up-failed',
] as const;
export type InvoiceEventType = (typeof INVOICE_EVENT_TYPES)[number];

/** Who caused the event. */
export const INVOICE_EVENT_SOURCES = ['intake', 'worker', 'chorus', 'operator'] as const;
export type InvoiceEventSource = (typeof INVOICE_EVENT_SOURCES)[number];
