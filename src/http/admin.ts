/** Bull Board at /admin/queues: every queue, behind basic auth, with job data redacted. */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import type { ExternalJobUrl, QueueJobJson } from '@bull-board/api/dist/types.js';
import { ExpressAdapter } from '@bull-board/express';
import express, { type Router } from 'express';
import { needsActionCounts } from '../invoices/listing.js';
import { failingSyncs, type FailingSync } from '../suppliers/sync-health.js';
import type { AppContext } from '../context.js';
import { redact } from '../logger.js';
import { invoiceIdOfJobData, QUEUE_NAMES, type QueueName } from '../queues/jobs.js';
import { createRetryPageRouter, retryPageHref } from './board-retry.js';

export const BOARD_PATH = '/admin/queues';

const DESCRIPTIONS: Record<QueueName, string> = {
  deposit: 'Deposits of invoices with Chorus Pro (job id = invoice id)',
  'deposit-report': 'Follows the Chorus Pro report of each deposited flux (job id = invoice id)',
  'status-sync': 'Periodic, incremental sync of Chorus Pro statuses: one job scheduler per supplier account',
  'follow-ups': 'Recycle, completion and validator corrections sent to Chorus Pro (job id = follow-up id)',
  validations:
    "A main contractor's decisions on its subcontractors' invoices, sent to Chorus Pro (job id = validation id)",
  alerts: 'Fans each alert or status change out to the subscriptions that want it (job id = notification id)',
  deliveries: 'E-mails and signed webhook calls, retried with backoff (job id = delivery id; replay via the API)',
  checks:
    'Hourly look-outs: overdue payments, expiring technical-account passwords, recipients that never report payment',
};

/**
 * A queue card that says, at each refresh of the board, what its jobs alone do not show. The deposit queue: how many
 * invoices need action and why (a refused invoice's job is a red failed job, but statuses the recipient set later,
 * REJETEE or SUSPENDUE, have no job at all). The status-sync queue: which accounts' syncs fail, since when and why
 * (each of their jobs fails on its own; the card says it is the same account).
 */
class LiveDescriptionAdapter extends BullMQAdapter {
  line = '';
  /** Shown as the queue's title, on the overview's card and atop its page, where nothing cuts it off. */
  title = '';
  override getDescription(): string {
    return this.line ? `${this.line} ${super.getDescription()}` : super.getDescription();
  }
  override getDisplayName(): string {
    return this.title || super.getDisplayName();
  }
}

/** The deposit queue's title: how many invoices wait for a person, which no failed job counts. */
function needingActionTitle(counts: Record<string, number>): string {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return total === 0 ? '' : `deposit · ${total} invoice(s) need action`;
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

function failingSyncsLine(failing: FailingSync[]): string {
  if (failing.length === 0) return 'Every supplier account syncs.';
  const accounts = failing
    .map((f) => `${f.siret} since ${f.since.toISOString()}${f.error ? ` (${f.error.slice(0, 160)})` : ''}`)
    .join('; ');
  return `${failing.length} supplier account(s) fail to sync: ${accounts}. GET /v1/suppliers.`;
}

/**
 * A job's link: in read-only mode a failed job's goes to the retry page; otherwise a job about an invoice links to
 * the invoice's page, where its fix is a form. Bull Board's typings want a link for every job, but its response
 * schema (`externalUrl: optional`) and its UI take none, which is what a job about no invoice gets.
 */
function jobLink(queue: QueueName, readOnly: boolean): (job: QueueJobJson) => ExternalJobUrl {
  const link = (job: QueueJobJson): ExternalJobUrl | undefined => {
    if (readOnly && job.id !== undefined && job.id !== null && job.failedReason)
      return { href: retryPageHref(BOARD_PATH, queue, String(job.id)), displayText: 'Retry…' };
    const invoiceId = invoiceIdOfJobData(job.data);
    return invoiceId
      ? { href: `/app/invoices/${encodeURIComponent(invoiceId)}`, displayText: 'Invoice page' }
      : undefined;
  };
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
    externalJobUrl: jobLink(name, readOnly),
  });
  const deposit = new LiveDescriptionAdapter(ctx.queues.deposit, options('deposit'));
  const statusSync = new LiveDescriptionAdapter(ctx.queues['status-sync'], options('status-sync'));
  const adapters = QUEUE_NAMES.map((name) => {
    const adapter =
      name === 'deposit'
        ? deposit
        : name === 'status-sync'
          ? statusSync
          : new BullMQAdapter(ctx.queues[name], options(name));
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
    Promise.all([needsActionCounts(ctx.orm.em.fork()), failingSyncs(ctx.orm.em.fork())]).then(
      ([counts, failing]) => {
        deposit.line = needingActionLine(counts);
        deposit.title = needingActionTitle(counts);
        statusSync.line = failingSyncsLine(failing);
        next();
      },
      (error: unknown) => {
        // The board still shows the queues when the counts cannot be read.
        ctx.logger.warn('Could not read what the board says beside the queues', {
          error: error instanceof Error ? error.message : String(error),
        });
        deposit.line = '';
        deposit.title = '';
        statusSync.line = '';
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
