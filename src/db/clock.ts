/**
 * The clock of a unit of work. The ORM is built with the process's clock (initOrm); every EntityManager forked
 * from it shares its configuration, so code that writes through an EntityManager reads the same time the rows are
 * stamped with (`createdAt`, `updatedAt`, a timeline line's `at`), without a second clock to pass along.
 */
import type { Configuration, EntityManager } from '@mikro-orm/core';
import { systemClock, type Clock } from '../shared/clock.js';

const clocks = new WeakMap<Configuration, Clock>();

/** Called once by initOrm: the ORM's forks read `clock` from then on. */
export function bindClock(config: Configuration, clock: Clock): void {
  clocks.set(config, clock);
}

/** The clock the ORM behind `em` was built with; the machine's for an ORM built without one (migrations). */
export function clockOf(em: Pick<EntityManager, 'config'>): Clock {
  return clocks.get(em.config) ?? systemClock;
}

/** For `@Property({ onCreate: stampNow })` and `onUpdate`: the row's time from its unit of work's clock. */
export const stampNow = (_entity: unknown, em: EntityManager): Date => clockOf(em).now();
