/**
 * The simulator as a faithful Chorus Pro: gateway, contract, answers valid against the official Swagger, drifts,
 * faults, counts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENDPOINTS } from '../../src/chorus/contract/endpoints.js';
import { writeTarGz } from '../../src/invoices/einvoice/archive.js';
import { loadSeed } from '../../src/simulator/model.js';
import {
  APPLICATION,
  createChorusHarness,
  MINISTRY_SIRET,
  RECIPIENT,
  SUPPLIER,
  type ChorusHarness,
  ublSamples,
} from '../helpers/chorus.js';
import { missingProperties, validateAgainstSwagger } from '../helpers/swagger.js';
import { HOLDER, subcontractedSimInvoice } from '../helpers/btp.js';

let h: ChorusHarness;
let token: string;
const seed = loadSeed();
seed.applications.push({ clientId: 'factures-only', clientSecret: 'factures-only-secret', apis: ['factures'] });

beforeAll(async () => {
  h = await createChorusHarness({ seed });
  token = await newToken(APPLICATION.clientId, APPLICATION.clientSecret);
});
afterAll(() => h.close());

async function newToken(clientId: string, clientSecret: string): Promise<string> {
  const res = await fetch(`${h.simulator.url}/api/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
      scope: 'openid',
    }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number; scope: string };
  expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'openid' });
  return body.access_token;
}

const account = (a = SUPPLIER) => Buffer.from(`${a.login}:${a.password}`).toString('base64');

function raw(path: string, body: unknown, headers: Record<string, string | undefined> = {}): Promise<Response> {
  const all: Record<string, string> = {
    authorization: `Bearer ${token}`,
    'cpro-account': account(),
    'content-type': 'application/json;charset=utf-8',
  };
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) delete all[k];
    else all[k] = v;
  }
  return fetch(`${h.simulator.url}${path}`, {
    method: 'POST',
    headers: all,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const sample = ublSamples('SIM');

describe('gateway, in the order of the reference', () => {
  it('401 without a token or with an expired one', async () => {
    expect((await raw(ENDPOINTS.deposerFlux.path, {}, { authorization: undefined })).status).toBe(401);
    const res = await raw(ENDPOINTS.deposerFlux.path, {}, { authorization: 'Bearer not-a-token' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/realm="PISTE"/);
  });

  it('404 for an unknown path, even with a bad technical account', async () => {
    expect((await raw('/cpro/factures/v1/deposer/fluxx', {}, { 'cpro-account': 'bad' })).status).toBe(404);
    expect((await raw('/cpro/factures/v2/deposer/flux', {})).status).toBe(404);
  });

  it('403 with an empty body for an API the PISTE application is not subscribed to', async () => {
    const limited = await newToken('factures-only', 'factures-only-secret');
    const res = await raw(ENDPOINTS.rechercherStructure.path, {}, { authorization: `Bearer ${limited}` });
    expect(res.status).toBe(403);
    expect(await res.text()).toBe('');
  });

  it('401 with the PISTE WWW-Authenticate header for a bad cpro-account', async () => {
    for (const header of [undefined, 'bm90LWJhc2U2NA', account({ login: SUPPLIER.login, password: 'wrong' })]) {
      const res = await raw(ENDPOINTS.recupererStructuresActivesFournisseur.path, {}, { 'cpro-account': header });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe(
        'Bearer realm="PISTE",error="Unauthorized",error_description="login or password incorrects"',
      );
    }
  });

  it('415 when the body is not declared as JSON', async () => {
    const res = await raw(ENDPOINTS.recupererStructuresActivesFournisseur.path, '{}', { 'content-type': 'text/plain' });
    expect(res.status).toBe(415);
  });

  it('refuses a bad PISTE application at the token endpoint', async () => {
    const res = await fetch(`${h.simulator.url}/api/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: APPLICATION.clientId,
        client_secret: 'nope',
        scope: 'openid',
      }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_client' });
  });
});

describe('requests are validated against the official contract', () => {
  it.each([
    [
      'a syntaxeFlux not in the enum',
      ENDPOINTS.deposerFlux.path,
      { fichierFlux: 'PHg+', nomFichier: 'x.xml', syntaxeFlux: 'IN_DP_E2_FACTURX' },
      'syntaxeFlux',
    ],
    ['idFacture sent as a string', ENDPOINTS.consulterHistoriqueFacture.path, { idFacture: '100000' }, 'idFacture'],
    ['a misspelt field', ENDPOINTS.consulterCRDetaille.path, { numeroFluxDepo: 'CPP1' }, 'numeroFluxDepo'],
    [
      'a wrong enum deep inside',
      ENDPOINTS.rechercherFactureParFournisseur.path,
      { rechercheFactureParFournisseur: { triSens: 'Ascendant ' } },
      'rechercheFactureParFournisseur.triSens',
    ],
    ['a body that is not JSON', ENDPOINTS.consulterCRDetaille.path, '{"numeroFluxDepot": ', ''],
  ])('400 for %s, saying which field', async (_label, path, body, field) => {
    const res = await raw(path, body);
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toContain('mal formul');
    if (field) expect(text).toContain(field);
  });
});

describe('answers are valid against the official Swagger definitions', () => {
  it('for every endpoint that has one', async () => {
    const file = await sample();
    const deposit = (await (
      await raw(ENDPOINTS.deposerFlux.path, {
        fichierFlux: file.toString('base64'),
        nomFichier: 'f.xml',
        syntaxeFlux: 'IN_DP_E1_UBL_INVOICE',
        avecSignature: false,
      })
    ).json()) as { numeroFluxDepot: string };
    await h.admin('/clock/advance', { body: { ms: 6_000 } });
    const search = (await (
      await raw(ENDPOINTS.rechercherFactureParFournisseur.path, { numeroFluxDepot: deposit.numeroFluxDepot })
    ).json()) as {
      listeFactures: Array<{ identifiantFactureCPP: number }>;
    };
    const id = search.listeFactures[0]!.identifiantFactureCPP;
    const recipient = { 'cpro-account': account(RECIPIENT) };
    const ministry = 26000001;
    const calls: Array<[keyof typeof ENDPOINTS, unknown, Record<string, string>?]> = [
      [
        'deposerFlux',
        { fichierFlux: (await sample()).toString('base64'), nomFichier: 'g.xml', syntaxeFlux: 'IN_DP_E1_UBL_INVOICE' },
      ],
      ['rechercherFactureParFournisseur', { numeroFluxDepot: deposit.numeroFluxDepot }],
      ['consulterFactureParFournisseur', { identifiantFactureCPP: id }],
      ['consulterHistoriqueFacture', { idFacture: id }],
      ['traiterFactureRecue', { idFacture: id, nouveauStatut: 'A_RECYCLER', motif: 'Mauvais service' }, recipient],
      [
        'recyclerFacture',
        {
          identifiantFactureCPP: id,
          destinataire: { codeDestinataire: MINISTRY_SIRET, codeServiceExecutant: 'SERVICE-BTP' },
        },
      ],
      ['traiterFactureRecue', { idFacture: id, nouveauStatut: 'SUSPENDUE', motif: 'Pièce manquante' }, recipient],
      ['completerFacture', { identifiantFactureCPP: id, commentaire: 'Pièce jointe' }],
      ['rechercherStructure', { structure: { identifiantStructure: MINISTRY_SIRET } }],
      ['consulterStructure', { idStructureCPP: ministry }],
      ['rechercherServicesStructure', { idStructure: ministry }],
      ['consulterServiceStructure', { idStructure: ministry, idService: 36000001 }],
    ];
    for (const [name, body, headers] of calls) {
      const res = await raw(ENDPOINTS[name].path, body, headers);
      const json = (await res.json()) as { codeRetour: number };
      expect(res.status, name).toBe(200);
      expect(json.codeRetour, `${name}: ${JSON.stringify(json)}`).toBe(0);
      expect(
        validateAgainstSwagger(json, { $ref: `#/definitions/${ENDPOINTS[name].swagger!.response}` }),
        name,
      ).toEqual([]);
      // As production's Java backend writes them: every declared property, null when unset.
      expect(missingProperties(json, { $ref: `#/definitions/${ENDPOINTS[name].swagger!.response}` }), name).toEqual([]);
    }
  });

  it('leaves unset properties out when the unsetAsNull variant is off', async () => {
    h.simulator.variants.unsetAsNull = false;
    try {
      const res = await raw(ENDPOINTS.consulterStructure.path, { idStructureCPP: 26000001 });
      const json = (await res.json()) as Record<string, unknown>;
      expect(json.codeRetour).toBe(0);
      expect(
        missingProperties(json, { $ref: `#/definitions/${ENDPOINTS.consulterStructure.swagger!.response}` }),
      ).toContain('$.informationGenerales.emailStructure');
      expect(Object.values(json)).not.toContain(null);
    } finally {
      h.simulator.variants.unsetAsNull = true;
    }
  });

  it('the check can fail: an answer with a made-up field or a wrong type is caught', () => {
    expect(
      validateAgainstSwagger(
        { codeRetour: 0, libelle: 'x', numeroFluxDepot: 12, extra: true },
        { $ref: '#/definitions/WsRetourDeposerFluxFacture' },
      ),
    ).toEqual(['$.numeroFluxDepot: expected a string, got 12', '$.extra: not in the Swagger definition']);
  });
});

describe('pagination', () => {
  it('walks every page: 27 invoices in pages of 10 come back whole, in 3 requests', async () => {
    const files = await Promise.all(
      Array.from({ length: 27 }, async (_, i) => ({ name: `f${i}.xml`, content: await sample() })),
    );
    const { client } = h.client({ pageSize: 10 });
    const receipt = await client.deposerFlux(SUPPLIER, {
      fichierFlux: writeTarGz(files, new Date()),
      nomFichier: 'lot.tar.gz',
      syntaxeFlux: 'IN_DP_E1_UBL_INVOICE',
    });
    await h.admin('/clock/advance', { body: { ms: 6_000 } });
    const before = h.simulator.counter.byEndpoint.get('rechercherFactureParFournisseur') ?? 0;
    const found = await client.rechercherFactureParFournisseur(SUPPLIER, { numeroFluxDepot: receipt.numeroFluxDepot! });
    expect(found).toHaveLength(27);
    expect(new Set(found.map((f) => f.identifiantFactureCPP)).size).toBe(27);
    expect((h.simulator.counter.byEndpoint.get('rechercherFactureParFournisseur') ?? 0) - before).toBe(3);
  });

  it('walks the validator inbox too: 3 subcontractors’ invoices in pages of 2, in 2 requests', async () => {
    const numbers = [1, 2, 3].map((i) => `ST-PAGE-${process.pid % 1000}-${i}`);
    for (const number of numbers) {
      const outcome = h.simulator.engine.submit(SUPPLIER.login, subcontractedSimInvoice(number));
      expect(outcome.ok).toBe(true);
    }
    const { client } = h.client({ pageSize: 2 });
    const before = h.simulator.counter.byEndpoint.get('rechercherFactureATraiterParValideur') ?? 0;
    const inbox = await client.rechercherFactureATraiterParValideur(SUPPLIER, HOLDER);
    expect(inbox.map((i) => i.numeroFacture)).toEqual(numbers);
    expect((h.simulator.counter.byEndpoint.get('rechercherFactureATraiterParValideur') ?? 0) - before).toBe(2);
  });
});

describe('drift variants the client copes with', () => {
  afterAll(() =>
    h.admin('/variants', {
      method: 'PUT',
      body: {
        singleObjectLists: false,
        historyDateFormat: 'iso',
        emptySearch: 'empty-list',
        omitErrorLinesOnPartial: false,
      },
    }),
  );

  it('single objects where arrays are expected', async () => {
    await h.admin('/variants', { method: 'PUT', body: { singleObjectLists: true } });
    const { client } = h.client();
    const structures = await client.rechercherStructure(SUPPLIER, MINISTRY_SIRET);
    expect(structures).toHaveLength(1);
    const raw1 = (await (
      await raw(ENDPOINTS.rechercherStructure.path, { structure: { identifiantStructure: MINISTRY_SIRET } })
    ).json()) as { listeStructures: unknown };
    expect(Array.isArray(raw1.listeStructures)).toBe(false); // the drift really happened
    const receipt = await client.deposerFlux(SUPPLIER, {
      fichierFlux: await sample({ serviceCode: null }),
      nomFichier: 'x.xml',
      syntaxeFlux: 'IN_DP_E1_UBL_INVOICE',
    });
    await h.admin('/clock/advance', { body: { ms: 6_000 } });
    const report = await client.consulterCRDetaille(SUPPLIER, receipt.numeroFluxDepot!);
    expect(report.listeErreurDP).toHaveLength(1);
  });

  it('history dates as "YYYY-MM-DD HH:MM" in French time', async () => {
    await h.admin('/variants', { method: 'PUT', body: { historyDateFormat: 'short', singleObjectLists: false } });
    const { client } = h.client();
    const receipt = await client.deposerFlux(SUPPLIER, {
      fichierFlux: await sample(),
      nomFichier: 'x.xml',
      syntaxeFlux: 'IN_DP_E1_UBL_INVOICE',
    });
    await h.admin('/clock/advance', { body: { ms: 6_000 } });
    const [invoice] = await client.rechercherFactureParFournisseur(SUPPLIER, {
      numeroFluxDepot: receipt.numeroFluxDepot!,
    });
    const history = await client.consulterHistoriqueFacture(SUPPLIER, invoice!.identifiantFactureCPP);
    const { parseChorusDate } = await import('../../src/chorus/dates.js');
    for (const entry of history.historiquesDesStatuts!.histoStatut) {
      expect(entry.histoStatutDatePassage).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
      const parsed = parseChorusDate(entry.histoStatutDatePassage);
      expect(parsed).not.toBeNull();
      expect(Math.abs(parsed!.getTime() - h.simulator.world.clock.now())).toBeLessThan(10 * 60_000);
    }
  });

  it('"no result" as codeRetour 20000 reads as an empty list', async () => {
    await h.admin('/variants', { method: 'PUT', body: { emptySearch: 'no-result-code' } });
    const res = (await (
      await raw(ENDPOINTS.rechercherFactureParFournisseur.path, { numeroFacture: 'NOPE' })
    ).json()) as { codeRetour: number; libelle: string };
    expect(res).toMatchObject({ codeRetour: 20000, libelle: 'TRA_MSG_00.015' });
    expect(await h.client().client.rechercherFactureParFournisseur(SUPPLIER, { numeroFacture: 'NOPE' })).toEqual([]);
    expect(await h.client().client.rechercherStructure(SUPPLIER, '35600000049837')).toEqual([]);
  });

  it('a partial integration without error lines', async () => {
    await h.admin('/variants', { method: 'PUT', body: { emptySearch: 'empty-list', omitErrorLinesOnPartial: true } });
    const files = [
      { name: 'a.xml', content: await sample() },
      { name: 'b.xml', content: await sample({ serviceCode: null }) },
    ];
    const { client } = h.client();
    const receipt = await client.deposerFlux(SUPPLIER, {
      fichierFlux: writeTarGz(files, new Date()),
      nomFichier: 'lot.tar.gz',
      syntaxeFlux: 'IN_DP_E1_UBL_INVOICE',
    });
    await h.admin('/clock/advance', { body: { ms: 6_000 } });
    const report = await client.consulterCRDetaille(SUPPLIER, receipt.numeroFluxDepot!);
    expect(report).toMatchObject({ etatCourantDepotFlux: 'IN_INTEGRE_PARTIEL', listeErreurDP: [] });
  });

  it('mixed date formats parse to the same instant', async () => {
    const { parseChorusDate } = await import('../../src/chorus/dates.js');
    const winter = parseChorusDate('2018-02-16T15:10:25.536+01:00')!.getTime();
    expect(parseChorusDate('2018-02-16 15:10')!.getTime()).toBe(winter - 25_536);
    expect(parseChorusDate('2026-07-01 12:00')!.toISOString()).toBe('2026-07-01T10:00:00.000Z'); // summer time
    expect(parseChorusDate('2026-11-20')!.toISOString()).toBe('2026-11-19T23:00:00.000Z');
    expect(parseChorusDate('20/11/2026')!.toISOString()).toBe('2026-11-19T23:00:00.000Z');
    expect(parseChorusDate(winter)!.getTime()).toBe(winter);
    expect(parseChorusDate('nonsense')).toBeNull();
  });
});

describe('faults and counts', () => {
  afterAll(() => h.admin('/faults', { method: 'PUT', body: {} }));

  it('adds latency, answers 503 and 500 at the configured ratios, and can be changed at run time', async () => {
    await h.admin('/faults', {
      method: 'PUT',
      body: { endpoints: { recupererStructuresActivesFournisseur: { latencyMs: 150 } } },
    });
    const started = Date.now();
    expect((await raw(ENDPOINTS.recupererStructuresActivesFournisseur.path, {})).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await h.admin('/faults', {
      method: 'PUT',
      body: { endpoints: { recupererStructuresActivesFournisseur: { error503Ratio: 1 } } },
    });
    expect((await raw(ENDPOINTS.recupererStructuresActivesFournisseur.path, {})).status).toBe(503);
    await h.admin('/faults', {
      method: 'PUT',
      body: { endpoints: { recupererStructuresActivesFournisseur: { error5xxRatio: 1 } } },
    });
    expect((await raw(ENDPOINTS.recupererStructuresActivesFournisseur.path, {})).status).toBe(500);
    expect((await h.admin('/faults', { method: 'PUT', body: { endpoints: { x: { nonsense: 1 } } } })).status).toBe(400);
  });

  it('answers 429 with Retry-After above N requests per second', async () => {
    await h.admin('/faults', {
      method: 'PUT',
      body: { endpoints: { recupererStructuresActivesFournisseur: { rateLimitRps: 3, retryAfterSeconds: 4 } } },
    });
    // Start at the beginning of a second so the burst stays within one.
    await expect.poll(() => Date.now() % 1000, { timeout: 2_000, interval: 5 }).toBeLessThan(100);
    const statuses: number[] = [];
    const retryAfter: Array<string | null> = [];
    for (let i = 0; i < 5; i++) {
      const res = await raw(ENDPOINTS.recupererStructuresActivesFournisseur.path, {});
      statuses.push(res.status);
      retryAfter.push(res.headers.get('retry-after'));
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(retryAfter[3]).toBe('4');
  });

  it('counts requests per endpoint, per supplier, per second, and deposits per invoice number', async () => {
    await h.admin('/faults', { method: 'PUT', body: {} });
    expect((await h.admin('/counts/reset', { body: {} })).status).toBe(204);
    const file = await sample({ number: 'COUNT-ME-1' });
    const { client } = h.client();
    await client.deposerFlux(SUPPLIER, { fichierFlux: file, nomFichier: 'c.xml', syntaxeFlux: 'IN_DP_E1_UBL_INVOICE' });
    await client.recupererStructuresActivesFournisseur(RECIPIENT);
    const counts = (await (await h.admin('/counts')).json()) as {
      total: number;
      byEndpoint: Record<string, number>;
      bySupplier: Record<string, number>;
      bySecond: Record<string, number>;
      depositsByInvoiceNumber: Record<string, number>;
      maxInAnySecond: number;
    };
    expect(counts.byEndpoint).toMatchObject({ deposerFlux: 1, recupererStructuresActivesFournisseur: 1 });
    expect(counts.bySupplier).toMatchObject({ [SUPPLIER.login]: 1, [RECIPIENT.login]: 1 });
    expect(Object.values(counts.bySecond).reduce((a, b) => a + b, 0)).toBe(counts.total);
    expect(counts.depositsByInvoiceNumber).toEqual({ 'COUNT-ME-1': 1 });
    expect(counts.maxInAnySecond).toBeGreaterThanOrEqual(1);
  });

  it('adds a technical account at run time and shows what it holds of a flux', async () => {
    const added = await h.admin('/accounts', {
      body: { login: 'TECH_ADDED@cpro.fr', password: 'Added-Password-1', structureSirets: ['44306184100047'] },
    });
    expect(added.status).toBe(201);
    const account = { login: 'TECH_ADDED@cpro.fr', password: 'Added-Password-1' };
    const own = await h.client().client.recupererStructuresActivesFournisseur(account);
    expect(own.listeStructures.map((s) => s.identifiant)).toEqual(['44306184100047']);

    const receipt = await h.client().client.deposerFlux(SUPPLIER, {
      fichierFlux: await sample(),
      nomFichier: 'a.xml',
      syntaxeFlux: 'IN_DP_E1_UBL_INVOICE',
    });
    const before = (await (await h.admin(`/fluxes/${receipt.numeroFluxDepot!}`)).json()) as {
      state: string;
      outcome: unknown;
    };
    expect(before).toMatchObject({ state: 'IN_RECU', outcome: null });
    await h.admin('/clock/advance', { body: { ms: 6_000 } });
    const after = (await (await h.admin(`/fluxes/${receipt.numeroFluxDepot!}`)).json()) as {
      state: string;
      outcome: { invoiceIds: number[] };
    };
    expect(after.state).toBe('IN_INTEGRE');
    expect(after.outcome.invoiceIds).toHaveLength(1);
    expect((await h.admin('/fluxes/CPP0000000000000000000001')).status).toBe(404);
  });

  it('forces IN_INCIDENTE on the next flux when asked', async () => {
    await h.admin('/faults', { method: 'PUT', body: { nextFluxState: 'IN_INCIDENTE' } });
    const { client } = h.client();
    const receipt = await client.deposerFlux(SUPPLIER, {
      fichierFlux: await sample(),
      nomFichier: 'i.xml',
      syntaxeFlux: 'IN_DP_E1_UBL_INVOICE',
    });
    await h.admin('/clock/advance', { body: { ms: 6_000 } });
    expect((await client.consulterCRDetaille(SUPPLIER, receipt.numeroFluxDepot!)).etatCourantDepotFlux).toBe(
      'IN_INCIDENTE',
    );
  });
});
