/**
 * Walking a large selection without holding it: rows in id order, a batch at a time, each batch in a fresh fork
 * (flush changes there). Keyset paging on the id, so rows changed by the caller never shift the next batch.
 */
import type { EntityClass, FilterQuery, FindOptions } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';

const FIRST_UUID = '00000000-0000-0000-0000-000000000000';

export async function* batchesById<T extends { id: string }, P extends string = never>(
  em: EntityManager,
  entity: EntityClass<T>,
  where: FilterQuery<T>,
  options: Pick<FindOptions<T, P>, 'populate'> & { size: number },
): AsyncGenerator<{ em: EntityManager; rows: T[] }> {
  let after = FIRST_UUID;
  for (;;) {
    const fork = em.fork();
    const rows = (await fork.find(
      entity,
      { $and: [where, { id: { $gt: after } }] } as FilterQuery<T>,
      {
        ...(options.populate ? { populate: options.populate } : {}),
        orderBy: { id: 'asc' },
        limit: options.size,
      } as FindOptions<T, P>,
    )) as T[];
    if (rows.length === 0) return;
    after = rows.at(-1)!.id;
    yield { em: fork, rows };
    if (rows.length < options.size) return;
  }
}
