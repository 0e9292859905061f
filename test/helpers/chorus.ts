/** A simulator on a free port and clients for it, each with its own Redis key prefix. */
import { expect } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { ChorusClient, type TechnicalAccount } from '../../src/chorus/client.js';
import { ENDPOINTS } from '../../src/chorus/contract/endpoints.js';
import { PisteTokenProvider } from '../../src/chorus/token-provider.js';
import { SecretBox } from '../../src/shared/secret-box.js';
import { loadSeed } from '../../src/simulator/model.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/server.js';
import { generateSampleInvoice } from '../../scripts/lib/sample-invoices.js';
import { TEST_REDIS_URL, uniqueName } from './harness.js';
import { deleteKeysWithPrefix } from './redis-keys.js';

export const SUPPLIER: TechnicalAccount = { login: 'TECH_1_DEMO@cpro.fr', password: 'Demo-Password-2026' };
export const EXPIRED_SUPPLIER: TechnicalAccount = { login: 'TECH_EXPIRED@cpro.fr', password: 'Expired-Password-1' };
export const RECIPIENT: TechnicalAccount = { login: 'TECH_RECIPIENT@cpro.fr', password: 'Recipient-Password-1' };
export const APPLICATION = { clientId: 'simulator-client-id', clientSecret: 'simulator-client-secret' };

export const SUPPLIER_SIRET = '73282932000074';
/** Requires a service code (codeServiceDoitEtreRenseigne). */
export const MINISTRY_SIRET = '11000201100044';
/** Requires an engagement number (numeroEJDoitEtreRenseigne). */
export const CITY_SIRET = '21750001600019';
/** Requires one or the other, and never reports payment. */
export const HOSPITAL_SIRET = '26750045200011';
export const INACTIVE_SIRET = '13000250400020';

export interface ChorusHarness {
  simulator: Simulator;
  redis: Redis;
  prefix: string;
  /** A client of its own (own token cache in memory, shared cache in Redis under `prefix`). */
  /** A client; give `prefix` for a token cache of its own. */
  client(overrides?: {
    clientSecret?: string;
    timeoutMs?: number;
    blipRetries?: number;
    prefix?: string;
    pageSize?: number;
  }): { client: ChorusClient; tokens: PisteTokenProvider };
  admin(path: string, init?: { method?: string; body?: unknown }): Promise<Response>;
  close(): Promise<void>;
}

export async function createChorusHarness(options: SimulatorOptions = {}): Promise<ChorusHarness> {
  const simulator = await startSimulator({ seed: loadSeed(), ...options });
  const redis = new Redis(TEST_REDIS_URL);
  const prefix = uniqueName();
  const secretBox = new SecretBox(randomBytes(32));
  return {
    simulator,
    redis,
    prefix,
    client(overrides = {}) {
      const tokens = new PisteTokenProvider({
        oauthUrl: `${simulator.url}/api/oauth/token`,
        clientId: APPLICATION.clientId,
        clientSecret: overrides.clientSecret ?? APPLICATION.clientSecret,
        redis,
        secretBox,
        keyPrefix: overrides.prefix ?? prefix,
      });
      const client = new ChorusClient({
        apiUrl: simulator.url,
        tokens,
        redis,
        keyPrefix: overrides.prefix ?? prefix,
        ...(overrides.timeoutMs ? { timeoutMs: overrides.timeoutMs, depositTimeoutMs: overrides.timeoutMs } : {}),
        ...(overrides.blipRetries !== undefined ? { blipRetries: overrides.blipRetries } : {}),
        ...(overrides.pageSize !== undefined ? { pageSize: overrides.pageSize } : {}),
      });
      return { client, tokens };
    },
    admin: (path, init = {}) =>
      fetch(`${simulator.url}/simulator${path}`, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers: { 'content-type': 'application/json' },
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      }),
    async close() {
      await deleteKeysWithPrefix(redis, prefix);
      await redis.quit();
      await simulator.close();
    },
  };
}

/**
 * UBL invoices from the demo supplier to the ministry's SERVICE-BTP, numbered `${prefix}-<pid>-<n>`, with any field
 * changed.
 */
export function ublSamples(prefix: string): (overrides?: Record<string, unknown>) => Promise<Buffer> {
  let sequence = 0;
  return (overrides = {}) =>
    generateSampleInvoice(
      {
        number: `${prefix}-${process.pid % 1000}-${++sequence}`,
        issueDate: '2026-11-20',
        supplierSiret: SUPPLIER_SIRET,
        recipientSiret: MINISTRY_SIRET,
        serviceCode: 'SERVICE-BTP',
        amountWithoutVat: '100.00',
        ...overrides,
      },
      'UBL',
    );
}

/**
 * The demo supplier's invoice search (every status, one page of 100) as the simulator writes it, read without our
 * client: what production would hand any client.
 */
export async function rawSupplierSearch(
  simulatorUrl: string,
): Promise<Record<string, unknown> & { listeFactures: Array<Record<string, unknown>> }> {
  const token = (await (
    await fetch(`${simulatorUrl}/api/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: APPLICATION.clientId,
        client_secret: APPLICATION.clientSecret,
      }),
    })
  ).json()) as { access_token: string };
  const res = await fetch(`${simulatorUrl}${ENDPOINTS.rechercherFactureParFournisseur.path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token.access_token}`,
      'cpro-account': Buffer.from(`${SUPPLIER.login}:${SUPPLIER.password}`).toString('base64'),
      'content-type': 'application/json;charset=utf-8',
    },
    body: JSON.stringify({ rechercheFactureParFournisseur: { nbResultatsParPage: 100 } }),
  });
  return (await res.json()) as Record<string, unknown> & { listeFactures: Array<Record<string, unknown>> };
}

/** The recipient's decision on an invoice, through the simulator's back door (traiter/recue), with its reason. */
export async function recipientDecides(
  simulatorUrl: string,
  chorusInvoiceId: string | null,
  status: string,
  motif?: string,
): Promise<void> {
  const res = await fetch(`${simulatorUrl}/simulator/recipient/traiter`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ idFacture: Number(chorusInvoiceId), nouveauStatut: status, ...(motif ? { motif } : {}) }),
  });
  expect(res.status).toBe(200);
}
