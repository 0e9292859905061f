/**
 * `npm run demo` (with `npm start` running its simulator on scenarios/demo.json, the default): registers the
 * simulator's demo supplier, subscribes a webhook, submits a handful of invoices, good ones and ones refused
 * for each reason, and shows where each one ends up. Then the scenario's recipients act (the ministry pays,
 * the city rejects, the hospital suspends) and the signed webhooks that come back are shown, then the counts.
 * Uses PORT and the first of API_KEYS from the environment (.env), like the running system.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhookSignature } from '../src/alerts/webhook-signature.js';
import { loadConfig } from '../src/config.js';
import {
  generateSampleInvoice,
  SYNTAXE_FLUX_OF,
  vatOf,
  type SampleFormat,
  type SampleInvoice,
} from './lib/sample-invoices.js';

const config = loadConfig();
const base = `http://localhost:${config.port}`;
const headers = { authorization: `Bearer ${config.apiKeys[0]}`, 'content-type': 'application/json' };
const SUPPLIER = '73282932000074';
const run = Date.now().toString(36).toUpperCase().slice(-5);

interface Case {
  label: string;
  format: SampleFormat;
  invoice: Partial<SampleInvoice>;
  /** Fields sent to the API that differ from the file (an intake refusal). */
  requestOverrides?: Record<string, unknown>;
}

const cases: Case[] = [
  { label: 'good Factur-X to a ministry (service code given)', format: 'Factur-X', invoice: {} },
  {
    label: 'good UBL to a city (engagement number given)',
    format: 'UBL',
    invoice: { recipientSiret: '21750001600019', serviceCode: null, engagementNumber: 'EJ-2026-0042' },
  },
  {
    label: 'good CII to a hospital (engagement number instead of service)',
    format: 'CII',
    invoice: { recipientSiret: '26750045200011', serviceCode: null, engagementNumber: 'EJ-77' },
  },
  {
    label: 'refused at intake: the request disagrees with the file',
    format: 'Factur-X',
    invoice: {},
    requestOverrides: { amountWithoutVat: '999.00', vatAmount: '199.80', amountWithVat: '1198.80' },
  },
  { label: 'pre-check: ministry requires a service code', format: 'Factur-X', invoice: { serviceCode: null } },
  {
    label: 'pre-check: city requires an engagement number',
    format: 'UBL',
    invoice: { recipientSiret: '21750001600019', serviceCode: null },
  },
  { label: 'pre-check: service requires an engagement number', format: 'UBL', invoice: { serviceCode: 'SERVICE-EJ' } },
  { label: 'pre-check: inactive service', format: 'CII', invoice: { serviceCode: 'SERVICE-FERME' } },
  {
    label: 'pre-check: inactive recipient',
    format: 'CII',
    invoice: { recipientSiret: '13000250400020', serviceCode: null },
  },
  {
    label: 'pre-check: unknown recipient',
    format: 'Factur-X',
    invoice: { recipientSiret: '35600000049837', serviceCode: null },
  },
  {
    label: 'rejected by Chorus Pro at integration: the account is not attached to this supplier',
    format: 'UBL',
    invoice: { supplierSiret: '35600000049837' },
  },
  {
    label: 'waiting: Chorus Pro refuses the technical account (expired password)',
    format: 'UBL',
    invoice: { supplierSiret: '44306184100047' },
  },
];

