/**
 * The simulator's own French-time formats and its reading of the dates clients send, checked against instants
 * written by hand (Paris is UTC+1 in winter, UTC+2 from the last Sunday of March to the last Sunday of October).
 */
import { describe, expect, it } from 'vitest';
import { dayParis, isoParis, minuteParis, parisOffsetMinutes, readRequestDate } from '../../src/simulator/clock.js';

describe('simulator clock formats', () => {
  it('writes date-times as ISO 8601 with the Paris offset, milliseconds included', () => {
    expect(isoParis(Date.UTC(2018, 1, 16, 14, 10, 25, 536))).toBe('2018-02-16T15:10:25.536+01:00');
    expect(isoParis(Date.UTC(2026, 6, 1, 10, 0, 0, 5))).toBe('2026-07-01T12:00:00.005+02:00');
    // 23:30 UTC on 31 December is already the next year in Paris.
    expect(isoParis(Date.UTC(2026, 11, 31, 23, 30))).toBe('2027-01-01T00:30:00.000+01:00');
  });

  it('writes history dates to the minute and days as Paris sees them', () => {
    expect(minuteParis(Date.UTC(2026, 10, 20, 13, 5, 59))).toBe('2026-11-20 14:05');
    expect(dayParis(Date.UTC(2026, 10, 19, 23, 0))).toBe('2026-11-20');
    expect(dayParis(Date.UTC(2026, 10, 19, 22, 59))).toBe('2026-11-19');
  });

  it('knows the offset on both sides of the 2026 changes (29 March, 25 October at 01:00 UTC)', () => {
    expect(parisOffsetMinutes(Date.UTC(2026, 2, 29, 0, 59))).toBe(60);
    expect(parisOffsetMinutes(Date.UTC(2026, 2, 29, 1, 0))).toBe(120);
    expect(parisOffsetMinutes(Date.UTC(2026, 9, 25, 0, 59))).toBe(120);
    expect(parisOffsetMinutes(Date.UTC(2026, 9, 25, 1, 0))).toBe(60);
  });
});

describe('dates clients send in searches', () => {
  it('a day covers the whole Paris day: its first instant as a lower bound, its last as an upper one', () => {
    expect(readRequestDate('2026-11-20', 'from')).toBe(Date.UTC(2026, 10, 19, 23, 0));
    expect(readRequestDate('2026-11-20', 'to')).toBe(Date.UTC(2026, 10, 20, 23, 0) - 1);
    expect(readRequestDate('2026-07-01', 'from')).toBe(Date.UTC(2026, 5, 30, 22, 0));
  });

  it('a date-time without zone is Paris time; with a zone, that zone', () => {
    expect(readRequestDate('2026-07-01T12:00:00', 'from')).toBe(Date.UTC(2026, 6, 1, 10, 0));
    expect(readRequestDate('2026-11-20 14:05', 'from')).toBe(Date.UTC(2026, 10, 20, 13, 5));
    expect(readRequestDate('2018-02-16T15:10:25.536+01:00', 'from')).toBe(Date.UTC(2018, 1, 16, 14, 10, 25, 536));
    expect(readRequestDate('2026-11-20T10:00:00Z', 'to')).toBe(Date.UTC(2026, 10, 20, 10, 0));
  });

  it('reads the hour after the spring change and the repeated autumn hour', () => {
    expect(readRequestDate('2026-03-29T03:30:00', 'from')).toBe(Date.UTC(2026, 2, 29, 1, 30));
    expect(readRequestDate('2026-10-25T03:30:00', 'from')).toBe(Date.UTC(2026, 9, 25, 2, 30));
  });

  it('refuses what is not a date', () => {
    expect(readRequestDate('20/11/2026', 'from')).toBeNull();
    expect(readRequestDate('yesterday', 'to')).toBeNull();
  });
});
