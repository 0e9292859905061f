/**
 * One decision, for every processor, of what a Chorus Pro failure means for the job. In order:
 * 1. rate-limited: Chorus asked everyone to slow down; wait `Retry-After` without spending an attempt.
 * 2. auth: the supplier's technical account (or our PISTE application) is refused; retrying would hammer a
 *    locked door, so the supplier account is paused and its jobs wait for new credentials.
 * 3. business: Chorus said no; the same request gets the same answer, so no retry.
 * 4. transient, maybe delivered: the request may have arrived; never resend blindly, look it up first.
 * 5. a request we built that breaks the contract: our bug; the same request would be refused again, so no retry.
 * 6. anything else transient (network, 5xx, our own database): retry with BullMQ's backoff.
 */
import { DelayedError, type Job } from 'bullmq';
import {
  ChorusAuthError,
  ChorusBusinessError,
  ChorusRateLimitError,
  ChorusRequestInvalidError,
  ChorusTransientError,
} from '../chorus/errors.js';
import { systemClock } from '../shared/clock.js';

export type FailureDecision =
  | { action: 'wait'; ms: number; reason: string }
  | { action: 'pause-supplier'; reason: string }
  | { action: 'give-up'; reason: string }
  | { action: 'look-up'; reason: string }
  | { action: 'bug'; reason: string; error: ChorusRequestInvalidError }
  | { action: 'retry'; reason: string };

export function decide(error: unknown): FailureDecision {
  if (error instanceof ChorusRateLimitError) return { action: 'wait', ms: error.retryAfterMs, reason: error.message };
  if (error instanceof ChorusAuthError) return { action: 'pause-supplier', reason: error.message };
  if (error instanceof ChorusBusinessError) return { action: 'give-up', reason: error.message };
  if (error instanceof ChorusTransientError && error.maybeDelivered)
    return { action: 'look-up', reason: error.message };
  if (error instanceof ChorusRequestInvalidError) return { action: 'bug', reason: error.message, error };
  return { action: 'retry', reason: error instanceof Error ? error.message : String(error) };
}

/** Puts the job back in the delayed set without spending an attempt or holding a worker slot. */
export async function postpone(job: Job, token: string | undefined, ms: number): Promise<never> {
  // BullMQ compares the delay with Redis's own time, so it is the machine's clock, not the relay's.
  await job.moveToDelayed(systemClock.now().getTime() + Math.max(0, Math.round(ms)), token);
  throw new DelayedError();
}

/** Whether a failure now ends the job (BullMQ will not try again). */
export function isLastAttempt(job: Job): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}
