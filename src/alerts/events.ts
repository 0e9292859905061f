/** What subscribers can hear about. Webhook bodies carry one of these as `type`. */
export const NOTIFICATION_EVENTS = [
  'invoice.action_required',
  'invoice.payment_overdue',
  'invoice.clock_expired',
  'invoice.status_changed',
  'supplier.account_refused',
  'supplier.password_expiring',
  'supplier.sync_failing',
  'supplier.sync_recovered',
  'validation.required',
  'validation.reminder',
  'validation.tacitly_approved',
] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

/** The alerts: what a subscription gets when it names no events (every status change is opt-in). */
export const ALERT_EVENTS: readonly NotificationEvent[] = [
  'invoice.action_required',
  'invoice.payment_overdue',
  'invoice.clock_expired',
  'supplier.account_refused',
  'supplier.password_expiring',
  'supplier.sync_failing',
  'supplier.sync_recovered',
  'validation.required',
  'validation.reminder',
  'validation.tacitly_approved',
];
