/** The lists users work from: filters, sort, cursor pages, the CSV export and the dashboard counts. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Invoice } from '../../src/db/entities/invoice.js';
import { CSV_COLUMNS } from '../../src/http/presenters.js';
import { actionRequiredOf } from '../../src/invoices/action-required.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { invoiceBody, jsonInit, supplierBody } from '../helpers/invoices.js';

let h: Harness;
const ids: Record<string, string> = {};

/** Six invoices in the places users look for them; the states are set through the ORM, as the workers do. */
const FIXTURES = {
  available: {
    amount: '1200.00',
    recipient: '11000201100044',
    bdc: 'BDC-A',
    issued: '2026-10-01',
    state: 'integrated',
    status: 'MISE_A_DISPOSITION',
    deposited: '2026-11-10T09:00:00Z',
  },
  suspended: {
    amount: '600.00',
    recipient: '21750001600019',
    bdc: 'BDC-B',
    issued: '2026-10-15',
    state: 'integrated',
    status: 'SUSPENDUE',
    deposited: '2026-11-12T09:00:00Z',
  },
  precheck: {
    amount: '2400.00',
    recipient: '21750001600019',
    bdc: null,
    issued: '2026-11-01',
    state: 'precheck_failed',
    status: null,
    deposited: null,
  },
  rejected: {
    amount: '120.00',
    recipient: '11000201100044',
    bdc: 'BDC-A',
    issued: '2026-11-02',
    state: 'integrated',
    status: 'REJETEE',
    deposited: '2026-11-05T09:00:00Z',
  },
  paid: {
    amount: '3600.00',
    recipient: '26750045200011',
    bdc: 'BDC-C',
    issued: '2026-09-01',
    state: 'integrated',
    status: 'MISE_EN_PAIEMENT',
    deposited: '2026-09-03T09:00:00Z',
  },
  queued: {
    amount: '240.00',
    recipient: '11000201100044',
    bdc: 'BDC-D',
    issued: '2026-11-20',
    state: 'queued',
    status: null,
    deposited: null,
  },
} as const;

beforeAll(async () => {
  h = await createHarness();
  expect((await h.api('/v1/suppliers', jsonInit(supplierBody()))).status).toBe(201);
  for (const [key, f] of Object.entries(FIXTURES)) {
    const vat = (Number(f.amount) / 6).toFixed(2);
    const net = (Number(f.amount) - Number(vat)).toFixed(2);
    const body = await invoiceBody({
      recipientSiret: f.recipient,
      engagementNumber: f.bdc,
      issueDate: f.issued,
      amountWithoutVat: net,
      vatAmount: vat,
      amountWithVat: f.amount,
      serviceCode: null,
    });
    const res = await h.api('/v1/invoices', jsonInit(body));
    expect(res.status, await res.clone().text()).toBe(202);
    ids[key] = ((await res.json()) as { id: string }).id;
  }
  const em = h.ctx.orm.em.fork();
  for (const [key, f] of Object.entries(FIXTURES)) {
    const invoice = await em.findOneOrFail(Invoice, ids[key]!);
    invoice.state = f.state;
    invoice.chorusStatus = f.status;
    invoice.chorusStatusAt = f.status ? new Date('2026-11-21T10:00:00Z') : null;
    invoice.depositedAt = f.deposited ? new Date(f.deposited) : null;
    // Kept by the lifecycle in the product; set here with the same rule, since these rows skip the pipeline.
    invoice.actionRequired = actionRequiredOf({
      state: invoice.state,
      chorusStatus: invoice.chorusStatus,
      correctedBy: null,
      supplierPaused: false,
    });
  }
  await em.flush();
});
afterAll(async () => {
  await h.close();
});

