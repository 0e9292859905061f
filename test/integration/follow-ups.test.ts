/**
 * Fix and resend, through real queues and the simulator: recycling an A_RECYCLER invoice, completing a SUSPENDUE
 * one (with an attachment uploaded first), refusals with clear errors, and a completion whose answer was lost.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Notification } from '../../src/db/entities/notification.js';
import { FollowUp } from '../../src/db/entities/follow-up.js';
import { startWorker, type RunningWorker } from '../../workers/worker.js';
import { jsonInit } from '../helpers/invoices.js';
import { createPipelineHarness, read, settled, submit, type PipelineHarness } from '../helpers/pipeline.js';
import { recipientDecides } from '../helpers/chorus.js';

let p: PipelineHarness;
let worker: RunningWorker;
beforeAll(async () => {
  p = await createPipelineHarness({ env: { CHORUS_TIMEOUT_SECONDS: '1' } });
  worker = startWorker(p.h.ctx);
});
afterAll(async () => {
  await worker.stop();
  await p.close();
});
afterEach(async () => {
  await faults({});
});

const faults = (body: unknown) =>
  fetch(`${p.simulator.url}/simulator/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const atChorus = async (chorusId: string | null) =>
  (await (await fetch(`${p.simulator.url}/simulator/invoices/${chorusId}`)).json()) as {
    recipientSiret: string;
    serviceCode: string | null;
    completedWith: number[];
    history: Array<{ code: string; comment: string | null }>;
  };
const treat = (chorusInvoiceId: string | null, status: string, motif: string) =>
  recipientDecides(p.simulator.url, chorusInvoiceId, status, motif);
const chorusStatus = (id: string, status: string) =>
  expect.poll(async () => (await read(p.h, id)).chorus.status, { timeout: 15_000, interval: 100 }).toBe(status);
const held = async (status: 'A_RECYCLER' | 'SUSPENDUE', motif: string) => {
  const submitted = await submit(p.h);
  await settled(p.h, submitted.id, ['integrated']);
  await chorusStatus(submitted.id, 'MISE_A_DISPOSITION');
  const invoice = await read(p.h, submitted.id);
  await treat(invoice.chorus.invoiceId, status, motif);
  await chorusStatus(submitted.id, status);
  return read(p.h, submitted.id);
};
const actionAlerts = async (invoiceId: string) =>
  (await p.h.ctx.orm.em.fork().find(Notification, { invoice: invoiceId, event: 'invoice.action_required' })).map(
    (n) => n.payload.reason,
  );

describe('recycling', () => {
  it('sends the new routing with recycler, and the invoice reaches MISE_A_DISPOSITION again', async () => {
    const invoice = await held('A_RECYCLER', 'Ce service ne traite pas les marchés de voirie');
    expect(invoice.actionRequired?.reason).toBe('to_recycle');
    expect(await actionAlerts(invoice.id)).toEqual(['to_recycle']);

    const res = await p.h.api(
      `/v1/invoices/${invoice.id}/recycle`,
      jsonInit(
        { recipientSiret: '21750001600019', serviceCode: 'VOIRIE', comment: 'Destinataire corrigé' },
        { 'x-request-id': 'corr-recycle-3' },
      ),
    );
    expect(res.status, await res.clone().text()).toBe(202);
    const { followUpId } = (await res.json()) as { followUpId: string };
    expect((await p.h.ctx.queues['follow-ups'].getJob(followUpId))?.data).toEqual({
      followUpId,
      correlationId: 'corr-recycle-3',
    });
    await chorusStatus(invoice.id, 'MISE_A_DISPOSITION');

    const after = await read(p.h, invoice.id);
    expect(after.followUps).toEqual([
      expect.objectContaining({ id: followUpId, kind: 'recycle', state: 'done', error: null }),
    ]);
    expect(after).toMatchObject({ recipientSiret: '21750001600019', serviceCode: 'VOIRIE', actionRequired: null });
    const story = after.events.filter((e) => e.type === 'status-changed').map((e) => e.details?.to);
    expect(story.slice(story.indexOf('A_RECYCLER'))).toEqual([
      'A_RECYCLER',
      'DEPOSEE',
      'EN_COURS_ACHEMINEMENT',
      'MISE_A_DISPOSITION',
    ]);
    expect(after.events.map((e) => e.type)).toEqual(expect.arrayContaining(['follow-up-requested', 'follow-up-sent']));
    const chorus = await atChorus(after.chorus.invoiceId);
    expect(chorus).toMatchObject({ recipientSiret: '21750001600019', serviceCode: 'VOIRIE' });
    expect(chorus.history.find((h) => h.code === 'DEPOSEE' && h.comment === 'Destinataire corrigé')).toBeDefined();
  });

  it('is refused with 409 for an invoice that is not A_RECYCLER, and 422 without any routing field, writing nothing', async () => {
    const submitted = await submit(p.h);
    await settled(p.h, submitted.id, ['integrated']);
    await chorusStatus(submitted.id, 'MISE_A_DISPOSITION');
    const wrong = await p.h.api(`/v1/invoices/${submitted.id}/recycle`, jsonInit({ serviceCode: 'VOIRIE' }));
    expect(wrong.status).toBe(409);
    expect(((await wrong.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'INVOICE_NOT_TO_RECYCLE',
      message: expect.stringMatching(/MISE_A_DISPOSITION; only an invoice in A_RECYCLER/) as unknown,
    });
    const empty = await p.h.api(`/v1/invoices/${submitted.id}/recycle`, jsonInit({ comment: 'rien' }));
    expect(empty.status).toBe(422);
    const badSiret = await p.h.api(
      `/v1/invoices/${submitted.id}/recycle`,
      jsonInit({ recipientSiret: '12345678901234' }),
    );
    expect(
      ((await badSiret.json()) as { error: { details: Array<{ path: string; code: string }> } }).error.details,
    ).toEqual([expect.objectContaining({ path: 'recipientSiret', code: 'invalid_siret' })]);
    expect(await p.h.ctx.orm.em.fork().count(FollowUp, { invoice: submitted.id })).toBe(0);
    expect(
      (await p.h.api('/v1/invoices/00000000-0000-4000-8000-000000000000/recycle', jsonInit({ serviceCode: 'X' })))
        .status,
    ).toBe(404);
  });
});

describe('completing a suspended invoice', () => {
  it('uploads the attachment, calls completer, and the invoice reaches COMPLETEE', async () => {
    const invoice = await held('SUSPENDUE', 'Attestation de sous-traitance manquante');
    expect(invoice.actionRequired?.reason).toBe('suspended');
    const attachment = Buffer.from('%PDF-1.7\nattestation\n%%EOF\n');
    const res = await p.h.api(
      `/v1/invoices/${invoice.id}/complete`,
      jsonInit({
        comment: 'Attestation jointe',
        attachment: { name: 'attestation-DC4.pdf', contentBase64: attachment.toString('base64') },
      }),
    );
    expect(res.status, await res.clone().text()).toBe(202);
    await chorusStatus(invoice.id, 'COMPLETEE');
    const after = await read(p.h, invoice.id);
    expect(after.followUps?.[0]).toMatchObject({ kind: 'complete', state: 'done' });
    expect(after.actionRequired).toBeNull();
    const chorus = await atChorus(after.chorus.invoiceId);
    expect(chorus.completedWith).toHaveLength(1);
    expect(p.simulator.world.attachments.get(chorus.completedWith[0]!)).toMatchObject({
      name: 'attestation-DC4.pdf',
      size: attachment.length,
    });
    expect(chorus.history.at(-1)).toMatchObject({ code: 'COMPLETEE', comment: 'Attestation jointe' });
  });

  it('refuses a second completion while one is on its way, and a body without comment', async () => {
    const invoice = await held('SUSPENDUE', 'RIB manquant');
    const noComment = await p.h.api(
      `/v1/invoices/${invoice.id}/complete`,
      jsonInit({ attachment: { name: 'rib.pdf', contentBase64: 'JVBERg==' } }),
    );
    expect(noComment.status).toBe(422);
    expect(
      ((await noComment.json()) as { error: { details: Array<{ path: string }> } }).error.details.map((d) => d.path),
    ).toEqual(['comment']);
    await faults({ endpoints: { consulterFactureParFournisseur: { latencyMs: 800 } } });
    const first = await p.h.api(`/v1/invoices/${invoice.id}/complete`, jsonInit({ comment: 'RIB joint' }));
    expect(first.status).toBe(202);
    const second = await p.h.api(`/v1/invoices/${invoice.id}/complete`, jsonInit({ comment: 'RIB joint (bis)' }));
    expect(second.status).toBe(409);
    expect(((await second.json()) as { error: { code: string } }).error.code).toBe('FOLLOW_UP_IN_PROGRESS');
    await chorusStatus(invoice.id, 'COMPLETEE');
  });

  it('settles a completion whose answer was lost by reading the status, without reporting a failure', async () => {
    const invoice = await held('SUSPENDUE', 'Bon de livraison manquant');
    // Chorus Pro takes the completion but answers after our 1 s timeout: the outcome is unknown to the worker.
    await faults({ endpoints: { completerFacture: { latencyMs: 1500 } } });
    const res = await p.h.api(`/v1/invoices/${invoice.id}/complete`, jsonInit({ comment: 'BL joint' }));
    expect(res.status).toBe(202);
    const { followUpId } = (await res.json()) as { followUpId: string };
    await chorusStatus(invoice.id, 'COMPLETEE');
    await expect
      .poll(async () => (await read(p.h, invoice.id)).followUps?.[0]?.state, { timeout: 15_000 })
      .toBe('done');
    const after = await read(p.h, invoice.id);
    expect(after.events.some((e) => e.type === 'follow-up-failed')).toBe(false);
    expect((await atChorus(after.chorus.invoiceId)).history.filter((h) => h.code === 'COMPLETEE')).toHaveLength(1);
    const { logs } = await p.h.ctx.queues['follow-ups'].getJobLogs(followUpId);
    expect(logs[0]).toMatch(/^look-up: .*timed out|no answer/i);
    expect(logs.at(-1)).toMatch(/took effect/);
  });
});
