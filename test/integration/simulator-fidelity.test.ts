/**
 * Where production clients met surprises, the simulator behaves as the references say Chorus Pro does
 * (docs/chorus-pro-notes.md), and the client copes: the 200-result cap and sorting, the
 * 13th flux state, the answered syntaxeFlux, business errors numbered per service, the password's expiry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChorusBusinessError } from '../../src/chorus/errors.js';
import { ENDPOINTS, type EndpointName } from '../../src/chorus/contract/endpoints.js';
import {
  CITY_SIRET,
  createChorusHarness,
  SUPPLIER,
  SUPPLIER_SIRET,
  type ChorusHarness,
  ublSamples,
} from '../helpers/chorus.js';
import { SWAGGER_DEFINITIONS } from '../helpers/swagger.js';

let h: ChorusHarness;
beforeAll(async () => {
  h = await createChorusHarness();
});
afterAll(() => h.close());

const DAY_MS = 86_400_000;
const sample = ublSamples('FID');

/** A call as any client would write it, with our own paging: the raw answer, not the client's reading. */
async function raw(name: EndpointName, body: unknown): Promise<Record<string, unknown>> {
  const token = await h.client().tokens.getToken();
  const res = await fetch(`${h.simulator.url}${ENDPOINTS[name].path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'cpro-account': Buffer.from(`${SUPPLIER.login}:${SUPPLIER.password}`).toString('base64'),
      'content-type': 'application/json;charset=utf-8',
    },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

const seed = async (count: number, numberPrefix: string, agoMs: number) =>
  (await (
    await h.admin('/invoices/seed', {
      body: { supplierSiret: SUPPLIER_SIRET, recipientSiret: CITY_SIRET, count, numberPrefix, agoMs },
    })
  ).json()) as Array<{
    id: number;
    number: string;
  }>;

describe('rechercher/fournisseur: at most nbResultatsMaximum results, sorted as asked', () => {
  it('stops at 200 by default, after sorting by deposit date, newest first (CS17)', async () => {
    const older = await seed(150, 'OLD-', 20 * DAY_MS);
    const newer = await seed(100, 'NEW-', 2 * DAY_MS);
    const page = (n: number, extra: Record<string, unknown> = {}) =>
      raw('rechercherFactureParFournisseur', {
        rechercheFactureParFournisseur: { pageResultatDemandee: n, nbResultatsParPage: 100, ...extra },
      });
    const first = await page(1);
    expect(first.parametresRetour).toMatchObject({ total: 200, pages: 2, nbResultatsParPage: 100 });
    const listed = [
      ...(first.listeFactures as Array<{ numeroFacture: string }>),
      ...((await page(2)).listeFactures as Array<{ numeroFacture: string }>),
    ];
    expect((await page(3)).listeFactures).toEqual([]);
    const numbers = listed.map((i) => i.numeroFacture);
    // Newest first: all 100 recent ones, then 100 of the 150 older; 50 older ones lie past the cap.
    expect(numbers.slice(0, 100).every((n) => n.startsWith('NEW-'))).toBe(true);
    expect(new Set(numbers.filter((n) => n.startsWith('OLD-'))).size).toBe(100);
    expect(newer).toHaveLength(100);
    expect(older).toHaveLength(150);

    const more = await page(1, { nbResultatsMaximum: 1000, triColonne: 'NumeroFacture', triSens: 'Ascendant' });
    expect(more.parametresRetour).toMatchObject({ total: 250, pages: 3 });
    const ascending = (more.listeFactures as Array<{ numeroFacture: string }>).map((i) => i.numeroFacture);
    expect(ascending).toEqual([...ascending].sort());
  });
});

describe('deposits', () => {
  it('a flux goes through IN_DEPOT_PORTAIL_EN_ATTENTE_TRAITEMENT_SE_CPP just before its final state', async () => {
    const { client } = h.client();
    const receipt = await client.deposerFlux(SUPPLIER, {
      fichierFlux: await sample(),
      nomFichier: 'f.xml',
      syntaxeFlux: 'IN_DP_E1_UBL_INVOICE',
    });
    const seen: string[] = [];
    for (let step = 0; step < 6; step++) {
      const state = (await client.consulterCRDetaille(SUPPLIER, receipt.numeroFluxDepot!)).etatCourantDepotFlux!;
      if (seen.at(-1) !== state) seen.push(state);
      await h.admin('/clock/advance', { body: { ms: 1000 } });
    }
    expect(seen.at(-1)).toBe('IN_INTEGRE');
    expect(seen.at(-2)).toBe('IN_DEPOT_PORTAIL_EN_ATTENTE_TRAITEMENT_SE_CPP');
    expect(seen[0]).toBe('IN_RECU');
  });

  it('deposer/flux answers a syntaxeFlux of the Swagger output enum, and none for the two values that enum lacks', async () => {
    const answered = SWAGGER_DEFINITIONS.WsRetourDeposerFluxFacture!.properties!.syntaxeFlux!.enum!;
    const ubl = await raw('deposerFlux', {
      fichierFlux: (await sample()).toString('base64'),
      nomFichier: 'a.xml',
      syntaxeFlux: 'IN_DP_E1_UBL_INVOICE',
    });
    expect(answered).toContain(ubl.syntaxeFlux);
    const archive = await raw('deposerFlux', {
      fichierFlux: (await sample()).toString('base64'),
      nomFichier: 'b.xml',
      syntaxeFlux: 'IN_DP_PDFARCHIVE_UBL_INVOICE_MUG',
    });
    expect(archive.codeRetour).toBe(0);
    // Production writes every declared property: an unset one is null.
    expect(archive.syntaxeFlux).toBeNull();
  });
});

describe('business errors: service + code + message key', () => {
  it('the same code means different things in different services', async () => {
    const unknownFlux = await raw('consulterCRDetaille', { numeroFluxDepot: 'CPP0000000000000000000000' });
    const tooLarge = await raw('deposerFlux', {
      fichierFlux: Buffer.alloc(10 * 1024 * 1024 + 3).toString('base64'),
      nomFichier: 'big.xml',
      syntaxeFlux: 'IN_DP_E1_UBL_INVOICE',
    });
    expect(unknownFlux.codeRetour).toBe(20001);
    expect(tooLarge.codeRetour).toBe(20001);
    expect(String(unknownFlux.libelle)).toMatch(/^TRA_MSG_00\.012/);
    expect(String(tooLarge.libelle)).toMatch(/^GDP_MSG_11\.022/);
  });

  it('a refusal of completer numbered 20007 is a refusal, not the "no result" 20007 of a works search', async () => {
    const [invoice] = await seed(1, 'CMP-', 0);
    const { client } = h.client();
    const refused = await client
      .completerFacture(SUPPLIER, { identifiantFactureCPP: invoice!.id, commentaire: 'PV joint' })
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(refused).toBeInstanceOf(ChorusBusinessError);
    expect((refused as ChorusBusinessError).info).toMatchObject({ codeRetour: 20007 });
    expect((refused as ChorusBusinessError).info.libelle).toMatch(/^FAC_MSG_04\.001/);
  });

  it('a libellé as the message key alone, when that variant is on', async () => {
    await h.admin('/variants', { method: 'PUT', body: { errorLibelle: 'key' } });
    try {
      expect(await raw('consulterCRDetaille', { numeroFluxDepot: 'CPP0000000000000000000001' })).toEqual({
        codeRetour: 20001,
        libelle: 'TRA_MSG_00.012',
      });
    } finally {
      await h.admin('/variants', { method: 'PUT', body: { errorLibelle: 'key-and-text' } });
    }
  });
});

describe('the technical account password, changed every 424 days', () => {
  it('shows its expiry in consulter, and is refused the day after', async () => {
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const changed = Date.now() - 400 * DAY_MS;
    const created = await h.admin('/accounts', {
      body: {
        login: 'TECH_424@cpro.fr',
        password: 'P-424',
        structureSirets: [SUPPLIER_SIRET],
        passwordChangedAt: day(changed),
      },
    });
    expect(created.status).toBe(201);
    const account = { login: 'TECH_424@cpro.fr', password: 'P-424' };
    const { client } = h.client();
    const own = await client.recupererStructuresActivesFournisseur(account);
    const detail = await client.consulterStructure(account, own.listeStructures[0]!.idStructureCPP);
    const expires = Date.parse(detail.informationGenerales!.dateExpirationMotPasseCompteTech!);
    expect(Math.abs(expires - (Date.parse(day(changed)) + 424 * DAY_MS))).toBeLessThan(DAY_MS);
    await h.admin('/accounts', {
      body: { ...account, structureSirets: [SUPPLIER_SIRET], passwordChangedAt: day(Date.now() - 425 * DAY_MS) },
    });
    await expect(client.recupererStructuresActivesFournisseur(account)).rejects.toMatchObject({
      kind: 'auth',
      reason: 'technical-account',
    });
  });
});

describe('engagements juridiques', () => {
  it('finds an engagement the recipient issued, in its state, and nothing else', async () => {
    const city = (await h.client().client.rechercherStructure(SUPPLIER, CITY_SIRET))[0]!;
    const search = (numero: string, etat = 'COMMANDE') =>
      raw('rechercherEngagementJuridique', {
        structureReceptriceEngagementJuridique: String(city.idStructureCPP),
        numeroEngagementJuridique: numero,
        etatCourantEngagementJuridique: etat,
      });
    expect((await search('EJ-2026-0042')).listeEngagementJuridique).toEqual([
      {
        numeroEngagementJuridique: 'EJ-2026-0042',
        etatCourantEngagementJuridique: 'COMMANDE',
        montantEngagementJuridique: 250000,
      },
    ]);
    expect((await search('EJ-2025-0007')).listeEngagementJuridique).toEqual([]);
    expect((await search('EJ-INCONNU')).listeEngagementJuridique).toEqual([]);
  });
});
