/**
 * What a failed job leaves in Redis and shows in Bull Board, its reason and its stack, says what failed without the
 * SQL statement or its parameter values: a database error is told by its SQLSTATE code, constraint and table.
 */
import { Queue, Worker, type Job, type Processor } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from '../../src/queues/redis.js';
import { boardSafe } from '../../workers/worker.js';
import { createHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ http: false });
});
afterAll(() => h.close());

const SECRET_VALUE = 'IBAN-FR76-3000-4000-5000-SECRET';

/**
 * Runs one job through a real worker whose processor runs a statement that fails, and returns the job as Redis keeps
 * it.
 */
async function failedJob(wrap: (processor: Processor) => Processor): Promise<Job> {
  const name = `failing-${Math.random().toString(36).slice(2, 8)}`;
  const connection = createRedis(h.config.redis);
  const queue = new Queue(name, { connection, prefix: h.config.queuePrefix });
  const failing = async () => {
    await h.ctx.orm.em
      .fork()
      .getConnection()
      .execute('insert into supplier_account (id, siret, chorus_login) values (?, ?, ?)', [
        'not-a-uuid',
        '1',
        SECRET_VALUE,
      ]);
  };
  const worker = new Worker(name, wrap(failing), { connection, prefix: h.config.queuePrefix });
  try {
    const job = await queue.add('one', {});
    await expect.poll(async () => job.getState(), { timeout: 10_000 }).toBe('failed');
    return (await queue.getJob(job.id!))!;
  } finally {
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
    await connection.quit();
  }
}

describe('a job that fails on a database error', () => {
  it('keeps its SQLSTATE, constraint and table, not the statement nor its values', async () => {
    const job = await failedJob((processor) => boardSafe(processor));
    const kept = `${job.failedReason}\n${(job.stacktrace ?? []).join('\n')}`;
    expect(job.failedReason).toMatch(/^Database error 22P02/);
    expect(kept).not.toContain('insert into');
    expect(kept).not.toContain(SECRET_VALUE);
    expect(kept).not.toContain('not-a-uuid');
  });

  it('would show both without it (the check above can fail)', async () => {
    const job = await failedJob((processor) => processor);
    expect(`${job.failedReason}\n${(job.stacktrace ?? []).join('\n')}`).toMatch(/insert into supplier_account/);
  });
});
