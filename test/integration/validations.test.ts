/**
 * A main contractor validates its subcontractors' invoices (frame A9), end to end through the simulator. What is
 * expected comes from docs/chorus-pro-notes.md, "The validation circuit" and the Swagger: a subcontractor's invoice
 * waits in A_VALIDER_1 in its validator's inbox (rechercher/aTraiter/valideur); traiter/factureAValider approves it
 * (VALIDEE_1, then on to the buyer) or refuses it with a reason (REFUSEE_1); 15 days of silence count as validation
 * (ABSENCE_VALIDATION_1_HORS_DELAI). The relay's and the simulator's clocks move together, forward only.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Validation } from '../../src/db/entities/validation.js';
import { Notification } from '../../src/db/entities/notification.js';
import { emailFor } from '../../src/alerts/messages.js';
import { validationViewSchema } from '../../src/http/schemas.js';
import type { NotificationEvent } from '../../src/alerts/events.js';
import { startWorker, type RunningWorker } from '../../workers/worker.js';
import { jsonInit, SUPPLIER_SIRET } from '../helpers/invoices.js';
import { HOLDER, registerMainContractor, subcontractorInvoice } from '../helpers/btp.js';
import { movingClocks } from '../helpers/clocks.js';
import { startSmtpServer, startWebhookReceiver } from '../helpers/receivers.js';
import { createPipelineHarness, read, settled, type PipelineHarness } from '../helpers/pipeline.js';

const DAY = 86_400_000;
let p: PipelineHarness;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
/** Both clocks forward: the simulator's (its 15 days) and the relay's (its reminders). */
const { clock, advance } = movingClocks(() => p.simulator.url);
let worker: RunningWorker;

interface ValidationState {
  id: string;
  validatorSiret: string;
  invoice: {
    number: string;
    supplierSiret: string;
    amountWithVat: string | null;
    frame: string | null;
    depositedAt: string;
  };
  chorusStatus: string;
  stage: string;
  waitingFor: string | null;
  deadline: string;
  decision: { action: string; text: string | null; state: string } | null;
  remindersSent: string[];
  timeline?: Array<{ type: string; message: string }>;
}

beforeAll(async () => {
  smtp = await startSmtpServer();
  hook = await startWebhookReceiver();
  p = await createPipelineHarness({
    clock,
    env: { CHECKS_INTERVAL_SECONDS: '0.5', SMTP_URL: smtp.url, DELIVERY_BACKOFF_SECONDS: '0.2' },
  });
  await registerMainContractor(p);
  // The main contractor's accountant and its platform: the alerts by default.
  for (const channel of [
    { channel: 'email', emails: ['compta@eg-dubois.fr'] },
    { channel: 'webhook', url: hook.url },
  ]) {
    expect((await p.h.api('/v1/subscriptions', jsonInit({ supplierSiret: HOLDER, ...channel }))).status).toBe(201);
  }
  worker = startWorker(p.h.ctx);
});
afterAll(async () => {
  await worker.stop();
  await p.close();
  await Promise.all([smtp.close(), hook.close()]);
});

async function submitted(number: string): Promise<string> {
  const res = await p.h.api('/v1/invoices', jsonInit(subcontractorInvoice(number)));
  expect(res.status, await res.clone().text()).toBe(202);
  const { id } = (await res.json()) as { id: string };
  await settled(p.h, id, ['integrated'], 30_000);
  return id;
}

