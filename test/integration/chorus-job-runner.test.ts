/**
 * The runner of jobs that call Chorus Pro: nothing fallible between committing a deposit as `sending` and sending
 * it (3c), and the job's signal reaching the HTTP request.
 */
import { UnrecoverableError } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChorusTransientError } from '../../src/chorus/errors.js';
import { DepositAttempt } from '../../src/db/entities/deposit-attempt.js';
import { Invoice } from '../../src/db/entities/invoice.js';
import { makeDepositProcessor } from '../../workers/processors/deposit.js';
import { SUPPLIER } from '../helpers/chorus.js';
import { createPipelineHarness, read, submit, type PipelineHarness } from '../helpers/pipeline.js';

let p: PipelineHarness;
beforeAll(async () => {
  // No worker: the test runs the processor itself.
  p = await createPipelineHarness();
});
afterAll(async () => {
  await p.close();
});

describe('a deposit job that Redis lost while it ran (3c)', () => {
  it('still deposits once and records it: job logs and progress are not allowed to fail the deposit', async () => {
    const submitted = await submit(p.h);
    const job = (await p.h.ctx.queues.deposit.getJob(submitted.id))!;
    // What a flush of Redis does to a job in flight: its key is gone, so updateProgress and log would throw.
    await job.remove();
    await expect(job.updateProgress(1)).rejects.toThrow();
    const deposit = makeDepositProcessor(p.h.ctx);
    const result = await deposit(job, undefined, undefined);
    expect(result.outcome).toBe('deposited');
    const invoice = await read(p.h, submitted.id);
    expect(invoice.state).toBe('awaiting_report');
    expect(p.simulator.world.depositsByInvoiceNumber.get(invoice.number)).toBe(1);
    const attempts = await p.h.ctx.orm.em.fork().find(DepositAttempt, { invoice: submitted.id });
    expect(attempts.map((a) => a.phase)).toEqual(['sent']);
  });
});

describe('two runs of one deposit job at once (Redis lost the job lock in a failover and the job was taken again)', () => {
  it('deposit once: the run that writes second finds the attempt changed and sends nothing', async () => {
    const connection = p.h.ctx.orm.em.getConnection();
    // The first run pauses inside its `sending` write, holding the attempt's row: the second run reads the attempt
    // as `prepared` meanwhile, as it would while the first waited for its token or the rate limit.
    await connection.execute(`
      create function hold_sending() returns trigger language plpgsql as $$
      begin
        if new.phase = 'sending' and new.number = 1 then perform pg_sleep(1.5); end if;
        return new;
      end $$;
      create trigger hold_sending before update on deposit_attempt for each row execute function hold_sending();`);
    try {
      const submitted = await submit(p.h);
      const job = (await p.h.ctx.queues.deposit.getJob(submitted.id))!;
      const deposit = makeDepositProcessor(p.h.ctx);
      const first = deposit(job, undefined, undefined);
      const sleeping = async () => {
        const [row] = await connection.execute<Array<{ n: number }>>(
          `select count(*)::int as n from pg_stat_activity where wait_event = 'PgSleep'`,
        );
        return row?.n;
      };
      await expect.poll(sleeping, { timeout: 15_000, interval: 20 }).toBe(1);
      const second = deposit(job, undefined, undefined);
      const [a, b] = await Promise.allSettled([first, second]);
      expect(a.status === 'fulfilled' ? a.value.outcome : a.reason).toBe('deposited');
      expect(b.status).toBe('rejected');
      expect(p.simulator.world.depositsByInvoiceNumber.get(submitted.number)).toBe(1);
      const attempts = await p.h.ctx.orm.em.fork().find(DepositAttempt, { invoice: submitted.id });
      expect(attempts.map((attempt) => attempt.phase)).toEqual(['sent']);
      expect((await read(p.h, submitted.id)).state).toBe('awaiting_report');
    } finally {
      await connection.execute('drop trigger hold_sending on deposit_attempt; drop function hold_sending();');
    }
  });
});

describe('a request we built that breaks the Chorus Pro contract (3d)', () => {
  it('is never sent nor retried: needs_attention naming the field, and the job fails for good', async () => {
    const submitted = await submit(p.h);
    // A value outside the Swagger's syntaxeFlux enum, as a defect of ours would store it.
    await p.h.ctx.orm.em
      .fork()
      .nativeUpdate(Invoice, { id: submitted.id }, { syntaxeFlux: 'IN_DP_E9_NOT_IN_SWAGGER' as never });
    const job = (await p.h.ctx.queues.deposit.getJob(submitted.id))!;
    const calls = p.simulator.counter.byEndpoint.get('deposerFlux') ?? 0;
    const deposit = makeDepositProcessor(p.h.ctx);
    await expect(deposit(job, undefined, undefined)).rejects.toBeInstanceOf(UnrecoverableError);
    const invoice = await read(p.h, submitted.id);
    expect(invoice.state).toBe('needs_attention');
    expect(invoice.lastError?.code).toBe('INVALID_CHORUS_REQUEST');
    expect(invoice.lastError?.message).toMatch(/field syntaxeFlux/);
    expect(invoice.actionRequired?.reason).toBe('deposit_failed');
    expect(p.simulator.counter.byEndpoint.get('deposerFlux') ?? 0).toBe(calls);
    const attempts = await p.h.ctx.orm.em.fork().find(DepositAttempt, { invoice: submitted.id });
    expect(attempts.map((a) => a.phase)).toEqual(['not_sent']);
  });
});

describe('the job signal', () => {
  it('aborts a deposit under way, which is then an unknown outcome to look up, not a failure to resend', async () => {
    await fetch(`${p.simulator.url}/simulator/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ endpoints: { deposerFlux: { latencyMs: 5_000 } } }),
    });
    try {
      const controller = new AbortController();
      const before = p.simulator.counter.byEndpoint.get('deposerFlux') ?? 0;
      const started = Date.now();
      const call = p.h.ctx.chorus.sandbox!.client.deposerFlux(
        { ...SUPPLIER, signal: controller.signal },
        { fichierFlux: Buffer.from('x'), nomFichier: 'x.xml', syntaxeFlux: 'IN_DP_E1_UBL_INVOICE' },
      );
      const outcome = call.then(
        () => null,
        (error: unknown) => error,
      );
      // Once the request has reached Chorus Pro (the simulator counted it), the job is stopped.
      await expect
        .poll(() => p.simulator.counter.byEndpoint.get('deposerFlux') ?? 0, { timeout: 5_000, interval: 20 })
        .toBe(before + 1);
      controller.abort(new Error('worker closing'));
      const error = await outcome;
      expect(error).toBeInstanceOf(ChorusTransientError);
      expect((error as ChorusTransientError).maybeDelivered).toBe(true);
      // It did not wait for the simulator's answer.
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await fetch(`${p.simulator.url}/simulator/faults`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
    }
  });
});
