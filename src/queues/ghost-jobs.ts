/**
 * A Redis flush in the middle of a job can leave its hash behind without its data or its state: the running job
 * wrote its progress, its log or its next delay into it afterwards. Such a job never runs, or runs without its row
 * and fails for ever, and an add under its id does nothing while it is there. The sweepers, which rebuild jobs from
 * PostgreSQL, check each job they find with this before trusting it.
 */
import type { Job } from 'bullmq';

/**
 * The job as found, or undefined when there was none or it was a ghost (its data does not name `rowId` under
 * `key`, or it is in no state) and has been removed; 'locked' when a worker still holds the ghost: try next pass.
 */
export async function withoutGhost(
  job: Job | undefined,
  key: string,
  rowId: string,
): Promise<{ job: Job | undefined; ghost: boolean } | 'locked'> {
  if (!job) return { job: undefined, ghost: false };
  const data = job.data as Record<string, unknown> | undefined;
  if (data?.[key] === rowId && (await job.getState()) !== 'unknown') return { job, ghost: false };
  const removed = await job.remove().then(
    () => true,
    () => false,
  );
  return removed ? { job: undefined, ghost: true } : 'locked';
}