async function validations(query = ''): Promise<ValidationState[]> {
  const res = await p.h.api(`/v1/validations${query}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: ValidationState[] }).data;
}
const validationOf = async (number: string) => (await validations()).find((v) => v.invoice.number === number);
const detail = async (id: string) => (await (await p.h.api(`/v1/validations/${id}`)).json()) as ValidationState;
const simInvoice = (number: string) => [...p.simulator.world.invoices.values()].find((i) => i.number === number)!;
const alerts = (event: NotificationEvent) =>
  p.h.ctx.orm.em.fork().find(Notification, { event }, { orderBy: { createdAt: 'asc' } });
const calls = (endpoint: string) => p.simulator.counter.byEndpoint.get(endpoint) ?? 0;
const statusSyncsDone = async () => (await p.h.ctx.queues['status-sync'].getJobCounts('completed')).completed ?? 0;

const numbers = { approved: 'ST-A9-001', refused: 'ST-A9-002', silent: 'ST-A9-003' };
const ids: Record<string, string> = {};

describe('a subcontractor’s invoices in the main contractor’s inbox', () => {
  it('each appears once in GET /v1/validations with its deadline (deposit + 15 days), and alerts once', async () => {
    for (const [key, number] of Object.entries(numbers)) ids[key] = await submitted(number);
    // The subcontractor's own invoice waits for its validator.
    await expect
      .poll(async () => (await read(p.h, ids.approved!)).chorus.status, { timeout: 20_000 })
      .toBe('A_VALIDER_1');
    await expect.poll(async () => (await validations('?pending=true')).length, { timeout: 20_000 }).toBe(3);
    const found = await validations(`?pending=true&supplierSiret=${SUPPLIER_SIRET}&validatorSiret=${HOLDER}`);
    expect(found.map((v) => v.invoice.number).sort()).toEqual(Object.values(numbers).sort());
    for (const v of found) {
      // As the OpenAPI document describes it.
      expect(validationViewSchema.safeParse(await detail(v.id)).error).toBeUndefined();
      const deposited = simInvoice(v.invoice.number).depositedAt;
      expect(v).toMatchObject({
        validatorSiret: HOLDER,
        stage: 'pending',
        waitingFor: 'validator',
        chorusStatus: 'A_VALIDER_1',
      });
      expect(v.invoice).toMatchObject({
        supplierSiret: SUPPLIER_SIRET,
        amountWithVat: '1200.00',
        frame: 'A9_FACTURE_SOUSTRAITANT',
      });
      // The deposit time as the simulator kept it (Chorus writes it to the millisecond, in Paris time).
      expect(new Date(v.deadline).getTime()).toBe(deposited + 15 * DAY);
    }
    // The same inbox as a spreadsheet for the accountant: UTF-8 with its mark, soonest deadline first.
    const csv = await p.h.api('/v1/validations?pending=true', { headers: { accept: 'text/csv' } });
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const bytes = Buffer.from(await csv.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, ...rows] = bytes.subarray(3).toString('utf8').trimEnd().split('\r\n');
    expect(header).toBe(
      'invoice_number,supplier_name,supplier_siret,amount_with_vat,market_number,deadline,stage,chorus_status,decision,decision_state,recipient_siret,deposited_at,id',
    );
    expect(rows.map((r) => r.split(',')[0])).toEqual(found.map((v) => v.invoice.number));
    expect(rows[0]!.split(',').slice(1, 4)).toEqual(['BTP MARTIN SARL', SUPPLIER_SIRET, '1200.00']);
    // Several more syncs read the same inbox: still one alert per invoice.
    const before = await statusSyncsDone();
    await expect.poll(statusSyncsDone, { timeout: 15_000 }).toBeGreaterThanOrEqual(before + 4);
    const required = await alerts('validation.required');
    expect(required.map((n) => (n.payload.validation as { invoiceNumber: string }).invoiceNumber).sort()).toEqual(
      Object.values(numbers).sort(),
    );
    expect(new Set(required.map((n) => n.supplier.id)).size).toBe(1);
    // Delivered by e-mail and by signed webhook, once each.
    await expect
      .poll(() => smtp.mails.filter((m) => m.subject.includes('à valider')).length, { timeout: 15_000 })
      .toBe(3);
    await expect
      .poll(
        () => hook.calls.filter((c) => (JSON.parse(c.body) as { type: string }).type === 'validation.required').length,
        { timeout: 15_000 },
      )
      .toBe(3);
    expect(hook.calls.every((c) => /^t=\d+,v1=[0-9a-f]{64}$/.test(String(c.headers['chorus-relay-signature'])))).toBe(
      true,
    );
    expect(smtp.mails.map((m) => m.to).flat()).toEqual([
      'compta@eg-dubois.fr',
      'compta@eg-dubois.fr',
      'compta@eg-dubois.fr',
    ]);
    const mail = emailFor(required[0]!, null);
    expect(mail.subject).toMatch(
      /^Facture ST-A9-00\d de votre sous-traitant à valider avant le \d{2}\/\d{2}\/2026 \/ Invoice ST-A9-00\d from your subcontractor to validate by 2026-\d{2}-\d{2}$/,
    );
    expect(mail.text).toContain('BTP MARTIN SARL (SIRET 73282932000074)');
    expect(mail.text).toContain('sans réponse, elle sera réputée validée');
    expect(mail.text).toContain('without an answer it counts as approved');
  });

  it('approved through the API: one traiter/factureAValider, VALIDEE_1, then on to the buyer', async () => {
    const v = (await validationOf(numbers.approved))!;
    const before = calls('traiterFactureAValider');
    const res = await p.h.api(`/v1/validations/${v.id}/approve`, jsonInit({ comment: 'Travaux conformes' }));
    expect(res.status).toBe(202);
    await expect.poll(async () => (await detail(v.id)).decision?.state, { timeout: 20_000 }).toBe('done');
    const done = await detail(v.id);
    expect(done).toMatchObject({
      stage: 'approved',
      waitingFor: null,
      decision: { action: 'approve', text: 'Travaux conformes' },
    });
    // The decision's answer, then the status it gave (recorded by the one writer of the row, as a sync would).
    expect(done.timeline!.map((e) => e.type)).toEqual(['received', 'decision-requested', 'decision-sent', 'status']);
    expect(calls('traiterFactureAValider')).toBe(before + 1);
    expect(
      simInvoice(numbers.approved)
        .history.map((h) => h.code)
        .slice(0, 2),
    ).toEqual(['A_VALIDER_1', 'VALIDEE_1']);
    // The subcontractor's invoice moves on to the buyer.
    await expect
      .poll(async () => (await read(p.h, ids.approved!)).chorus.status, { timeout: 20_000 })
      .toBe('MISE_A_DISPOSITION');
    // A second decision on it is refused, and nothing more is sent.
    const again = await p.h.api(`/v1/validations/${v.id}/refuse`, jsonInit({ reason: 'Trop tard' }));
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('VALIDATION_NOT_PENDING');
    expect(calls('traiterFactureAValider')).toBe(before + 1);
  });

  it('refused with a reason: REFUSEE_1 at Chorus Pro, the reason shown to the subcontractor', async () => {
    const v = (await validationOf(numbers.refused))!;
    const noReason = await p.h.api(`/v1/validations/${v.id}/refuse`, jsonInit({}));
    expect(noReason.status).toBe(422);
    expect(
      ((await noReason.json()) as { error: { details: Array<{ path: string }> } }).error.details.map((d) => d.path),
    ).toEqual(['reason']);
    const reason = 'Quantités de la situation 2 non conformes au constat contradictoire';
    // Chorus Pro is slow to answer: while the refusal is on the wire, another decision waits its turn.
    p.simulator.faults.replace({ endpoints: { traiterFactureAValider: { latencyMs: 3_000 } } });
    const before = calls('traiterFactureAValider');
    expect((await p.h.api(`/v1/validations/${v.id}/refuse`, jsonInit({ reason }))).status).toBe(202);
    await expect.poll(() => calls('traiterFactureAValider'), { timeout: 10_000, interval: 10 }).toBe(before + 1);
    const meanwhile = await p.h.api(`/v1/validations/${v.id}/approve`, jsonInit({}));
    expect([meanwhile.status, ((await meanwhile.json()) as { error: { code: string } }).error.code]).toEqual([
      409,
      'DECISION_IN_PROGRESS',
    ]);
    p.simulator.faults.replace({});
    await expect.poll(async () => (await detail(v.id)).stage, { timeout: 20_000 }).toBe('refused');
    expect(calls('traiterFactureAValider')).toBe(before + 1);
    const sim = simInvoice(numbers.refused);
    expect([sim.status, sim.comment]).toEqual(['REFUSEE_1', reason]);
    // The subcontractor sees the refusal and what to do.
    await expect.poll(async () => (await read(p.h, ids.refused!)).chorus.status, { timeout: 20_000 }).toBe('REFUSEE_1');
    // Told as the validator's refusal, not the recipient's: the buyer never saw this invoice.
    expect((await read(p.h, ids.refused!)).actionRequired?.reason).toBe('refused_by_validator');
  });

  it('left alone: reminded 5 days and 1 day before the deadline, then tacitly validated and sent to the buyer', async () => {
    const v = (await validationOf(numbers.silent))!;
    const deadline = new Date(v.deadline).getTime();
    await advance(deadline - 5 * DAY + 60_000 - clock.now().getTime());
    await expect.poll(async () => (await detail(v.id)).remindersSent, { timeout: 15_000 }).toEqual(['5d']);
    await advance(4 * DAY);
    await expect.poll(async () => (await detail(v.id)).remindersSent, { timeout: 15_000 }).toEqual(['5d', '1d']);
    const reminders = await alerts('validation.reminder');
    expect(reminders.map((n) => n.payload.daysLeft)).toEqual([5, 1]);
    expect(emailFor(reminders[1]!, null).subject).toContain('(plus que 1 jour)');
    expect(emailFor(reminders[0]!, null).subject).toContain('(5 days left)');
    expect(await alerts('validation.tacitly_approved')).toHaveLength(0);

    await advance(DAY);
    await expect.poll(async () => (await detail(v.id)).stage, { timeout: 20_000 }).toBe('tacitly_approved');
    // Chorus Pro went through the tacit status; the relay may see it, or the routing that follows it at once.
    expect(
      simInvoice(numbers.silent)
        .history.map((h) => h.code)
        .slice(0, 3),
    ).toEqual(['A_VALIDER_1', 'ABSENCE_VALIDATION_1_HORS_DELAI', 'DEPOSEE']);
    expect(['ABSENCE_VALIDATION_1_HORS_DELAI', 'DEPOSEE', 'EN_COURS_ACHEMINEMENT', 'MISE_A_DISPOSITION']).toContain(
      (await detail(v.id)).chorusStatus,
    );
    const tacit = await alerts('validation.tacitly_approved');
    expect(tacit).toHaveLength(1);
    expect(emailFor(tacit[0]!, null).text).toContain("n'a été ni validée ni refusée avant le");
    await expect
      .poll(async () => (await read(p.h, ids.silent!)).chorus.status, { timeout: 20_000 })
      .toBe('MISE_A_DISPOSITION');
    // No decision was ever sent for it, and the inbox is empty.
    expect((await detail(v.id)).decision).toBeNull();
    expect(await validations('?pending=true')).toEqual([]);
  });

  it('an empty inbox answered "no result" (codeRetour 20000, docs/chorus-pro-notes.md, "Answers") is an empty inbox, and the syncs go on', async () => {
    const variant = await fetch(`${p.simulator.url}/simulator/variants`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ emptySearch: 'no-result-code' }),
    });
    expect(variant.status).toBe(200);
    const before = calls('rechercherFactureATraiterParValideur');
    const syncs = await statusSyncsDone();
    await expect.poll(statusSyncsDone, { timeout: 15_000 }).toBeGreaterThanOrEqual(syncs + 4);
    expect(calls('rechercherFactureATraiterParValideur')).toBeGreaterThan(before);
    expect((await p.h.ctx.queues['status-sync'].getJobCounts('failed')).failed).toBe(0);
    // Read as an empty inbox, not as a refusal of the search.
    const recent = await p.h.ctx.queues['status-sync'].getJobs(['completed'], 0, 5);
    const logs = (await Promise.all(recent.map((j) => p.h.ctx.queues['status-sync'].getJobLogs(j.id!)))).flatMap(
      (l) => l.logs,
    );
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.filter((l) => l.includes('refused to list'))).toEqual([]);
    expect(await validations('?pending=true')).toEqual([]);
    await fetch(`${p.simulator.url}/simulator/variants`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ emptySearch: 'empty-list' }),
    });
  });
});

describe('a subcontractor that named the wrong validator', () => {
  it('is told so, names the main contractor through POST /v1/invoices/{id}/correct-validator, and the invoice reaches its inbox', async () => {
    // Deposited with the hospital as validator; its validator says it is not the one (ERREUR_FOURNISSEUR_SUR_VALIDEUR,
    // set through the simulator's back door: the action that sets it is not documented).
    const res = await p.h.api(
      '/v1/invoices',
      jsonInit({ ...subcontractorInvoice('ST-A9-004'), validatorSiret: '26750045200011' }),
    );
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    await settled(p.h, id, ['integrated'], 30_000);
    const sim = simInvoice('ST-A9-004');
    const forced = await fetch(`${p.simulator.url}/simulator/invoices/${sim.id}/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        code: 'ERREUR_FOURNISSEUR_SUR_VALIDEUR',
        comment: 'Le valideur indiqué n’est pas le titulaire du marché.',
      }),
    });
    expect(forced.status).toBe(200);
    await expect
      .poll(async () => (await read(p.h, id)).actionRequired?.reason, { timeout: 20_000 })
      .toBe('wrong_validator');

    const corrected = await p.h.api(`/v1/invoices/${id}/correct-validator`, jsonInit({ validatorSiret: HOLDER }));
    expect(corrected.status).toBe(202);
    await expect
      .poll(async () => (await read(p.h, id)).followUps?.map((f) => [f.kind, f.state]), { timeout: 20_000 })
      .toEqual([['correct-validator', 'done']]);
    expect(simInvoice('ST-A9-004').validation?.validatorSiret).toBe(HOLDER);
    await expect.poll(async () => (await validationOf('ST-A9-004'))?.stage, { timeout: 20_000 }).toBe('pending');
    // The invoice's status comes from the supplier's status sync, the stage above from the validator's inbox: two
    // syncs, each in its own time.
    await expect.poll(async () => (await read(p.h, id)).chorus.status, { timeout: 20_000 }).toBe('A_VALIDER_1');
    // Not in the error any more: a second correction is refused before anything is sent.
    const again = await p.h.api(`/v1/invoices/${id}/correct-validator`, jsonInit({ validatorSiret: HOLDER }));
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('INVOICE_VALIDATOR_NOT_IN_ERROR');
    expect(calls('corrigerValideurFacture')).toBe(1);
  });
});

