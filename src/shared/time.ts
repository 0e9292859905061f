/** A day in milliseconds: the unit of the regulatory delays (15 days to validate, 7 for the MOE, 30 to pay). */
export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/**
 * Built once: creating an Intl.DateTimeFormat costs more than the rest of a date check (seen in the intake profile).
 */
const PARIS_DAY = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Paris',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The calendar day in France of an instant, `YYYY-MM-DD`: invoices are dated, and Chorus Pro counts days, in Paris. */
export function parisDay(at: Date): string {
  return PARIS_DAY.format(at);
}

const PARIS_TIME = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Paris',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** The time of day in France of an instant, `HH:MM`. */
export function parisTime(at: Date): string {
  return PARIS_TIME.format(at);
}
