/**
 * The relay's clock and the simulator's, moved forward together (never back): a test of 15-day or 7-day rules
 * jumps days ahead instead of sleeping. Pass `clock` to the harness; `advance` moves both.
 */
import { expect } from 'vitest';
import type { Clock } from '../../src/shared/clock.js';

export interface MovingClocks {
  clock: Clock;
  advance: (ms: number) => Promise<void>;
}

export function movingClocks(simulatorUrl: () => string): MovingClocks {
  let offsetMs = 0;
  return {
    clock: { now: () => new Date(Date.now() + offsetMs) },
    async advance(ms: number) {
      offsetMs += ms;
      const res = await fetch(`${simulatorUrl()}/simulator/clock/advance`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ms }),
      });
      expect(res.status).toBe(200);
    },
  };
}