describe('a decision whose answer is lost', () => {
  it('is looked up before anything is sent again: one traiter/factureAValider, the decision done', async () => {
    await submitted('ST-A9-005');
    await expect.poll(async () => (await validationOf('ST-A9-005'))?.stage, { timeout: 20_000 }).toBe('pending');
    const v = (await validationOf('ST-A9-005'))!;
    // Chorus Pro processes the call, and the answer comes back unreadable.
    p.simulator.faults.replace({ endpoints: { traiterFactureAValider: { garbleAnswerNext: 1 } } });
    const before = calls('traiterFactureAValider');
    expect((await p.h.api(`/v1/validations/${v.id}/approve`, jsonInit({}))).status).toBe(202);
    await expect.poll(async () => (await detail(v.id)).decision?.state, { timeout: 20_000 }).toBe('done');
    expect(calls('traiterFactureAValider')).toBe(before + 1);
    const done = await detail(v.id);
    expect(done.stage).toBe('approved');
    expect(done.timeline!.find((e) => e.type === 'decision-sent')!.message).toMatch(/the earlier approval took effect/);
    expect(simInvoice('ST-A9-005').history.filter((h) => h.code === 'VALIDEE_1')).toHaveLength(1);
    p.simulator.faults.replace({});
  });
});

describe('a decision whose job Redis never got', () => {
  it('is added back from PostgreSQL by the sweeper and sent once', async () => {
    await expect.poll(async () => (await validationOf('ST-A9-004'))?.stage, { timeout: 20_000 }).toBe('pending');
    const v = (await validationOf('ST-A9-004'))!;
    // As a web process that died between its commit and its enqueue leaves it: the row says queued, Redis has nothing.
    const em = p.h.ctx.orm.em.fork();
    const row = await em.findOneOrFail(Validation, v.id);
    row.decision = { id: randomUUID(), action: 'approve', text: null, requestedAt: new Date().toISOString() };
    row.decisionState = 'queued';
    await em.flush();
    expect(await p.h.ctx.queues.validations.getJob(row.decision.id)).toBeUndefined();
    const before = calls('traiterFactureAValider');
    await expect.poll(async () => (await detail(v.id)).decision?.state, { timeout: 20_000 }).toBe('done');
    expect(await p.h.ctx.queues.validations.getJob(row.decision.id)).toBeDefined();
    expect(calls('traiterFactureAValider')).toBe(before + 1);
    expect((await detail(v.id)).stage).toBe('approved');
  });
});

