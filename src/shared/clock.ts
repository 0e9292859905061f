/**
 * Where the relay reads the time. Domain code takes a `Clock` handed in by the composition root (or the clock of
 * the unit of work it writes through, see src/db/clock.ts), so tests move it days ahead instead of sleeping and a
 * row's dates agree with the dates written inside it.
 *
 * `systemClock` is the machine's clock: the default, and the one code imports directly where an outside party
 * compares our time with its own (webhook signature timestamps, HTTP dates, expiries shared through Redis, BullMQ
 * delays). Moving those with a test's clock would break the other side, not test ours. Durations measured inside
 * one process (caches, timings) use `performance.now()`, which no clock change can bend.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
