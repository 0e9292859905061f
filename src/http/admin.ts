/** Bull Board at /admin/queues: every queue, behind basic auth, with job data redacted. */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import type { ExternalJobUrl, QueueJobJson } from '@bull-board/api/dist/types.js';
import { ExpressAdapter } from '@bull-board/express';
import express, { type Router } from 'express';
import { needsActionCounts } from '../invoices/listing.js';
import type { AppContext } from '../context.js';
import { redact } from '../logger.js';
import { QUEUE_NAMES, type QueueName } from '../queues/jobs.js';
import { createRetryPageRouter, retryPageHref } from './board-retry.js';

export const BOARD_PATH = '/admin/queues';

const DESCRIPTIONS: Record<QueueName, string> = {
  deposit: 'Deposits of invoices with Chorus Pro (job id = invoice id)',
  'deposit-report': 'Follows the Chorus Pro report of each deposited flux (job id = invoice id)',
  'status-sync': 'Periodic, incremental sync of Chorus Pro statuses: one job scheduler per supplier account',
  'follow-ups': 'Recycle, completion and validator corrections sent to Chorus Pro (job id = follow-up id)',
  validations: "A main contractor's decisions on its subcontractors' invoices, sent to Chorus Pro (job id = validation id)",
  alerts: 'Fans each alert or status change out to the subscriptions that want it (job id = notification id)',
  deliveries: 'E-mails and signed webhook calls, retried with backoff (job id = delivery id; replay via the API)',
  checks: 'Hourly look-outs: overdue payments, expiring technical-account passwords, recipients that never report payment',
};

/**
 * The deposit queue's card says, at each refresh of the board, how many invoices need action and why: a refused
 * invoice's job is a red failed job, but statuses the recipient set later (REJETEE, SUSPENDUE) have no job at all.
 */
class DepositQueueAdapter extends BullMQAdapter {
  needingAction = '';
  override getDescription(): string {
    return this.needingAction ? `${this.needingAction} ${super.getDescription()}` : super.getDescription();
  }
}

function needingActionLine(counts: Record<string, number>): string {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  if (total === 0) return 'No invoice needs action.';
  const reasons = Object.entries(counts)
    .sort(([, a], [, b]) => b - a)
    .map(([reason, n]) => `${n} ${reason}`)
    .join(', ');
  return `${total} invoice(s) need action (${reasons}): GET /v1/invoices?needsAction=true.`;
}

/**
 * A failed job's link to the retry page. Bull Board's typings want a link for every job, but its response schema
 * (`externalUrl: optional`) and its UI take none, which is what a job that has not failed gets.
 */
function retryLink(queue: QueueName): (job: QueueJobJson) => ExternalJobUrl {
  const link = (job: QueueJobJson): ExternalJobUrl | undefined =>
    job.id !== undefined && job.id !== null && job.failedReason ? { href: retryPageHref(BOARD_PATH, queue, String(job.id)), displayText: 'Retry…' } : undefined;
  return link as (job: QueueJobJson) => ExternalJobUrl;
}

/**
 * Job payloads only carry ids, but the board shows whatever a job holds, so the same redaction as the logs
 * runs on data and return values in case a secret or a file ever slips into one.
 */
export function createBoardRouter(ctx: AppContext): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BOARD_PATH);
  const { readOnly } = ctx.config.board;
  // Read-only: Bull Board's own mode hides and refuses every action; a failed job links to our retry page instead.
  const options = (name: QueueName) => ({
    description: DESCRIPTIONS[name],
    readOnlyMode: readOnly,
    allowRetries: true,
    ...(readOnly ? { externalJobUrl: retryLink(name) } : {}),
  });
  const deposit = new DepositQueueAdapter(ctx.queues.deposit, options('deposit'));
  const adapters = QUEUE_NAMES.map((name) => {
    const adapter = name === 'deposit' ? deposit : new BullMQAdapter(ctx.queues[name], options(name));
    adapter.setFormatter('data', (data: unknown) => redact(data));
    adapter.setFormatter('returnValue', (value: unknown) => redact(value));
    return adapter;
  });
  createBullBoard({
    queues: adapters,
    serverAdapter,
    options: { uiConfig: { boardTitle: 'chorus-relay' } },
  });
  const router = express.Router();
  router.use('/api/queues', (_req, _res, next) => {
    needsActionCounts(ctx.orm.em.fork()).then(
      (counts) => {
        deposit.needingAction = needingActionLine(counts);
        next();
      },
      (error: unknown) => {
        // The board still shows the queues when the count cannot be read.
        ctx.logger.warn('Could not count the invoices that need action for the board', { error: error instanceof Error ? error.message : String(error) });
        deposit.needingAction = '';
        next();
      },
    );
  });
  const board = serverAdapter.getRouter() as Router & { disable?: (setting: string) => void };
  // The adapter mounts an Express application of its own, which would announce itself.
  board.disable?.('x-powered-by');
  if (readOnly) router.use(createRetryPageRouter(ctx.queues, BOARD_PATH));
  router.use(board);
  return router;
}
