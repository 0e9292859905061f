/** How the client reads and writes Chorus Pro dates (French time). The simulator has its own, on purpose. */
import { parisDay } from '../shared/time.js';

/**
 * Chorus dates come as `2018-02-16T15:10:25.536+01:00`, `2026-11-20`, `2026-11-20 14:05` (history, no zone)
 * or epoch milliseconds. Zone-less values are French time.
 */
export function parseChorusDate(value: unknown): Date | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number') return new Date(value);
  if (typeof value !== 'string') return null;
  const text = value.trim();
  const local = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?$/.exec(text);
  if (local) {
    const [, y, mo, d, h = '00', mi = '00', s = '00', ms = '0'] = local;
    return fromParisWallClock(
      Number(y),
      Number(mo),
      Number(d),
      Number(h),
      Number(mi),
      Number(s),
      Number(ms.padEnd(3, '0')),
    );
  }
  const french = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(text);
  if (french) return fromParisWallClock(Number(french[3]), Number(french[2]), Number(french[1]), 0, 0, 0, 0);
  const parsed = new Date(text);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
}

const PARIS = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Paris',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** What a clock in Paris shows at that instant, field by field (two digits, four for the year). */
export function parisWallClock(date: Date): Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', string> {
  const parts = PARIS.formatToParts(date);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '00';
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  };
}

function fromParisWallClock(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): Date {
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  // The offset of Paris at that instant (1 or 2 hours), found by reading the UTC guess on a Paris clock.
  const paris = parisWallClock(new Date(asUtc));
  const parisAsUtc = Date.UTC(
    Number(paris.year),
    Number(paris.month) - 1,
    Number(paris.day),
    Number(paris.hour),
    Number(paris.minute),
    Number(paris.second),
    ms,
  );
  return new Date(asUtc - (parisAsUtc - asUtc));
}

/** `YYYY-MM-DD` as clients send dates to Chorus. */
export function chorusDay(date: Date): string {
  return parisDay(date);
}
