/**
 * The simulator's own clock and its French-time formats. Written apart from the client's date code on purpose:
 * if both shared one reading of Chorus dates, a wrong one would pass every test.
 */

/** Wall clock plus an offset that tests move forward: no sleeping in tests. */
export class SimClock {
  #offsetMs = 0;
  now(): number {
    return Date.now() + this.#offsetMs;
  }
  advance(ms: number): void {
    this.#offsetMs += ms;
  }
  get offsetMs(): number {
    return this.#offsetMs;
  }
  set offsetMs(ms: number) {
    this.#offsetMs = ms;
  }
}

const OFFSET_NAME = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Paris', timeZoneName: 'longOffset' });

/** Minutes Paris is ahead of UTC at that instant (60 in winter, 120 in summer). */
export function parisOffsetMinutes(ms: number): number {
  const name = OFFSET_NAME.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

const two = (n: number) => String(n).padStart(2, '0');

/** The Paris wall clock at `ms`, read off a shifted UTC date. */
function wall(ms: number) {
  const offset = parisOffsetMinutes(ms);
  const d = new Date(ms + offset * 60_000);
  return { d, offset };
}

/** `2018-02-16T15:10:25.536+01:00`: how Chorus Pro writes date-times. */
export function isoParis(ms: number): string {
  const { d, offset } = wall(ms);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}T${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}.${String(d.getUTCMilliseconds()).padStart(3, '0')}${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
}

/** `2026-11-20 14:05`: history dates as production clients saw them (minutes, no zone, Paris time). */
export function minuteParis(ms: number): string {
  const { d } = wall(ms);
  return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
}

/** `2026-11-20`: a day in Paris. */
export function dayParis(ms: number): string {
  const { d } = wall(ms);
  return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`;
}

/**
 * The instant a Paris wall clock shows these fields (the offset is found at the instant itself, twice for DST edges).
 */
function fromParis(
  year: number,
  month: number,
  dayOfMonth: number,
  hour: number,
  minute: number,
  second: number,
  millis: number,
): number {
  const naive = Date.UTC(year, month - 1, dayOfMonth, hour, minute, second, millis);
  let at = naive - parisOffsetMinutes(naive) * 60_000;
  at = naive - parisOffsetMinutes(at) * 60_000;
  return at;
}

/**
 * A date a client sent in a search: `YYYY-MM-DD` (the whole day: its start as a lower bound, its last
 * millisecond as an upper one), or a date-time, Paris time unless it names its offset. Null when unreadable.
 */
export function readRequestDate(value: string, bound: 'from' | 'to'): number | null {
  const dayOnly = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (dayOnly) {
    const [y, m, d] = [Number(dayOnly[1]), Number(dayOnly[2]), Number(dayOnly[3])];
    return bound === 'from' ? fromParis(y, m, d, 0, 0, 0, 0) : fromParis(y, m, d + 1, 0, 0, 0, 0) - 1;
  }
  const dateTime = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})?$/.exec(
    value,
  );
  if (!dateTime) return null;
  const [, y, mo, d, h, mi, s = '0', frac = '0', zone] = dateTime;
  if (zone) return Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${two(Number(s))}.${frac.padEnd(3, '0')}${zone}`);
  return fromParis(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), Number(frac.padEnd(3, '0')));
}
