/**
 * The pages at /app in a real browser: Debian's Chromium driven by playwright-core, against a relay and the
 * simulator. A person signs in with a key limited to one supplier, sees only that supplier's invoices, filters to
 * those that need action, recycles one the recipient sent back for routing (A_RECYCLER) and completes a suspended
 * one with an attachment through the forms, approves nothing it may not, and every page passes axe-core's checks
 * (no serious or critical violation). Screenshots of each page go to test-results/ for review.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startWorker, type RunningWorker } from '../../workers/worker.js';
import { HOLDER, registerMainContractor, subcontractorInvoice } from '../helpers/btp.js';
import { recipientDecides } from '../helpers/chorus.js';
import { BOARD_PASSWORD, BOARD_USER } from '../helpers/harness.js';
import { invoiceBody, invoiceNumber, jsonInit } from '../helpers/invoices.js';
import { createPipelineHarness, read, settled, submit, type PipelineHarness } from '../helpers/pipeline.js';

/** The main contractor, another supplier of the relay (with its own technical account). */
const OTHER_SUPPLIER = HOLDER;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = 'test-results/app-pages';
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let p: PipelineHarness;
let worker: RunningWorker;
let browser: Browser;
let scopedKey = '';

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  p = await createPipelineHarness();
  await registerMainContractor(p);
  const created = await p.h.api(
    '/v1/api-keys',
    jsonInit({ name: 'Comptabilité', role: 'submitter', supplierSirets: ['73282932000074'] }),
  );
  expect(created.status).toBe(201);
  scopedKey = String(((await created.json()) as { key: string }).key);
  worker = startWorker(p.h.ctx);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
});
afterAll(async () => {
  await browser?.close();
  await worker?.stop();
  await p?.close();
});

const treat = (chorusInvoiceId: string | null, status: string, motif: string) =>
  recipientDecides(p.simulator.url, chorusInvoiceId, status, motif);

async function held(status: 'A_RECYCLER' | 'SUSPENDUE' | 'REJETEE', motif: string) {
  const submitted = await submit(p.h);
  await settled(p.h, submitted.id, ['integrated'], 30_000);
  await expect
    .poll(async () => (await read(p.h, submitted.id)).chorus.status, { timeout: 30_000 })
    .toBe('MISE_A_DISPOSITION');
  await treat((await read(p.h, submitted.id)).chorus.invoiceId, status, motif);
  await expect
    .poll(async () => (await read(p.h, submitted.id)).actionRequired?.reason ?? null, { timeout: 30_000 })
    .not.toBeNull();
  return read(p.h, submitted.id);
}

