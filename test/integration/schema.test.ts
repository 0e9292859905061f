/**
 * The migrations build exactly the schema the entities describe: no column, type, default, index or foreign key
 * that one has and the other lacks (MikroORM's schema comparison finds nothing to change). A migration that drifts
 * from its entity fails here, not in production.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

describe('the database schema', () => {
  it('is the one the entities describe, once every migration ran', async () => {
    expect(await h.ctx.orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false })).toBe('');
  });
});
