/**
 * Which statuses are new, when the search (current status, to the millisecond) and the history (to the minute)
 * were read a moment apart and either may be ahead of the other. Nothing lost, nothing told twice.
 */
import { describe, expect, it } from 'vitest';
import type { StatusHistoryEntry } from '../../src/chorus/invoicing.js';
import { historyAddsNothing, searchedStatus, statusesToRecord } from '../../src/invoices/status-history.js';

const at = (minute: number, second = 0) => new Date(Date.UTC(2026, 10, 30, 9, minute, second));
const line = (id: number, status: string, minute: number): StatusHistoryEntry => ({
  id,
  status,
  at: at(minute),
  comment: null,
});
const fresh = { chorusStatus: null, chorusStatusAt: null, chorusHistorySeen: 0 };

describe('statusesToRecord', () => {
  it('history ahead of the search: the history is the story, the older searched status is not appended', () => {
    const history = [line(1, 'DEPOSEE', 5), line(2, 'EN_COURS_ACHEMINEMENT', 5), line(3, 'MISE_A_DISPOSITION', 5)];
    const current = searchedStatus({ status: 'EN_COURS_ACHEMINEMENT', statusAt: at(5, 30), comment: null });
    expect(statusesToRecord(fresh, history, current).map((s) => s.status)).toEqual([
      'DEPOSEE',
      'EN_COURS_ACHEMINEMENT',
      'MISE_A_DISPOSITION',
    ]);
  });

  it('search ahead of the history: its status is recorded now, and the history line that shows it later is not told again', () => {
    const lagging = [line(1, 'DEPOSEE', 5)];
    const current = searchedStatus({ status: 'EN_COURS_ACHEMINEMENT', statusAt: at(5, 40), comment: null });
    expect(statusesToRecord(fresh, lagging, current).map((s) => s.status)).toEqual([
      'DEPOSEE',
      'EN_COURS_ACHEMINEMENT',
    ]);
    const after = { chorusStatus: 'EN_COURS_ACHEMINEMENT', chorusStatusAt: at(5, 40), chorusHistorySeen: 1 };
    expect(statusesToRecord(after, [...lagging, line(2, 'EN_COURS_ACHEMINEMENT', 5)], current)).toEqual([]);
  });

  it('nothing new when the search gives the status already recorded from the history', () => {
    const history = [line(1, 'DEPOSEE', 5), line(2, 'MISE_A_DISPOSITION', 5)];
    const recorded = { chorusStatus: 'MISE_A_DISPOSITION', chorusStatusAt: at(5), chorusHistorySeen: 2 };
    expect(
      statusesToRecord(
        recorded,
        history,
        searchedStatus({ status: 'MISE_A_DISPOSITION', statusAt: at(5, 12), comment: null }),
      ),
    ).toEqual([]);
  });

  it('a status that comes back within the same minute is a new change, told once', () => {
    const history = [line(1, 'MISE_A_DISPOSITION', 5), line(2, 'SUSPENDUE', 5), line(3, 'MISE_A_DISPOSITION', 5)];
    const recorded = { chorusStatus: 'MISE_A_DISPOSITION', chorusStatusAt: at(5, 1), chorusHistorySeen: 1 };
    const current = searchedStatus({ status: 'MISE_A_DISPOSITION', statusAt: at(5, 50), comment: null });
    expect(statusesToRecord(recorded, history, current).map((s) => [s.status, s.position])).toEqual([
      ['SUSPENDUE', 1],
      ['MISE_A_DISPOSITION', 2],
    ]);
  });
});

describe('a search read before the history moved on', () => {
  const story = [line(1, 'DEPOSEE', 5), line(2, 'EN_COURS_ACHEMINEMENT', 5), line(3, 'MISE_A_DISPOSITION', 5)];
  const recorded = { chorusStatus: 'MISE_A_DISPOSITION', chorusStatusAt: at(5), chorusHistorySeen: 3 };

  it('shows a status the history has left since: the history is the story, the old status is not told again', () => {
    // Seen in a full run: the search said MISE_A_DISPOSITION, the history read a moment later already had the
    // suspension, and the made-available status was told again after it, backwards.
    const suspended = [...story, line(4, 'SUSPENDUE', 5)];
    const stale = searchedStatus({ status: 'MISE_A_DISPOSITION', statusAt: at(5, 7), comment: null });
    expect(statusesToRecord(recorded, suspended, stale).map((s) => s.status)).toEqual(['SUSPENDUE']);
    const aMinuteBefore = [...story, line(4, 'SUSPENDUE', 6)];
    expect(statusesToRecord(recorded, aMinuteBefore, stale).map((s) => s.status)).toEqual(['SUSPENDUE']);
  });

  it("shows a return dated after the history's last line: recorded now, after the lines that led to it", () => {
    const suspended = [...story, line(4, 'SUSPENDUE', 6)];
    const back = searchedStatus({ status: 'MISE_A_DISPOSITION', statusAt: at(7, 10), comment: null });
    expect(statusesToRecord(recorded, suspended, back).map((s) => [s.status, s.position])).toEqual([
      ['SUSPENDUE', 3],
      ['MISE_A_DISPOSITION', null],
    ]);
  });
});

describe('historyAddsNothing', () => {
  const routed = { chorusStatus: 'EN_COURS_ACHEMINEMENT', chorusStatusAt: at(5) };
  const madeAvailable = (when: Date) =>
    searchedStatus({ status: 'MISE_A_DISPOSITION', statusAt: when, comment: null })!;

  it('takes the status that always follows, minutes after the known one, for its first arrival', () => {
    expect(historyAddsNothing(routed, madeAvailable(at(6)))).toBe(true);
    expect(historyAddsNothing(null, searchedStatus({ status: 'DEPOSEE', statusAt: at(5), comment: null })!)).toBe(true);
  });

  it('reads the history when that status came a day later: it may be a return after a suspension', () => {
    expect(historyAddsNothing(routed, madeAvailable(new Date(at(5).getTime() + 24 * 3_600_000)))).toBe(false);
  });

  it('reads the history for any other step, or when a date is missing', () => {
    expect(historyAddsNothing(routed, searchedStatus({ status: 'SUSPENDUE', statusAt: at(6), comment: null })!)).toBe(
      false,
    );
    expect(historyAddsNothing(routed, madeAvailable(at(4)))).toBe(false);
    expect(
      historyAddsNothing({ chorusStatus: 'EN_COURS_ACHEMINEMENT', chorusStatusAt: null }, madeAvailable(at(6))),
    ).toBe(false);
  });
});
