/**
 * Reading Chorus Pro's status history. Its dates come to the minute (`YYYY-MM-DD HH:MM`) while a search gives the
 * current status to the millisecond: what is new in a history is told by position (how many lines were recorded),
 * never by comparing dates of different precision.
 */
import type { ChorusInvoiceSummary, StatusHistoryEntry } from '../chorus/invoicing.js';
import type { Invoice } from '../db/entities/invoice.js';
import type { SeenStatus } from './lifecycle.js';

/** History lines as statuses seen, each with its place in the history. */
export function asSeen(history: StatusHistoryEntry[]): SeenStatus[] {
  return history.map((h, position) => ({ status: h.status, at: h.at, comment: h.comment, historyId: h.id, position }));
}

const minute = (date: Date | null) => (date === null ? null : Math.floor(date.getTime() / 60_000));

/** Oldest first; within one minute, Chorus Pro's own ids (or its order) decide. */
function chronological(history: StatusHistoryEntry[]): StatusHistoryEntry[] {
  return [...history].sort(
    (a, b) =>
      (minute(a.at) ?? 0) - (minute(b.at) ?? 0) ||
      (a.at?.getTime() ?? 0) - (b.at?.getTime() ?? 0) ||
      (a.id !== null && b.id !== null ? a.id - b.id : 0),
  );
}

/** The status a search gives now, to the millisecond. */
export function searchedStatus(
  found: Pick<ChorusInvoiceSummary, 'status' | 'statusAt' | 'comment'>,
): SeenStatus | null {
  return found.status
    ? { status: found.status, at: found.statusAt, comment: found.comment, historyId: null, position: null }
    : null;
}

/**
 * What to record now, oldest first: the history lines not yet recorded, then the searched status when the history
 * lags behind it (so it is not lost; the history line that later shows it is then not told twice).
 */
export function statusesToRecord(
  invoice: Pick<Invoice, 'chorusStatus' | 'chorusStatusAt' | 'chorusHistorySeen'>,
  history: StatusHistoryEntry[],
  current: SeenStatus | null,
): SeenStatus[] {
  const ordered = chronological(history);
  const fresh = unrecorded(invoice, ordered);
  const last = fresh.at(-1)?.status ?? invoice.chorusStatus;
  return current && current.status !== last && searchIsAhead(ordered, current) ? [...fresh, current] : fresh;
}

/**
 * Whether the searched status is newer than the history's last line. The search is read first, so the history is
 * usually ahead: a status it already shows, with other lines after it, is where the invoice was when the search ran
 * (appending it would tell it twice, backwards). It is a return the history has not caught up with only when dated in
 * a later minute than the history's last line; within the same minute nothing tells them apart, and the next sync
 * reads such a return from the history.
 */
function searchIsAhead(chronologicalHistory: StatusHistoryEntry[], current: SeenStatus): boolean {
  const lastLine = chronologicalHistory.at(-1);
  if (!lastLine) return true;
  if (lastLine.status === current.status) return false;
  if (!chronologicalHistory.some((line) => line.status === current.status)) return true;
  const [searched, historyLast] = [minute(current.at), minute(lastLine.at)];
  return searched !== null && historyLast !== null && searched > historyLast;
}

/** The history lines not yet recorded for this invoice. */
function unrecorded(
  invoice: Pick<Invoice, 'chorusStatus' | 'chorusStatusAt' | 'chorusHistorySeen'>,
  chronologicalHistory: StatusHistoryEntry[],
): SeenStatus[] {
  const history = asSeen(chronologicalHistory);
  let fresh: typeof history;
  if (invoice.chorusHistorySeen !== null) {
    fresh = history.slice(invoice.chorusHistorySeen);
  } else {
    // Invoices integrated before the history was read at integration: what we know came from a search (precise
    // date). The first line with that status in that minute is taken for it: a status that came back within the
    // same minute is then told again rather than lost.
    const knownMinute = minute(invoice.chorusStatusAt);
    let index = history.findIndex((h) => h.status === invoice.chorusStatus && minute(h.at) === knownMinute);
    if (index < 0 && knownMinute !== null) index = history.findLastIndex((h) => (minute(h.at) ?? 0) < knownMinute);
    fresh = history.slice(index + 1);
  }
  // A status recorded from the search while the history lagged comes first among the fresh lines: not twice.
  const first = fresh[0];
  if (first && first.status === invoice.chorusStatus && minute(first.at) === minute(invoice.chorusStatusAt))
    fresh = fresh.slice(1);
  return fresh;
}

/**
 * Statuses Chorus Pro moves an invoice to by itself from the key one, before anyone acts on it: seen in a search right
 * after the key one, nothing was skipped in between, and the history has nothing to add.
 */
const ALWAYS_NEXT: Readonly<Record<string, readonly string[]>> = {
  DEPOSEE: ['EN_COURS_ACHEMINEMENT'],
  EN_COURS_ACHEMINEMENT: ['MISE_A_DISPOSITION', 'MISE_A_DISPOSITION_MOE'],
};

/**
 * How long after the known status the one that always follows it can be taken for its first arrival. Chorus Pro routes
 * an invoice within minutes; going back to a status (made available again after a suspension or a recycling) takes a
 * recipient's and a supplier's action. Past this span the searched status may be such a return, and the history is
 * read so that the detour is not lost.
 */
export const ON_ITS_WAY_SPAN_MS = 10 * 60_000;

/** The status every integrated invoice starts in, outside validation circuits (whose start the history tells). */
const FIRST_STATUS = 'DEPOSEE';

/** An invoice in these statuses moves on by itself within minutes: it is on its way to its recipient. */
export const STATUSES_ON_THEIR_WAY: readonly string[] = Object.keys(ALWAYS_NEXT);

/**
 * Whether the searched status says all the history would: the first status of an invoice not integrated yet
 * (`known` null), or the status that always follows the known one, dated after it and within `ON_ITS_WAY_SPAN_MS`.
 * Anything else may hide statuses the search does not show (a suspension lifted, a validation), and the history is
 * read.
 */
export function historyAddsNothing(
  known: Pick<Invoice, 'chorusStatus' | 'chorusStatusAt'> | null,
  current: SeenStatus,
): boolean {
  if (current.at === null) return false;
  if (known === null) return current.status === FIRST_STATUS;
  if (known.chorusStatus === null || known.chorusStatusAt === null) return false;
  return (
    (ALWAYS_NEXT[known.chorusStatus] ?? []).includes(current.status) &&
    current.at.getTime() >= known.chorusStatusAt.getTime() &&
    current.at.getTime() - known.chorusStatusAt.getTime() <= ON_ITS_WAY_SPAN_MS
  );
}