/** axe-core in the page: the serious and critical violations, by rule. */
async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  // Run as a string: the test's TypeScript knows no DOM.
  const result = await page.evaluate<
    Array<{ id: string; impact: string; count: number; where: string }>
  >(`axe.run().then((r) => r.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    count: v.nodes.length,
    where: v.nodes.map((n) => String(n.target[0])).join(', '),
  })))`);
  return result
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.count}: ${v.where})`);
}

async function signIn(key: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto(`${p.h.baseUrl}/app`);
  expect(page.url()).toContain('/app/sign-in');
  await page.getByLabel('Clé d’API').fill(key);
  await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
  await page.waitForURL(`${p.h.baseUrl}/app`);
  return page;
}

describe('the invoice pages', () => {
  it('refuse a key they do not know, and set a session cookie that scripts cannot read', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${p.h.baseUrl}/app/sign-in`);
    await page.getByLabel('Clé d’API').fill('not-a-key-of-this-relay-000000');
    await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('n’est pas reconnue');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/sign-in.png`, fullPage: true });

    const signed = await signIn(scopedKey);
    const cookie = (await signed.context().cookies()).find((c) => c.name === 'chorus_relay_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/app' });
    expect(cookie.value).not.toContain(scopedKey);
    expect(String(await signed.evaluate('document.cookie'))).not.toContain('chorus_relay_session');
  });

  it('show a scoped key its supplier only, needs action first, and recycle an invoice through the form', async () => {
    const mine = await held('A_RECYCLER', 'Ce service ne traite pas les marchés de voirie');
    const others = await submit(p.h, { supplierSiret: OTHER_SUPPLIER });
    await settled(p.h, others.id, ['integrated'], 30_000);

    const page = await signIn(scopedKey);
    const numbers = await page.locator('tbody tr td:first-child').allTextContents();
    expect(numbers).toContain(mine.number);
    expect(numbers).not.toContain(others.number);
    // Needs action first: the held invoice is the first row.
    expect(numbers[0]).toBe(mine.number);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/invoices.png`, fullPage: true });

    await page.getByLabel('À traiter').first().selectOption('true');
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await page.waitForURL(/needsAction=true/);
    const filtered = await page.locator('tbody tr td:first-child').allTextContents();
    expect(filtered).toEqual([mine.number]);

    await page.getByRole('link', { name: mine.number }).click();
    await page.waitForURL(`${p.h.baseUrl}/app/invoices/${mine.id}`);
    await expect
      .poll(() => page.locator('.needs').textContent())
      .toContain('Ce service ne traite pas les marchés de voirie');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/invoice-to-recycle.png`, fullPage: true });
    await page.getByLabel('Code service').fill('VOIRIE');
    await page.getByLabel('Destinataire (SIRET)').fill('21750001600019');
    await page.getByRole('button', { name: 'Envoyer' }).click();
    await page.waitForURL(/sent=recycle/);
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Demande enregistrée');
    // Through the API's own logic: the recycle went to Chorus Pro, and the invoice is made available again.
    await expect
      .poll(async () => (await read(p.h, mine.id)).chorus.status, { timeout: 30_000, interval: 200 })
      .toBe('MISE_A_DISPOSITION');
    const after = (await read(p.h, mine.id)) as Awaited<ReturnType<typeof read>> & { recipientSiret: string };
    expect(after.recipientSiret).toBe('21750001600019');
  });

  it('complete a suspended invoice with an attachment', async () => {
    const suspended = await held('SUSPENDUE', 'Merci de joindre le PV de réception');
    const page = await signIn(scopedKey);
    await page.goto(`${p.h.baseUrl}/app/invoices/${suspended.id}?lang=en`);
    await page.getByLabel('Comment').fill('PV de réception joint');
    await page.getByLabel('Attachment (PDF)').setInputFiles({
      name: 'pv-reception.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n'),
    });
    await page.getByRole('button', { name: 'Send' }).click();
    await page.waitForURL(/sent=complete/);
    await expect
      .poll(async () => (await read(p.h, suspended.id)).chorus.status, { timeout: 30_000, interval: 200 })
      .toBe('COMPLETEE');
    const atChorus = (await (
      await fetch(`${p.simulator.url}/simulator/invoices/${suspended.chorus.invoiceId}`)
    ).json()) as {
      completedWith: number[];
    };
    expect(atChorus.completedWith).toHaveLength(1);
  });

  it('submit the corrected invoice of a rejected one, linked to it, through the form', async () => {
    const rejected = await held('REJETEE', 'Le numéro de bon de commande est erroné');
    const page = await signIn(scopedKey);
    await page.goto(`${p.h.baseUrl}/app/invoices/${rejected.id}`);
    await expect.poll(() => page.locator('.needs').textContent()).toContain('Le numéro de bon de commande est erroné');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/invoice-rejected.png`, fullPage: true });

    // The corrected file, under a new number; the form takes the rest from the rejected invoice.
    const number = invoiceNumber();
    const corrected = await invoiceBody({ number });
    const file = corrected.file as { name: string; contentBase64: string };
    const path = `${SHOTS}/${file.name}`;
    writeFileSync(path, Buffer.from(file.contentBase64, 'base64'));
    await page.getByLabel('Numéro de la facture corrigée').fill(number);
    await page.getByLabel('Fichier de la facture corrigée').setInputFiles(path);
    await page.getByRole('button', { name: 'Envoyer' }).click();
    await page.waitForURL(/\/app\/invoices\/[0-9a-f-]{36}\?sent=correct/);
    const newId = /invoices\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    expect(newId).not.toBe(rejected.id);
    const created = await settled(p.h, newId, ['integrated'], 30_000);
    expect(created).toMatchObject({ number, correctsInvoiceId: rejected.id, supplierSiret: '73282932000074' });
    const original = await read(p.h, rejected.id);
    expect(original).toMatchObject({ correctedByInvoiceId: newId, actionRequired: null });
  });

  it('let a main contractor approve its subcontractor’s invoice from its inbox', async () => {
    const created = await p.h.api(
      '/v1/api-keys',
      jsonInit({ name: 'Conducteur de travaux', role: 'submitter', supplierSirets: [HOLDER] }),
    );
    const holderKey = String(((await created.json()) as { key: string }).key);
    const number = `ST-APP-${Date.now().toString(36)}`.slice(0, 20);
    const res = await p.h.api('/v1/invoices', jsonInit(subcontractorInvoice(number)));
    expect(res.status, await res.clone().text()).toBe(202);
    await expect
      .poll(
        async () =>
          (
            (await (await p.h.api('/v1/validations?pending=true')).json()) as {
              data: Array<{ invoice: { number: string } }>;
            }
          ).data.some((v) => v.invoice.number === number),
        { timeout: 30_000, interval: 200 },
      )
      .toBe(true);

    const page = await signIn(holderKey);
    await page.goto(`${p.h.baseUrl}/app/validations`);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/validations.png`, fullPage: true });
    await page.getByRole('button', { name: `Valider ${number}` }).click();
    await page.waitForURL(/sent=approve/);
    const atChorus = () =>
      [...p.simulator.world.invoices.values()].find((i) => i.number === number)?.history.map((h) => h.code) ?? [];
    await expect.poll(atChorus, { timeout: 30_000, interval: 200 }).toContain('VALIDEE_1');
  });

  it('list the validator inbox and the supplier accounts, each page accessible', async () => {
    const page = await signIn(scopedKey);
    await page.goto(`${p.h.baseUrl}/app/validations`);
    expect(await page.locator('h1').textContent()).toBe('Validations');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.goto(`${p.h.baseUrl}/app/suppliers`);
    const sirets = await page.locator('tbody tr td:first-child').allTextContents();
    expect(sirets).toEqual(['73282932000074']);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/suppliers.png`, fullPage: true });
  });

  it('refuse a form without the session’s token', async () => {
    const page = await signIn(scopedKey);
    const status = await page.evaluate(async (url) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'recipientSiret=21750001600019',
      });
      return res.status;
    }, `${p.h.baseUrl}/app/invoices/00000000-0000-4000-8000-000000000000/recycle`);
    expect(status).toBe(403);
  });

  it('sign in with Bull Board’s login: every supplier, its actions audited as that login', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(`${p.h.baseUrl}/app/suppliers`);
    await page.getByLabel('Utilisateur').fill(BOARD_USER);
    await page.getByLabel('Mot de passe').fill(BOARD_PASSWORD);
    await page.getByRole('button', { name: 'Se connecter avec cet identifiant' }).click();
    await page.waitForURL(`${p.h.baseUrl}/app/suppliers`);
    const sirets = await page.locator('tbody tr td:first-child').allTextContents();
    expect(sirets.sort()).toEqual(['73282932000074', OTHER_SUPPLIER].sort());
    const cookie = (await page.context().cookies()).find((c) => c.name === 'chorus_relay_session')!;
    expect(cookie.value).not.toContain(BOARD_PASSWORD);

    // An action of the session reaches the API, which audits it under the board's login.
    const csrf = await page.locator('input[name=csrf]').first().inputValue();
    const missing = '00000000-0000-4000-8000-000000000000';
    const status = await page.evaluate(
      async ([url, token]) => {
        const res = await fetch(url!, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `csrf=${encodeURIComponent(token!)}`,
        });
        return res.status;
      },
      [`${p.h.baseUrl}/app/invoices/${missing}/retry`, csrf],
    );
    expect(status).toBe(404);
    const audit = (await (await p.h.api('/v1/audit?limit=200')).json()) as {
      data: Array<{ keyId: string; keyName: string; route: string; target: string | null; status: number }>;
    };
    expect(audit.data.find((e) => e.target === missing)).toMatchObject({
      keyId: 'BOARD_USER',
      keyName: `Bull Board login (${BOARD_USER})`,
      status: 404,
    });
  });

  // Last: it locks the board's login out for a while.
  it('count failed sign-ins with Bull Board’s login against the board’s own lock-out', async () => {
    const tryPages = (password: string) =>
      fetch(`${p.h.baseUrl}/app/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ boardUser: BOARD_USER, boardPassword: password }).toString(),
        redirect: 'manual',
      });
    const statuses: number[] = [];
    // Eight failures: the lock-out then lasts 8 s, room enough for the next two calls.
    for (let i = 0; i < 8; i++) statuses.push((await tryPages(`wrong-password-${i}`)).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    // The board itself refuses the right password now, and so do the pages.
    const board = await fetch(`${p.h.baseUrl}/admin/queues/api/queues`, {
      headers: { authorization: `Basic ${Buffer.from(`${BOARD_USER}:${BOARD_PASSWORD}`).toString('base64')}` },
    });
    expect(board.status).toBe(429);
    const pages = await tryPages(BOARD_PASSWORD);
    expect(pages.status).toBe(429);
    expect(await pages.text()).toContain('Trop d’essais manqués');
    expect(p.h.logs.text).not.toContain('wrong-password');
  });
});
