/**
 * Reminders before a validator's deadline: 5 days and 1 day before it, each once, for the invoices still waiting
 * for a decision (not for one whose decision is on its way). Run by the periodic `checks` job, on our clock.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../shared/clock.js';
import type { Notification } from '../db/entities/notification.js';
import { Validation } from '../db/entities/validation.js';
import { notifyValidation } from '../alerts/notify.js';
import { addEvent } from './timeline.js';
import { REMINDER_DAYS } from './stages.js';
import { DAY_MS } from '../shared/time.js';

export async function remindValidators(deps: { em: EntityManager; clock: Clock }): Promise<Notification[]> {
  const em = deps.em.fork();
  const now = deps.clock.now();
  const soonest = new Date(now.getTime() + Math.max(...REMINDER_DAYS) * DAY_MS);
  const due = await em.find(
    Validation,
    {
      stage: 'pending',
      $or: [{ decisionState: null }, { decisionState: { $in: ['done', 'failed'] } }],
      deadline: { $lte: soonest, $gt: now },
    },
    { limit: 1000 },
  );
  const notifications: Notification[] = [];
  for (const validation of due) {
    const msLeft = validation.deadline.getTime() - now.getTime();
    // The closest reminder whose moment has come and that was not sent; an earlier one missed is not sent late.
    const reminder = [...REMINDER_DAYS].sort((a, b) => a - b).find((days) => msLeft <= days * DAY_MS);
    if (reminder === undefined || validation.remindersSent.includes(`${reminder}d`)) continue;
    const daysLeft = Math.max(1, Math.ceil(msLeft / DAY_MS));
    validation.remindersSent = [...validation.remindersSent, `${reminder}d`];
    const message = `Invoice ${validation.invoiceNumber} still waits for your decision: ${daysLeft} day(s) left, until ${validation.deadline.toISOString()}.`;
    addEvent(validation, now, 'reminder', message);
    notifications.push(
      notifyValidation(
        em,
        validation,
        'validation.reminder',
        { message, daysLeft, reminder: `${reminder}d` },
        `${reminder}d:${validation.deadline.toISOString()}`,
      ),
    );
  }
  await em.flush();
  return notifications;
}
