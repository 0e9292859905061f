/**
 * Retry on a read-only board. Bull Board 9 cannot hide every action but retry: its read-only mode turns retries
 * off with the rest (base adapter: `allowRetries = readOnlyMode ? false : ...`) and its UI hides a job's whole
 * action list. So with BOARD_READ_ONLY the queues are in Bull Board's own read-only mode (every action hidden
 * and refused by Bull Board itself), and each failed job shows a "Retry" link to this page of ours: it names the
 * job and its failure, and its one button retries that job, and nothing else.
 */
import express, { type Router } from 'express';
import type { Job, Queue } from 'bullmq';
import type { Queues } from '../queues/queues.js';
import { QUEUE_NAMES, type QueueName } from '../queues/jobs.js';

/** Under the board's path, so the board's basic auth and same-origin check guard it. */
export const RETRY_PAGE_PATH = '/read-only/retry';

/** Where a failed job's "Retry" link points, from the board's root. */
export function retryPageHref(boardPath: string, queue: QueueName, jobId: string): string {
  return `${boardPath}${RETRY_PAGE_PATH}/${encodeURIComponent(queue)}/${encodeURIComponent(jobId)}`;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);

function page(title: string, body: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:42rem;margin:3rem auto;padding:0 1rem;color:#1f2933}pre{white-space:pre-wrap;background:#f3f4f6;padding:.75rem}button{font-size:1rem;padding:.5rem 1.25rem}</style>
</head><body>${body}</body></html>`;
}

const isQueueName = (name: string): name is QueueName => (QUEUE_NAMES as readonly string[]).includes(name);

export function createRetryPageRouter(queues: Queues, boardPath: string): Router {
  const router = express.Router();
  const backToQueue = (queue: QueueName) => `${boardPath}/queue/${encodeURIComponent(queue)}?status=failed`;

  const back = (queue: QueueName) => `<p><a href="${escapeHtml(backToQueue(queue))}">Back to the board</a></p>`;

  /** A route on one job of one of our queues; an unknown queue or job gets the same 404 page. */
  const onJob =
    (
      handle: (job: Job, queue: QueueName, res: express.Response) => Promise<void>,
    ): express.RequestHandler<{ queue: string; jobId: string }> =>
    async (req, res) => {
      const queueName = req.params.queue;
      const job = isQueueName(queueName) ? await (queues[queueName] as Queue).getJob(req.params.jobId) : undefined;
      if (!job || !isQueueName(queueName)) {
        res
          .status(404)
          .type('html')
          .send(
            page(
              'Job not found',
              '<h1>Job not found</h1><p>No such job in this queue: it may have been removed since the board was loaded.</p>',
            ),
          );
        return;
      }
      await handle(job, queueName, res);
    };

  router.get(
    `${RETRY_PAGE_PATH}/:queue/:jobId`,
    onJob(async (job, queueName, res) => {
      const state = await job.getState();
      const heading = `<h1>Job ${escapeHtml(job.id ?? '')} of the ${escapeHtml(queueName)} queue</h1>`;
      if (state !== 'failed') {
        res
          .type('html')
          .send(
            page(
              'Nothing to retry',
              `${heading}<p>This job is ${escapeHtml(state)}, not failed: there is nothing to retry.</p>${back(queueName)}`,
            ),
          );
        return;
      }
      res.type('html').send(
        page(
          `Retry job ${job.id ?? ''}`,
          `${heading}<p>Failed after ${job.attemptsMade} attempt(s):</p><pre>${escapeHtml(job.failedReason ?? '')}</pre>
<p>The board is read-only (BOARD_READ_ONLY=true): retrying a failed job is the one action it allows.</p>
<form method="post"><button type="submit">Retry this job</button></form>
${back(queueName)}`,
        ),
      );
    }),
  );

  router.post(
    `${RETRY_PAGE_PATH}/:queue/:jobId`,
    onJob(async (job, queueName, res) => {
      if ((await job.getState()) === 'failed') await job.retry('failed');
      res.redirect(303, backToQueue(queueName));
    }),
  );

  return router;
}
