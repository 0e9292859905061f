/** The Chorus Pro client against the simulator, over real HTTP. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChorusAuthError,
  ChorusBusinessError,
  ChorusRateLimitError,
  ChorusTransientError,
} from '../../src/chorus/errors.js';
import { generateSampleInvoice, SYNTAXE_FLUX_OF, type SampleFormat } from '../../scripts/lib/sample-invoices.js';
import {
  CITY_SIRET,
  createChorusHarness,
  EXPIRED_SUPPLIER,
  HOSPITAL_SIRET,
  INACTIVE_SIRET,
  MINISTRY_SIRET,
  RECIPIENT,
  SUPPLIER,
  SUPPLIER_SIRET,
  type ChorusHarness,
} from '../helpers/chorus.js';

let h: ChorusHarness;
beforeAll(async () => {
  h = await createChorusHarness();
});
afterAll(() => h.close());

let sequence = 0;
const nextNumber = () => `CT-${process.pid % 1000}-${++sequence}`;
const FLUX_DONE_MS = 4_000;

async function deposit(format: SampleFormat, overrides: Partial<Parameters<typeof generateSampleInvoice>[0]> = {}) {
  const { client } = h.client();
  const number = overrides.number ?? nextNumber();
  const file = await generateSampleInvoice(
    {
      number,
      issueDate: '2026-11-20',
      supplierSiret: SUPPLIER_SIRET,
      recipientSiret: MINISTRY_SIRET,
      serviceCode: 'SERVICE-BTP',
      amountWithoutVat: '1000.00',
      ...overrides,
    },
    format,
  );
  const receipt = await client.deposerFlux(SUPPLIER, {
    fichierFlux: file,
    nomFichier: `${number}.${format === 'Factur-X' ? 'pdf' : 'xml'}`,
    syntaxeFlux: SYNTAXE_FLUX_OF[format],
  });
  return { client, number, receipt };
}

async function advance(ms: number) {
  expect((await h.admin('/clock/advance', { body: { ms } })).status).toBe(200);
}

describe('deposit, report and search', () => {
  it.each(['UBL', 'CII', 'Factur-X'] as const)(
    'integrates a valid %s invoice and finds it by numeroFluxDepot',
    async (format) => {
      const { client, number, receipt } = await deposit(format);
      expect(receipt.codeRetour).toBe(0);
      expect(receipt.numeroFluxDepot).toMatch(/^CPP\d{22}$/);

      const early = await client.consulterCRDetaille(SUPPLIER, receipt.numeroFluxDepot!);
      expect([
        'IN_RECU',
        'IN_TRAITE_SE_CPP',
        'IN_EN_COURS_TRAITEMENT_CPP',
        'IN_DEPOT_PORTAIL_EN_ATTENTE_TRAITEMENT_SE_CPP',
      ]).toContain(early.etatCourantDepotFlux);

      await advance(FLUX_DONE_MS);
      const report = await client.consulterCRDetaille(SUPPLIER, receipt.numeroFluxDepot!);
      expect(report.etatCourantDepotFlux).toBe('IN_INTEGRE');
      expect(report.listeErreurDP).toEqual([]);

      const found = await client.rechercherFactureParFournisseur(SUPPLIER, {
        numeroFluxDepot: receipt.numeroFluxDepot!,
      });
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({
        numeroFacture: number,
        statut: 'DEPOSEE',
        codeDestinataire: MINISTRY_SIRET,
        montantTTC: 1200,
      });

      await advance(2_000);
      const history = await client.consulterHistoriqueFacture(SUPPLIER, found[0]!.identifiantFactureCPP);
      expect(history.statutCourantCode).toBe('MISE_A_DISPOSITION');
      expect(history.historiquesDesStatuts?.histoStatut.map((s) => s.histoStatutCode)).toEqual([
        'DEPOSEE',
        'EN_COURS_ACHEMINEMENT',
        'MISE_A_DISPOSITION',
      ]);

      const consulted = await client.consulterFactureParFournisseur(SUPPLIER, found[0]!.identifiantFactureCPP);
      expect(consulted.facture).toMatchObject({ numeroFacture: number, statutFacture: 'MISE_A_DISPOSITION' });
    },
  );

  it('rejects an invoice without the service code its recipient requires, and integrates it when given', async () => {
    const without = await deposit('UBL', { serviceCode: null });
    await advance(FLUX_DONE_MS);
    const rejected = await without.client.consulterCRDetaille(SUPPLIER, without.receipt.numeroFluxDepot!);
    expect(rejected.etatCourantDepotFlux).toBe('IN_REJETE');
    expect(rejected.listeErreurDP).toHaveLength(1);
    expect(rejected.listeErreurDP[0]).toMatchObject({
      numeroDP: without.number,
      identifiantDestinataire: MINISTRY_SIRET,
    });
    expect(rejected.listeErreurDP[0]!.libelleErreurDP).toMatch(/code service .*obligatoire/i);

    const withIt = await deposit('UBL', { serviceCode: 'SERVICE-BTP' });
    await advance(FLUX_DONE_MS);
    expect(
      (await withIt.client.consulterCRDetaille(SUPPLIER, withIt.receipt.numeroFluxDepot!)).etatCourantDepotFlux,
    ).toBe('IN_INTEGRE');
  });

  it.each([
    ['an unknown recipient', { recipientSiret: '44306184100047' }, /destinataire .*n'est pas reference/i],
    ['an inactive recipient', { recipientSiret: INACTIVE_SIRET }, /inactive/i],
    ['an unknown service code', { serviceCode: 'NO-SUCH-SERVICE' }, /n'existe pas/i],
    ['an inactive service', { serviceCode: 'SERVICE-FERME' }, /inactif/i],
    ['a service that requires an engagement number', { serviceCode: 'SERVICE-EJ' }, /engagement .*obligatoire/i],
    [
      'a structure that requires an engagement number',
      { recipientSiret: CITY_SIRET, serviceCode: null },
      /engagement .*obligatoire/i,
    ],
    [
      'a structure that requires one or the other',
      { recipientSiret: HOSPITAL_SIRET, serviceCode: null },
      /engagement ou le code service/i,
    ],
  ])('refuses %s with a Chorus-worded error line', async (_label, overrides, message) => {
    const { client, receipt } = await deposit('CII', overrides);
    await advance(FLUX_DONE_MS);
    const report = await client.consulterCRDetaille(SUPPLIER, receipt.numeroFluxDepot!);
    expect(report.etatCourantDepotFlux).toBe('IN_REJETE');
    expect(report.listeErreurDP[0]?.libelleErreurDP).toMatch(message);
  });

  it('refuses a number the supplier already used', async () => {
    const first = await deposit('UBL');
    await advance(FLUX_DONE_MS);
    const again = await deposit('UBL', { number: first.number });
    await advance(FLUX_DONE_MS);
    const report = await again.client.consulterCRDetaille(SUPPLIER, again.receipt.numeroFluxDepot!);
    expect(report.etatCourantDepotFlux).toBe('IN_REJETE');
    expect(report.listeErreurDP[0]?.libelleErreurDP).toMatch(/déjà été déposée/);
  });

  it('rejects an unreadable file with listeErreurTechnique', async () => {
    const { client } = h.client();
    const receipt = await client.deposerFlux(SUPPLIER, {
      fichierFlux: Buffer.from('%PDF-1.7 not a factur-x'),
      nomFichier: 'broken.pdf',
      syntaxeFlux: 'IN_DP_E2_CII_FACTURX',
    });
    await advance(FLUX_DONE_MS);
    const report = await client.consulterCRDetaille(SUPPLIER, receipt.numeroFluxDepot!);
    expect(report.etatCourantDepotFlux).toBe('IN_REJETE');
    expect(report.listeErreurTechnique[0]?.libelleErreur).toMatch(/Factur-X/);
  });

  it('integrates a tar.gz batch partially when only some invoices are good', async () => {
    const { writeTarGz } = await import('../../src/invoices/einvoice/archive.js');
    const good = nextNumber();
    const bad = nextNumber();
    const files = [
      {
        name: `${good}.pdf`,
        content: await generateSampleInvoice(
          {
            number: good,
            issueDate: '2026-11-20',
            supplierSiret: SUPPLIER_SIRET,
            recipientSiret: MINISTRY_SIRET,
            serviceCode: 'SERVICE-BTP',
            amountWithoutVat: '10.00',
          },
          'Factur-X',
        ),
      },
      {
        name: `${bad}.pdf`,
        content: await generateSampleInvoice(
          {
            number: bad,
            issueDate: '2026-11-20',
            supplierSiret: SUPPLIER_SIRET,
            recipientSiret: MINISTRY_SIRET,
            amountWithoutVat: '10.00',
          },
          'Factur-X',
        ),
      },
    ];
    const { client } = h.client();
    const receipt = await client.deposerFlux(SUPPLIER, {
      fichierFlux: writeTarGz(files, new Date()),
      nomFichier: 'lot.tar.gz',
      syntaxeFlux: 'IN_DP_E2_CII_FACTURX',
    });
    await advance(FLUX_DONE_MS);
    const report = await client.consulterCRDetaille(SUPPLIER, receipt.numeroFluxDepot!);
    expect(report.etatCourantDepotFlux).toBe('IN_INTEGRE_PARTIEL');
    expect(report.listeErreurDP.map((e) => e.numeroDP)).toEqual([bad]);
    const found = await client.rechercherFactureParFournisseur(SUPPLIER, { numeroFluxDepot: receipt.numeroFluxDepot! });
    expect(found.map((f) => f.numeroFacture)).toEqual([good]);
  });
});

describe('follow-up actions and the recipient back door', () => {
  async function integrated() {
    const d = await deposit('UBL');
    await advance(FLUX_DONE_MS + 2_000);
    const [invoice] = await d.client.rechercherFactureParFournisseur(SUPPLIER, {
      numeroFluxDepot: d.receipt.numeroFluxDepot!,
    });
    return { ...d, id: invoice!.identifiantFactureCPP };
  }

  it('recycles an A_RECYCLER invoice with new routing, and it is made available again', async () => {
    const { client, id } = await integrated();
    const recipient = h.client().client;
    await recipient.call('traiterFactureRecue', RECIPIENT, {
      idFacture: id,
      nouveauStatut: 'A_RECYCLER',
      motif: 'Mauvais service destinataire',
    });
    const recycled = await client.recyclerFacture(SUPPLIER, {
      identifiantFactureCPP: id,
      destinataire: { codeDestinataire: MINISTRY_SIRET, codeServiceExecutant: 'SERVICE-EJ' },
      reference: { numeroBonCommande: 'EJ-2026-0001' },
      commentaire: 'Service corrigé',
    });
    expect(recycled).toMatchObject({ identifiantFactureCPP: id, statutFacture: 'DEPOSEE' });
    await advance(2_000);
    const history = await client.consulterHistoriqueFacture(SUPPLIER, id);
    expect(history.statutCourantCode).toBe('MISE_A_DISPOSITION');
    expect(
      history.historiquesDesStatuts?.histoStatut.find((s) => s.histoStatutCode === 'A_RECYCLER')
        ?.histoStatutCommentaire,
    ).toBe('Mauvais service destinataire');
  });

  it('completes a SUSPENDUE invoice, which becomes COMPLETEE', async () => {
    const { client, id } = await integrated();
    expect(
      (
        await h.admin('/recipient/traiter', {
          body: { idFacture: id, nouveauStatut: 'SUSPENDUE', motif: 'Attestation manquante' },
        })
      ).status,
    ).toBe(200);
    const completed = await client.completerFacture(SUPPLIER, {
      identifiantFactureCPP: id,
      commentaire: 'Attestation jointe',
    });
    expect(completed.identifiantFactureCPP).toBe(id);
    expect((await client.consulterHistoriqueFacture(SUPPLIER, id)).statutCourantCode).toBe('COMPLETEE');
  });

  it('refuses to recycle an invoice that is not A_RECYCLER, as a business error', async () => {
    const { client, id } = await integrated();
    const error = await client
      .recyclerFacture(SUPPLIER, { identifiantFactureCPP: id, destinataire: { codeDestinataire: MINISTRY_SIRET } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChorusBusinessError);
    expect((error as ChorusBusinessError).info.codeRetour).toBeGreaterThan(0);
  });

  it('records every recipient decision with its reason and date', async () => {
    const { client, id } = await integrated();
    for (const [status, motif] of [
      ['SERVICE_FAIT', ''],
      ['MANDATEE', ''],
      ['MISE_EN_PAIEMENT', ''],
    ] as const) {
      expect(
        (await h.admin('/recipient/traiter', { body: { idFacture: id, nouveauStatut: status, motif } })).status,
      ).toBe(200);
    }
    const history = await client.consulterHistoriqueFacture(SUPPLIER, id);
    expect(history.historiquesDesStatuts?.histoStatut.map((s) => s.histoStatutCode).slice(-3)).toEqual([
      'SERVICE_FAIT',
      'MANDATEE',
      'MISE_EN_PAIEMENT',
    ]);
    expect((await h.admin('/recipient/traiter', { body: { idFacture: id, nouveauStatut: 'REJETEE' } })).status).toBe(
      409,
    );
  });
});

describe('structures', () => {
  it('finds a recipient structure, its flags, its services and their flags', async () => {
    const { client } = h.client();
    const [structure] = await client.rechercherStructure(SUPPLIER, CITY_SIRET);
    expect(structure).toMatchObject({ identifiantStructure: CITY_SIRET, statut: 'ACTIVE' });
    const detail = await client.consulterStructure(SUPPLIER, structure!.idStructureCPP);
    expect(detail.parametres).toMatchObject({ numeroEJDoitEtreRenseigne: true, codeServiceDoitEtreRenseigne: false });
    const ministry = (await client.rechercherStructure(SUPPLIER, MINISTRY_SIRET))[0]!;
    const services = await client.rechercherServicesStructure(SUPPLIER, ministry.idStructureCPP);
    expect(services.map((s) => s.codeService)).toEqual(['SERVICE-BTP', 'SERVICE-EJ', 'SERVICE-FERME']);
    const ej = services.find((s) => s.codeService === 'SERVICE-EJ')!;
    expect(
      (await client.consulterServiceStructure(SUPPLIER, ministry.idStructureCPP, ej.idService)).parametres
        ?.numeroEngagement,
    ).toBe(true);
  });

  it('gives the supplier its own structures and its password expiry date', async () => {
    const { client } = h.client();
    const own = await client.recupererStructuresActivesFournisseur(SUPPLIER);
    expect(own.listeStructures.map((s) => s.identifiant)).toContain(SUPPLIER_SIRET);
    const detail = await client.consulterStructure(SUPPLIER, own.listeStructures[0]!.idStructureCPP);
    // The demo account's password has no date in the seed: it expires 424 days (docs/chorus-pro-notes.md, "Reaching
    // Chorus Pro") after the simulator started.
    const expires = Date.parse(detail.informationGenerales!.dateExpirationMotPasseCompteTech!);
    expect(Math.abs(expires - (Date.now() + 424 * 86_400_000))).toBeLessThan(10 * 60_000);
    expect(detail.informationGenerales?.dateExpirationMotPasseCompteTech).toMatch(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0[12]:00$/,
    );
    expect(await client.healthCheck(SUPPLIER)).toBe(true);
  });

  it('returns an empty list for a SIRET nobody has', async () => {
    expect(await h.client().client.rechercherStructure(SUPPLIER, '35600000049837')).toEqual([]);
  });
});

describe('error classes', () => {
  it('auth (application): wrong PISTE credentials', async () => {
    const error = await h
      .client({ clientSecret: 'wrong', prefix: `${h.prefix}-wrong` })
      .client.recupererStructuresActivesFournisseur(SUPPLIER)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChorusAuthError);
    expect((error as ChorusAuthError).reason).toBe('application');
  });

  it('auth (technical account): wrong password, and a password that expired', async () => {
    for (const account of [{ ...SUPPLIER, password: 'wrong' }, EXPIRED_SUPPLIER]) {
      const error = await h
        .client()
        .client.recupererStructuresActivesFournisseur(account)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ChorusAuthError);
      expect((error as ChorusAuthError).reason).toBe('technical-account');
    }
  });

  it('transient: 503 maintenance and 500, retried within the call for reads', async () => {
    const { client } = h.client({ blipRetries: 2 });
    await h.admin('/faults', {
      method: 'PUT',
      body: { endpoints: { recupererStructuresActivesFournisseur: { failNext: [{ status: 503, count: 2 }] } } },
    });
    expect((await client.recupererStructuresActivesFournisseur(SUPPLIER)).codeRetour).toBe(0);

    await h.admin('/faults', {
      method: 'PUT',
      body: { endpoints: { recupererStructuresActivesFournisseur: { failNext: [{ status: 500, count: 3 }] } } },
    });
    const error = await client.recupererStructuresActivesFournisseur(SUPPLIER).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChorusTransientError);
    expect((error as ChorusTransientError).info.httpStatus).toBe(500);
    await h.admin('/faults', { method: 'PUT', body: {} });
  });

  it('transient with maybeDelivered: a deposit that times out is not sent again', async () => {
    const { client } = h.client({ timeoutMs: 300, blipRetries: 2 });
    await h.admin('/faults', {
      method: 'PUT',
      body: { endpoints: { deposerFlux: { failNext: [{ status: 0, count: 1 }] } } },
    });
    const before = h.simulator.counter.byEndpoint.get('deposerFlux') ?? 0;
    const error = await client
      .deposerFlux(SUPPLIER, {
        fichierFlux: Buffer.from('<x/>'),
        nomFichier: 'x.xml',
        syntaxeFlux: 'IN_DP_E1_UBL_INVOICE',
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChorusTransientError);
    expect((error as ChorusTransientError).maybeDelivered).toBe(true);
    expect(h.simulator.counter.byEndpoint.get('deposerFlux')).toBe(before + 1);
    await h.admin('/faults', { method: 'PUT', body: {} });
  });

  it('rate-limited: a 429 slows every caller down for its Retry-After', async () => {
    const a = h.client().client;
    const b = h.client().client;
    await h.admin('/faults', {
      method: 'PUT',
      body: { endpoints: { '*': { failNext: [{ status: 429, count: 1, retryAfterSeconds: 2 }] } } },
    });
    const first = await a.recupererStructuresActivesFournisseur(SUPPLIER).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(ChorusRateLimitError);
    expect((first as ChorusRateLimitError).retryAfterMs).toBe(2000);
    const sent = h.simulator.counter.total;
    const second = await b.recupererStructuresActivesFournisseur(SUPPLIER).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(ChorusRateLimitError);
    expect((second as ChorusRateLimitError).retryAfterMs).toBeGreaterThan(1000);
    expect(h.simulator.counter.total).toBe(sent); // the other caller did not even ask
    // Once Retry-After has passed, the same caller gets through; until then, none of its tries left the process.
    const limitedAt = Date.now();
    await expect
      .poll(
        () =>
          b.recupererStructuresActivesFournisseur(SUPPLIER).then(
            (r) => r.codeRetour,
            () => 'still paused',
          ),
        { timeout: 5_000, interval: 100 },
      )
      .toBe(0);
    expect(Date.now() - limitedAt).toBeGreaterThanOrEqual(900);
    expect(h.simulator.counter.total).toBe(sent + 1);
  });

  it('business: a refused request carries Chorus codeRetour and libelle, as 200 or as 400', async () => {
    for (const businessErrorStatus of [200, 400]) {
      await h.admin('/variants', { method: 'PUT', body: { businessErrorStatus } });
      const error = await h
        .client()
        .client.consulterCRDetaille(SUPPLIER, 'CPP0000000000000000000000')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ChorusBusinessError);
      expect((error as ChorusBusinessError).info).toMatchObject({ httpStatus: businessErrorStatus, codeRetour: 20001 });
      expect((error as ChorusBusinessError).info.libelle).toMatch(/TRA_MSG/);
    }
    await h.admin('/variants', { method: 'PUT', body: { businessErrorStatus: 200 } });
  });
});

describe('PISTE token', () => {
  it('20 concurrent callers without a token cause exactly one token request, across two token caches', async () => {
    const prefix = `${h.prefix}-twenty`;
    const one = h.client({ prefix });
    const two = h.client({ prefix });
    const before = h.simulator.counter.byEndpoint.get('oauthToken') ?? 0;
    const calls = Array.from({ length: 20 }, (_, i) =>
      (i % 2 === 0 ? one : two).client.recupererStructuresActivesFournisseur(SUPPLIER),
    );
    const results = await Promise.all(calls);
    expect(results.every((r) => r.codeRetour === 0)).toBe(true);
    expect((h.simulator.counter.byEndpoint.get('oauthToken') ?? 0) - before).toBe(1);
    expect(one.tokens.fetchCount + two.tokens.fetchCount).toBe(1);
  });

  it('a token that expired at PISTE is dropped and fetched again once, still one request for 20 callers', async () => {
    const { client, tokens } = h.client();
    await client.recupererStructuresActivesFournisseur(SUPPLIER);
    expect((await h.admin('/tokens/expire', { body: {} })).status).toBe(204);
    const before = h.simulator.counter.byEndpoint.get('oauthToken') ?? 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => client.recupererStructuresActivesFournisseur(SUPPLIER)),
    );
    expect(results.every((r) => r.codeRetour === 0)).toBe(true);
    expect((h.simulator.counter.byEndpoint.get('oauthToken') ?? 0) - before).toBe(1);
    expect(tokens.fetchCount).toBeGreaterThanOrEqual(1);
  });

  it('a caller that reads the cache while another caller drops a refused token does not bring it back', async () => {
    const { client, tokens } = h.client({ prefix: `${h.prefix}-refused` });
    await client.recupererStructuresActivesFournisseur(SUPPLIER);
    const refused = await tokens.getToken();
    expect((await h.admin('/tokens/expire', { body: {} })).status).toBe(204);
    // The second caller asks while the first caller's invalidation is still between its read and its delete
    // in Redis: on one connection, its read is answered before that delete.
    const [, meanwhile] = await Promise.all([tokens.invalidate(refused), tokens.getToken()]);
    expect(meanwhile).not.toBe(refused);
    expect(await tokens.getToken()).not.toBe(refused);
    expect((await client.recupererStructuresActivesFournisseur(SUPPLIER)).codeRetour).toBe(0);
  });

  it('is refreshed before it expires: a token about to expire is not used', async () => {
    await h.admin('/faults', { method: 'PUT', body: { tokenLifetimeSeconds: 30 } });
    const { client } = h.client({ prefix: `${h.prefix}-short` });
    const before = h.simulator.counter.byEndpoint.get('oauthToken') ?? 0;
    await client.recupererStructuresActivesFournisseur(SUPPLIER);
    await client.recupererStructuresActivesFournisseur(SUPPLIER);
    // 30 s of life is inside the 60 s margin: every call asks for a fresh one rather than risk a 401.
    expect((h.simulator.counter.byEndpoint.get('oauthToken') ?? 0) - before).toBe(2);
    await h.admin('/faults', { method: 'PUT', body: {} });
  });

  it('stores the shared token sealed in Redis, never in clear', async () => {
    const { client } = h.client({ prefix: `${h.prefix}-sealed` });
    await client.recupererStructuresActivesFournisseur(SUPPLIER);
    const keys = (await h.redis.keys(`${h.prefix}-sealed:piste-token:*`)).filter((k) => !k.endsWith(':lock'));
    expect(keys).toHaveLength(1);
    const value = (await h.redis.get(keys[0]!))!;
    expect(value).toMatch(/^v2\.[0-9a-f]{8}\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(value).not.toMatch(/access_token|token"|expiresAt/);
  });
});
