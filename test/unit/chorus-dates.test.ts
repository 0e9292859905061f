/**
 * Chorus Pro's dates (docs/chorus-pro-notes.md, "Answers"): datetimes in ISO 8601 with the Paris offset, history dates
 * as `YYYY-MM-DD HH:MM` without a zone (Paris time), search filters sent as Paris wall-clock time. Paris is UTC+1 in
 * winter and UTC+2 in summer; the expectations below are written in UTC by hand.
 */
import { describe, expect, it } from 'vitest';
import { parseChorusDate } from '../../src/chorus/dates.js';
import { chorusDateTime } from '../../src/chorus/invoicing.js';

describe('Chorus Pro dates', () => {
  it.each([
    ['2026-01-15 14:05', '2026-01-15T13:05:00.000Z'],
    ['2026-07-15 14:05', '2026-07-15T12:05:00.000Z'],
    ['2026-11-20', '2026-11-19T23:00:00.000Z'],
    ['2018-02-16T15:10:25.536+01:00', '2018-02-16T14:10:25.536Z'],
    ['16/02/2018', '2018-02-15T23:00:00.000Z'],
  ])('reads %s as %s', (text, utc) => {
    expect(parseChorusDate(text)?.toISOString()).toBe(utc);
  });

  it.each([
    ['2026-01-15T13:05:09.000Z', '2026-01-15T14:05:09'],
    ['2026-07-15T12:05:09.000Z', '2026-07-15T14:05:09'],
    ['2026-12-31T23:30:00.000Z', '2027-01-01T00:30:00'],
  ])('writes the instant %s as Paris wall-clock time %s', (utc, paris) => {
    expect(chorusDateTime(new Date(utc))).toBe(paris);
  });

  it('reads no date as null', () => {
    expect(parseChorusDate('')).toBeNull();
    expect(parseChorusDate('not a date')).toBeNull();
  });
});