async function list(
  query: string,
): Promise<{ data: Array<{ id: string; number: string; amountWithVat: string }>; nextCursor: string | null }> {
  const res = await h.api(`/v1/invoices?${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as never;
}
const keysOf = (page: { data: Array<{ id: string }> }) =>
  page.data.map((i) => Object.keys(ids).find((k) => ids[k] === i.id)).sort();

describe('GET /v1/invoices', () => {
  it.each([
    ['needsAction=true', ['precheck', 'rejected', 'suspended']],
    ['needsAction=false', ['available', 'paid', 'queued']],
    ['actionReason=suspended,precheck_failed', ['precheck', 'suspended']],
    ['stage=made_available', ['available']],
    ['stage=on_hold,rejected', ['rejected', 'suspended']],
    ['status=MISE_EN_PAIEMENT', ['paid']],
    ['state=queued,precheck_failed', ['precheck', 'queued']],
    ['recipientSiret=21750001600019', ['precheck', 'suspended']],
    ['engagementNumber=BDC-A', ['available', 'rejected']],
    ['issuedFrom=2026-10-01&issuedTo=2026-11-01', ['available', 'precheck', 'suspended']],
    ['depositedFrom=2026-11-01&depositedTo=2026-11-11', ['available', 'rejected']],
    ['supplierSiret=73282932000074&stage=completed', ['paid']],
    ['supplierSiret=44306184100047', []],
  ])('filters with %s', async (query, expected) => {
    expect(keysOf(await list(query))).toEqual(expected);
  });

  it('walks every invoice once through cursor pages, in the order asked', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await list(`sort=-amountWithVat&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.data.map((i) => i.amountWithVat));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(['3600.00', '2400.00', '1200.00', '600.00', '240.00', '120.00']);
    const byNumber = await list('sort=number&limit=200');
    expect(byNumber.data.map((i) => i.number)).toEqual([...byNumber.data.map((i) => i.number)].sort());
    expect(byNumber.nextCursor).toBeNull();
  });

  it('refuses bad filters, sorts and cursors with the parameter named', async () => {
    for (const [query, path] of [
      ['stage=paid', 'stage.0'],
      ['sort=price', 'sort'],
      ['limit=0', 'limit'],
      ['issuedFrom=2026-13-01', 'issuedFrom'],
      ['colour=red', ''],
    ] as const) {
      const res = await h.api(`/v1/invoices?${query}`);
      expect(res.status, query).toBe(422);
      const error = ((await res.json()) as { error: { code: string; details: Array<{ path: string }> } }).error;
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.details[0]?.path).toBe(path);
    }
    const first = await list('sort=createdAt&limit=1');
    const otherSort = await h.api(`/v1/invoices?sort=number&cursor=${first.nextCursor}`);
    expect(otherSort.status).toBe(422);
    expect(((await otherSort.json()) as { error: { code: string } }).error.code).toBe('INVALID_CURSOR');
    expect((await h.api('/v1/invoices?cursor=not-a-cursor')).status).toBe(422);
  });

  it('exports the whole selection as CSV with the columns users expect first', async () => {
    const res = await h.api('/v1/invoices?needsAction=true&sort=amountWithVat&limit=1', {
      headers: { accept: 'text/csv' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="?invoices.csv"?$/);
    const bytes = Buffer.from(await res.arrayBuffer());
    // Excel opens UTF-8 only with its byte order mark.
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').trimEnd().split('\r\n');
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    expect(lines[0]!.split(',').slice(0, 7)).toEqual([
      'invoice_number',
      'bdc_number',
      'amount_with_vat',
      'currency',
      'recipient_siret',
      'last_update',
      'chorus_status',
    ]);
    // limit is for pages: the export holds every match.
    expect(lines).toHaveLength(4);
    const rows = lines.slice(1).map((l) => l.split(','));
    expect(rows.map((r) => r[2])).toEqual(['120.00', '600.00', '2400.00']);
    expect(rows[0]!.slice(1, 7)).toEqual([
      'BDC-A',
      '120.00',
      'EUR',
      '11000201100044',
      '2026-11-21T10:00:00.000Z',
      'REJETEE',
    ]);
    expect(rows[2]!.slice(1, 7)).toEqual(['', '2400.00', 'EUR', '21750001600019', rows[2]![5], '']);
    // The stage as its code, then its French label in a column of its own (REJETEE is rejected, SUSPENDUE on hold).
    expect(rows.map((r) => [r[7], r[8]])).toEqual([
      ['rejected', 'Rejetée'],
      ['on_hold', 'Mise en attente'],
      ['', ''],
    ]);
    expect(rows.map((r) => r[9])).toEqual(['rejected_by_recipient', 'suspended', 'precheck_failed']);
  });
});

describe('GET /v1/stats', () => {
  it('counts per stage, state and needs-action reason', async () => {
    const stats = (await (await h.api('/v1/stats')).json()) as Record<string, unknown>;
    expect(stats).toEqual({
      total: 6,
      byStage: {
        deposited: 0,
        on_hold: 1,
        rejected: 1,
        accepted: 0,
        made_available: 1,
        in_payment: 0,
        completed: 1,
        not_in_chorus: 2,
        unknown_status: 0,
      },
      byState: { integrated: 4, precheck_failed: 1, queued: 1 },
      needsAction: { total: 3, byReason: { suspended: 1, precheck_failed: 1, rejected_by_recipient: 1 } },
      suppliersSyncFailing: 0,
    });
    expect(((await (await h.api('/v1/stats?supplierSiret=73282932000074')).json()) as { total: number }).total).toBe(6);
    expect((await h.api('/v1/stats?supplierSiret=44306184100047')).status).toBe(404);
    const bad = await h.api('/v1/stats?supplierSiret=123&colour=red');
    expect(bad.status).toBe(422);
    expect(
      ((await bad.json()) as { error: { details: Array<{ path: string }> } }).error.details.map((d) => d.path).sort(),
    ).toEqual(['', 'supplierSiret']);
  });
});
