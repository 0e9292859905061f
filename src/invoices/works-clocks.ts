/**
 * The regulatory clocks of a works document (docs/chorus-pro-notes.md, "Works documents"): the project manager (MOE)
 * has 7 days from MISE_A_DISPOSITION_MOE to review the supplier's draft; the payment delay runs from the same moment
 * (it is the invoice's `madeAvailableAt`, watched by the overdue check). A clock that runs out alerts the supplier
 * once.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../shared/clock.js';
import { Invoice } from '../db/entities/invoice.js';
import { Notification } from '../db/entities/notification.js';
import { notifyClockExpired } from '../alerts/notify.js';
import { record } from './lifecycle.js';
import { DAY_MS } from '../shared/time.js';

export const MOE_REVIEW_DAYS = 7;
/** The statuses in which the MOE holds the document (the last one: it let its delay pass, a newer Chorus status). */
export const WAITING_FOR_MOE: readonly string[] = [
  'MISE_A_DISPOSITION_MOE',
  'A_VALIDER_MOE',
  'A_ASSOCIER_MOE',
  'ABSENCE_VALIDATION_MOE_DELAI_REGLEMENTAIRE',
];

export interface RunningClock {
  name: 'moe_review';
  /** Who must act before it runs out. */
  party: 'moe';
  days: number;
  startedAt: string;
  dueAt: string;
}

/** The clock running on a document in this status, if any. */
export function runningClock(status: string | null, madeAvailableAt: Date | null): RunningClock | null {
  if (!status || !madeAvailableAt || !WAITING_FOR_MOE.includes(status)) return null;
  return {
    name: 'moe_review',
    party: 'moe',
    days: MOE_REVIEW_DAYS,
    startedAt: madeAvailableAt.toISOString(),
    dueAt: new Date(madeAvailableAt.getTime() + MOE_REVIEW_DAYS * DAY_MS).toISOString(),
  };
}

const dedupKeyOf = (invoice: Invoice, clock: RunningClock) => `clock:${invoice.id}:${clock.name}:${clock.startedAt}`;

/** One pass: every document whose MOE let its 7 days run out, alerted once per start of the clock. */
export async function alertExpiredClocks(deps: { em: EntityManager; clock: Clock }): Promise<Notification[]> {
  const em = deps.em.fork();
  const now = deps.clock.now();
  const candidates = await em.find(
    Invoice,
    {
      state: 'integrated',
      statusFollowed: true,
      chorusStatus: { $in: [...WAITING_FOR_MOE] },
      madeAvailableAt: { $ne: null, $lte: new Date(now.getTime() - MOE_REVIEW_DAYS * DAY_MS) },
    },
    { populate: ['supplier'], limit: 1000 },
  );
  const expired = candidates.map((invoice) => ({
    invoice,
    clock: runningClock(invoice.chorusStatus, invoice.madeAvailableAt)!,
  }));
  const keys = expired.map(({ invoice, clock }) => dedupKeyOf(invoice, clock));
  const told = new Set(
    keys.length === 0
      ? []
      : (await em.find(Notification, { dedupKey: { $in: keys } }, { fields: ['dedupKey'] })).map((n) => n.dedupKey),
  );
  const notifications: Notification[] = [];
  for (const { invoice, clock } of expired) {
    if (told.has(dedupKeyOf(invoice, clock))) continue;
    const message = `The project manager (MOE) had ${clock.days} days from ${clock.startedAt.slice(0, 10)} to review works document ${invoice.number} (${invoice.chorusStatus}); the delay ran out on ${clock.dueAt.slice(0, 10)}. The payment delay runs anyway from the day it was made available to the MOE.`;
    record(em, invoice, 'clock-expired', 'worker', { message, details: { clock: clock.name, dueAt: clock.dueAt } });
    notifications.push(
      notifyClockExpired(
        em,
        invoice,
        {
          message,
          clock: clock.name,
          party: clock.party,
          days: clock.days,
          startedAt: clock.startedAt,
          dueAt: clock.dueAt,
        },
        dedupKeyOf(invoice, clock),
      ),
    );
  }
  await em.flush();
  return notifications;
}