describe('a key limited to some suppliers', () => {
  it('sees and decides only the inboxes of its suppliers: another one’s validation does not exist for it', async () => {
    const key = async (supplierSirets: string[]) => {
      const res = await p.h.api(
        '/v1/api-keys',
        jsonInit({ name: `submitter of ${supplierSirets.join(',')}`, role: 'submitter', supplierSirets }),
      );
      expect(res.status).toBe(201);
      return String(((await res.json()) as { key: string }).key);
    };
    const as = (k: string, path: string, init: RequestInit = {}) =>
      p.h.api(path, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${k}` },
      });
    const [holderKey, subcontractorKey] = [await key([HOLDER]), await key([SUPPLIER_SIRET])];
    const all = await validations();
    expect(all.length).toBeGreaterThan(0);
    const seen = async (k: string) =>
      ((await (await as(k, '/v1/validations')).json()) as { data: ValidationState[] }).data.map((v) => v.id).sort();
    expect(await seen(holderKey)).toEqual(all.map((v) => v.id).sort());
    expect(await seen(subcontractorKey)).toEqual([]);
    const one = all[0]!.id;
    for (const [path, init] of [
      [`/v1/validations/${one}`, {}],
      [`/v1/validations/${one}/approve`, jsonInit({})],
      [`/v1/validations/${one}/refuse`, jsonInit({ reason: 'x' })],
    ] as const) {
      const res = await as(subcontractorKey, path, init);
      expect([path, res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([
        path,
        404,
        'VALIDATION_NOT_FOUND',
      ]);
    }
    expect((await as(holderKey, `/v1/validations/${one}`)).status).toBe(200);
  });
});

describe('an account Chorus Pro refuses the validator search to', () => {
  it('has it noted in its sync job’s log, and its status sync still completes (docs/construction.md)', async () => {
    // A technical account that does not hold the supplier's structure: the simulator refuses that structure's inbox.
    const account = await fetch(`${p.simulator.url}/simulator/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        login: 'TECH_AILLEURS@cpro.fr',
        password: 'Ailleurs-Password-1',
        structureSirets: [SUPPLIER_SIRET],
      }),
    });
    expect(account.status).toBe(201);
    const other = '13000250400020';
    const registered = await p.h.api(
      '/v1/suppliers',
      jsonInit({
        siret: other,
        chorusLogin: 'TECH_AILLEURS@cpro.fr',
        chorusPassword: 'Ailleurs-Password-1',
        environment: 'sandbox',
      }),
    );
    expect(registered.status).toBe(201);
    const logsOfItsSyncs = async () => {
      const jobs = (await p.h.ctx.queues['status-sync'].getJobs(['completed'], 0, 50)).filter(
        (j) => j.name === `status-sync ${other}`,
      );
      return (await Promise.all(jobs.map((j) => p.h.ctx.queues['status-sync'].getJobLogs(j.id!)))).flatMap(
        (l) => l.logs,
      );
    };
    await expect
      .poll(
        async () => (await logsOfItsSyncs()).some((l) => l.includes(`refused to list the validator inbox of ${other}`)),
        {
          timeout: 20_000,
        },
      )
      .toBe(true);
    expect((await p.h.ctx.queues['status-sync'].getJobCounts('failed')).failed).toBe(0);
  });
});
