/**
 * The relay reads the time from the clock it is given, never from the machine behind its back: a test that moves
 * that clock days ahead sees every date the relay writes move with it (rows stamped at flush, timeline lines, an
 * error's date, the audit trail, a key's revocation). Nothing here deposits: the simulator is not involved.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Invoice } from '../../src/db/entities/invoice.js';
import { transition } from '../../src/invoices/lifecycle.js';
import { createHarness, simulatorEnv, type Harness } from '../helpers/harness.js';
import { invoiceBody, jsonInit, supplierBody } from '../helpers/invoices.js';

const DAY = 86_400_000;
let offsetMs = 3 * DAY;
const clock = { now: () => new Date(Date.now() + offsetMs) };
let h: Harness;

/** The instants the relay's clock showed over `during`, to bound what it wrote meanwhile. */
async function between<T>(during: () => Promise<T>): Promise<{ result: T; from: number; to: number }> {
  const from = clock.now().getTime();
  const result = await during();
  return { result, from, to: clock.now().getTime() };
}

function expectWithin(iso: unknown, window: { from: number; to: number }, what: string): void {
  expect(typeof iso, what).toBe('string');
  const at = Date.parse(iso as string);
  expect(at, `${what} (${String(iso)}) within the relay's clock`).toBeGreaterThanOrEqual(window.from);
  expect(at, `${what} (${String(iso)}) within the relay's clock`).toBeLessThanOrEqual(window.to);
}

beforeAll(async () => {
  // No Chorus Pro call is made here; the address only has to be well formed.
  h = await createHarness({ env: simulatorEnv({ url: 'http://127.0.0.1:9' }), clock, http: true });
});

afterAll(async () => {
  await h?.close();
});

describe('the relay clock', () => {
  it('dates what the intake writes, and moves updatedAt when a row changes later', async () => {
    const supplier = await between(() => h.api('/v1/suppliers', jsonInit(supplierBody())));
    expect(supplier.result.status).toBe(201);
    const account = (await supplier.result.json()) as Record<string, unknown>;
    expectWithin(account.createdAt, supplier, 'supplier createdAt');
    expectWithin(account.updatedAt, supplier, 'supplier updatedAt');

    const intake = await between(async () => h.api('/v1/invoices', jsonInit(await invoiceBody())));
    expect(intake.result.status).toBe(202);
    const created = (await intake.result.json()) as { id: string; createdAt: string; updatedAt: string };
    expectWithin(created.createdAt, intake, 'invoice createdAt');
    expectWithin(created.updatedAt, intake, 'invoice updatedAt');

    const read = (await (await h.api(`/v1/invoices/${created.id}`)).json()) as {
      events: { type: string; at: string }[];
    };
    const received = read.events.find((e) => e.type === 'received');
    expectWithin(received?.at, intake, 'the timeline line "received"');

    // Two days later, a pre-check refuses the invoice: the row's updatedAt and the error's date follow the clock.
    offsetMs += 2 * DAY;
    const refused = await between(async () => {
      const em = h.ctx.orm.em.fork();
      const invoice = await em.findOneOrFail(Invoice, created.id);
      transition(em, invoice, 'precheck-failed', { message: 'A rule refused it.' }, { errorCode: 'TEST_RULE' });
      await em.flush();
    });
    const after = (await (await h.api(`/v1/invoices/${created.id}`)).json()) as {
      createdAt: string;
      updatedAt: string;
      state: string;
      lastError: { code: string; at: string } | null;
      events: { type: string; at: string }[];
    };
    expect(after.state).toBe('precheck_failed');
    expect(after.createdAt).toBe(created.createdAt);
    expectWithin(after.updatedAt, refused, 'invoice updatedAt after the change');
    expect(after.lastError?.code).toBe('TEST_RULE');
    expectWithin(after.lastError?.at, refused, 'lastError.at');
    expectWithin(after.events.at(-1)?.at, refused, 'the timeline line of the refusal');
  });

  it('dates API keys, their revocation and the audit trail', async () => {
    offsetMs += DAY;
    const made = await between(() =>
      h.api('/v1/api-keys', jsonInit({ name: 'clock test', role: 'reader', supplierSirets: null })),
    );
    expect(made.result.status).toBe(201);
    const key = (await made.result.json()) as { id: string; createdAt: string };
    expectWithin(key.createdAt, made, 'key createdAt');

    offsetMs += DAY;
    const revoked = await between(() => h.api(`/v1/api-keys/${key.id}`, { method: 'DELETE' }));
    expect(revoked.result.status).toBe(200);
    const gone = (await revoked.result.json()) as { revokedAt: string };
    expectWithin(gone.revokedAt, revoked, 'key revokedAt');

    const audit = (await (await h.api('/v1/audit?limit=10')).json()) as {
      data: { method: string; route: string; at: string; target: string | null }[];
    };
    const line = audit.data.find((e) => e.method === 'DELETE' && e.target === key.id);
    expectWithin(line?.at, revoked, 'the audit line of the revocation');
  });
});
