/** Bull Board at /admin/queues: every queue, behind basic auth, with job data redacted. */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Router } from 'express';
import type { AppContext } from '../context.js';
import { redact } from '../logger.js';
import { QUEUE_NAMES, type QueueName } from '../queues/jobs.js';

export const BOARD_PATH = '/admin/queues';

const DESCRIPTIONS: Record<QueueName, string> = {
  deposit: 'Deposits of invoices with Chorus Pro (job id = invoice id)',
  'deposit-report': 'Follows the Chorus Pro report of each deposited flux (job id = invoice id)',
  'status-sync': 'Periodic, incremental sync of Chorus Pro statuses: one job scheduler per supplier account',
  'follow-ups': 'Recycle and completion requests sent to Chorus Pro (job id = follow-up id)',
  alerts: 'Fans each alert or status change out to the subscriptions that want it (job id = notification id)',
  deliveries: 'E-mails and signed webhook calls, retried with backoff (job id = delivery id; replay via the API)',
  checks: 'Hourly look-outs: overdue payments, expiring technical-account passwords, recipients that never report payment',
};

/**
 * Job payloads only carry ids, but the board shows whatever a job holds, so the same redaction as the logs
 * runs on data and return values in case a secret or a file ever slips into one.
 */
export function createBoardRouter(ctx: AppContext): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BOARD_PATH);
  const adapters = QUEUE_NAMES.map((name) => {
    const adapter = new BullMQAdapter(ctx.queues[name], { description: DESCRIPTIONS[name], allowRetries: true });
    adapter.setFormatter('data', (data: unknown) => redact(data));
    adapter.setFormatter('returnValue', (value: unknown) => redact(value));
    return adapter;
  });
  createBullBoard({
    queues: adapters,
    serverAdapter,
    options: { uiConfig: { boardTitle: 'chorus-relay' } },
  });
  return serverAdapter.getRouter() as Router;
}