async function api(path: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, { ...init, headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The demo account is not attached to this SIRET in the simulator: Chorus Pro rejects its invoices at integration. */
const UNATTACHED_SUPPLIER = '35600000049837';
/** This supplier's technical account has an expired password: the account is paused and its invoices wait. */
const EXPIRED_SUPPLIER = '44306184100047';
for (const [siret, login, password] of [
  [SUPPLIER, 'TECH_1_DEMO@cpro.fr', 'Demo-Password-2026'],
  [UNATTACHED_SUPPLIER, 'TECH_1_DEMO@cpro.fr', 'Demo-Password-2026'],
  [EXPIRED_SUPPLIER, 'TECH_EXPIRED@cpro.fr', 'Expired-Password-1'],
] as const) {
  const supplier = await api('/v1/suppliers', {
    method: 'POST',
    body: JSON.stringify({ siret, chorusLogin: login, chorusPassword: password, environment: 'sandbox' }),
  });
  console.log(`Supplier ${siret} (${login}): HTTP ${supplier.status}`);
}

// Alerts: a webhook receiver in this process, subscribed to the demo supplier's alerts and status changes
// before anything is sent, so that every change the scenario's recipients make comes back here.
const received: Array<{ type: string; verified: boolean; data: Record<string, unknown> }> = [];
let secret = '';
const receiver = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
  req.on('end', () => {
    const event = JSON.parse(body) as { type: string; data: Record<string, unknown> };
    received.push({
      type: event.type,
      verified: verifyWebhookSignature(secret, String(req.headers['chorus-relay-signature']), body),
      data: event.data,
    });
    res.statusCode = 204;
    res.end();
  });
});
receiver.listen(0, '127.0.0.1');
await once(receiver, 'listening');
const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/chorus`;
const subscription = await api('/v1/subscriptions', {
  method: 'POST',
  body: JSON.stringify({
    supplierSiret: SUPPLIER,
    channel: 'webhook',
    url: hookUrl,
    events: ['invoice.action_required', 'invoice.status_changed'],
  }),
});
secret = String(subscription.body.secret);
console.log(`Webhook subscription for ${SUPPLIER}: HTTP ${subscription.status} (${hookUrl})`);

const submitted: Array<{ label: string; id?: string; outcome: string }> = [];
let n = 0;
for (const c of cases) {
  const sample: SampleInvoice = {
    number: `DEMO-${run}-${++n}`,
    issueDate: new Date().toISOString().slice(0, 10),
    supplierSiret: SUPPLIER,
    recipientSiret: '11000201100044',
    serviceCode: 'SERVICE-BTP',
    engagementNumber: null,
    amountWithoutVat: '1000.00',
    ...c.invoice,
  };
  const file = await generateSampleInvoice(sample, c.format);
  const { vat, gross } = vatOf(sample);
  const res = await api('/v1/invoices', {
    method: 'POST',
    body: JSON.stringify({
      supplierSiret: sample.supplierSiret,
      recipientSiret: sample.recipientSiret,
      serviceCode: sample.serviceCode,
      engagementNumber: sample.engagementNumber,
      number: sample.number,
      issueDate: sample.issueDate,
      type: 'FACTURE',
      amountWithoutVat: sample.amountWithoutVat,
      vatAmount: vat,
      amountWithVat: gross,
      syntaxeFlux: SYNTAXE_FLUX_OF[c.format],
      file: {
        name: `${sample.number}.${c.format === 'Factur-X' ? 'pdf' : 'xml'}`,
        contentBase64: file.toString('base64'),
      },
      ...c.requestOverrides,
    }),
  });
  const error = res.body.error as { code: string; details: Array<{ message: string }> } | undefined;
  submitted.push(
    res.status === 202
      ? { label: c.label, id: String(res.body.id), outcome: 'queued' }
      : { label: c.label, outcome: `HTTP ${res.status} ${error?.code}: ${error?.details[0]?.message ?? ''}` },
  );
}

console.log('\nWaiting for the pipeline (watch it in Bull Board at /admin/queues)...');
const FINAL = new Set(['precheck_failed', 'rejected', 'needs_attention']);
for (let round = 0; round < 60; round++) {
  let pending = 0;
  for (const s of submitted.filter((x) => x.id)) {
    const { body } = await api(`/v1/invoices/${s.id}`);
    const chorus = body.chorus as { status: string | null };
    const lastError = body.lastError as { code: string; message: string } | null;
    s.outcome = lastError
      ? `${String(body.state)} (${lastError.code}): ${lastError.message}`
      : `${String(body.state)}${chorus.status ? `, Chorus status ${chorus.status}` : ''}`;
    // An invoice of a paused supplier stays queued until its credentials are fixed: do not wait for it.
    const paused = String(body.supplierSiret) === EXPIRED_SUPPLIER && round > 5;
    if (!FINAL.has(String(body.state)) && chorus.status !== 'MISE_A_DISPOSITION' && !paused) pending += 1;
  }
  if (pending === 0) break;
  await new Promise((resolve) => setTimeout(resolve, 1000));
}
for (const s of submitted)
  console.log(`\n- ${s.label}\n  ${s.outcome}${s.id ? `\n  ${base}/v1/invoices/${s.id}` : ''}`);

// What the scenario's recipients do next (scenarios/demo.json): the ministry pays, the city rejects, the
// hospital suspends. Each change reaches the relay at its next status sync and comes back as a signed webhook.
console.log(
  `\nScenario ${config.simulatorScenario ?? '(none)'}: waiting for the recipients' decisions (up to 2 minutes)...`,
);
const DECISIONS = new Set(['REJETEE', 'SUSPENDUE', 'MISE_EN_PAIEMENT']);
const numberOf = (r: (typeof received)[number]) => String((r.data.invoice as { number?: string } | undefined)?.number);
const decided = () =>
  new Set(
    received.filter((r) => r.type === 'invoice.status_changed' && DECISIONS.has(String(r.data.to))).map(numberOf),
  );
const shown = new Set<(typeof received)[number]>();
const showNew = () => {
  for (const r of received.filter((x) => !shown.has(x))) {
    shown.add(r);
    const detail =
      r.type === 'invoice.status_changed'
        ? `${String(r.data.from)} -> ${String(r.data.to)}`
        : `${String(r.data.reason)}: ${String(r.data.chorusReason ?? r.data.message)}`;
    console.log(`  webhook ${r.type} for ${numberOf(r)} (signature ${r.verified ? 'valid' : 'INVALID'}): ${detail}`);
  }
};
// The three good invoices: the ministry's is paid, the city's rejected, the hospital's suspended.
for (let i = 0; i < 240 && decided().size < 3; i++) {
  showNew();
  await new Promise((resolve) => setTimeout(resolve, 500));
}
showNew();
if (decided().size < 3)
  console.log(
    '  not every decision came back within 2 minutes: is the worker running (npm start), with SIMULATOR_SCENARIO=scenarios/demo.json?',
  );
if (subscription.status === 201) await api(`/v1/subscriptions/${String(subscription.body.id)}`, { method: 'DELETE' });
receiver.close();
console.log(`\nDashboard (GET /v1/stats): ${JSON.stringify((await api('/v1/stats')).body)}`);
