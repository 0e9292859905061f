/**
 * An HTTP server that plays PISTE and Chorus Pro, faithful to the official contract: the OAuth token
 * endpoint, the gateway checks in the reference's order, request bodies validated against our schemas of the
 * official Swagger, and answers shaped like Chorus Pro's. `/simulator/*` is its admin API (faults, clock,
 * counts, the recipient's back door); it has no auth, so the simulator listens on 127.0.0.1 by default.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { Server, Socket } from 'node:net';
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { ENDPOINTS, HEALTH_CHECK_PATH, type ChorusApi, type EndpointName } from '../chorus/contract/endpoints.js';
import { parseChorusDate } from '../chorus/contract/common.js';
import { INVOICE_STATUSES, type InvoiceStatus } from '../chorus/statuses.js';
import { RequestCounter } from './counters.js';
import { Faults, type FaultSettings } from './faults.js';
import { loadSeed, type Seed, type SimAccount } from './model.js';
import { consultedInvoice, dayParis, isoParis, searchItem, shortParis, structureItem } from './present.js';
import { ChorusWorld, WorldError, type WorldTiming } from './world.js';

/** Switches for behaviours the reference marks unconfirmed: the client must cope with every variant. */
export const variantsSchema = z.strictObject({
  /** Business errors as HTTP 200 or 400, both with the `codeRetour`/`libelle` envelope. */
  businessErrorStatus: z.union([z.literal(200), z.literal(400)]).default(200),
  /** Lists with one element sent as a bare object (listeStructures, listeErreurDP...). */
  singleObjectLists: z.boolean().default(false),
  /** History dates as `YYYY-MM-DD HH:MM` (what production clients report) or as ISO-8601. */
  historyDateFormat: z.enum(['iso', 'short']).default('short'),
  /** An empty search as an empty list, or as codeRetour 20000 `TRA_MSG_00.015`. */
  emptySearch: z.enum(['empty-list', 'no-result-code']).default('empty-list'),
  /** After IN_INTEGRE_PARTIEL, leave out the error lines (seen in production). */
  omitErrorLinesOnPartial: z.boolean().default(false),
});
export type Variants = z.infer<typeof variantsSchema>;

export interface SimulatorOptions {
  port?: number;
  host?: string;
  seed?: Seed;
  timing?: Partial<WorldTiming>;
  faults?: Partial<FaultSettings>;
  variants?: Partial<Variants>;
}

export interface Simulator {
  url: string;
  world: ChorusWorld;
  faults: Faults;
  counter: RequestCounter;
  variants: Variants;
  /** Forget every issued token (the next call of each client gets a 401). */
  expireTokens(): void;
  close(): Promise<void>;
}

const PISTE_ACCOUNT_CHALLENGE = 'Bearer realm="PISTE",error="Unauthorized",error_description="login or password incorrects"';
const PISTE_TOKEN_CHALLENGE = 'Bearer realm="PISTE",error="invalid_token",error_description="The access token is missing, invalid or expired"';

const ROUTES = new Map<string, EndpointName>(Object.entries(ENDPOINTS).map(([name, e]) => [e.path, name as EndpointName]));

type Handler = (account: SimAccount, body: Record<string, unknown>) => Record<string, unknown>;

/** A base64 file of at most 10 Mo, as Chorus Pro takes them (fluxes, attachments). */
function decodeFile(value: unknown, notBase64: string, tooLarge: string): Buffer {
  const content = typeof value === 'string' ? value : '';
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(content) || content.length % 4 !== 0 || content.length === 0) throw new WorldError(20002, notBase64);
  const bytes = Buffer.from(content, 'base64');
  if (bytes.length > 10 * 1024 * 1024) throw new WorldError(20001, tooLarge);
  return bytes;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const seed = options.seed ?? loadSeed();
  const world = new ChorusWorld(seed, { fluxStepMs: 1000, invoiceStepMs: 1000, ...options.timing });
  const faults = new Faults(options.faults);
  const counter = new RequestCounter();
  const variants: Variants = variantsSchema.parse(options.variants ?? {});
  const tokens = new Map<string, { clientId: string; expiresAt: number }>();

  const list = <T>(items: T[]): T[] | T => (variants.singleObjectLists && items.length === 1 ? items[0]! : items);
  const ok = (libelle: string, body: Record<string, unknown>) => ({ codeRetour: 0, libelle, ...body });
  const noResult = () => ({ codeRetour: 20000, libelle: 'TRA_MSG_00.015' });
  const paginate = <T>(items: T[], page: unknown, perPage: unknown) => {
    const size = typeof perPage === 'number' && perPage > 0 ? perPage : 10;
    const current = typeof page === 'number' && page > 0 ? page : 1;
    return {
      slice: items.slice((current - 1) * size, current * size),
      parametresRetour: { pageCourante: current, pages: Math.max(1, Math.ceil(items.length / size)), nbResultatsParPage: size, total: items.length },
    };
  };
  const historyDate = (ms: number) => (variants.historyDateFormat === 'short' ? shortParis(ms) : isoParis(ms));

  const handlers: Record<EndpointName, Handler> = {
    deposerFlux: (account, body) => {
      const bytes = decodeFile(body.fichierFlux, 'GDP_MSG_11.020 Le fichier du flux doit être encodé en base64.', 'GDP_MSG_11.022');
      const forced = faults.settings.nextFluxState;
      const stuckIn = faults.settings.nextFluxStuckIn;
      faults.settings.nextFluxState = null;
      faults.settings.nextFluxStuckIn = null;
      const flux = world.deposit(account.login, typeof body.nomFichier === 'string' ? body.nomFichier : 'flux', String(body.syntaxeFlux), bytes, forced);
      if (stuckIn) flux.stuckIn = stuckIn;
      return ok('GCU_MSG_01_000', { numeroFluxDepot: flux.number, dateDepot: dayParis(flux.depositedAt), syntaxeFlux: flux.syntaxeFlux });
    },
    consulterCRDetaille: (account, body) => {
      const flux = world.fluxes.get(String(body.numeroFluxDepot));
      if (!flux || flux.login !== account.login) throw new WorldError(20001, 'TRA_MSG_00.012 Le flux demandé est introuvable.');
      const { state, at } = world.fluxState(flux);
      const outcome = flux.outcome;
      const omit = variants.omitErrorLinesOnPartial && outcome?.state === 'IN_INTEGRE_PARTIEL';
      return ok('TRA_MSG_00.000', {
        numeroFluxDepot: flux.number,
        codeInterfaceDepotFlux: 'FSO1110A',
        dateDepotFlux: isoParis(flux.depositedAt),
        dateHeureEtatCourantFlux: isoParis(at),
        etatCourantDepotFlux: state,
        nomFichier: `FSO1110A_CPP001_${flux.number}`,
        ...(outcome && outcome.erreursDP.length > 0 && !omit ? { listeErreurDP: list(outcome.erreursDP) } : {}),
        ...(outcome && outcome.erreursTechniques.length > 0 ? { listeErreurTechnique: list(outcome.erreursTechniques) } : {}),
      });
    },
    rechercherFactureParFournisseur: (account, body) => {
      const from = (v: unknown) => (v === undefined ? null : (parseChorusDate(v)?.getTime() ?? null));
      const depositFrom = from(body.periodeDateDepotDu);
      const depositTo = from(body.periodeDateDepotAu);
      const stateFrom = from(body.periodeDateHeureEtatCourantDu);
      const stateTo = from(body.periodeDateHeureEtatCourantAu);
      const statuses = Array.isArray(body.statutCourant) ? (body.statutCourant as string[]) : null;
      // A date-only upper bound covers that whole day.
      const upper = (raw: unknown, ms: number | null) => (ms !== null && typeof raw === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(raw) ? ms + 86_400_000 - 1 : ms);
      const matches = world
        .invoicesOf(account)
        .filter((i) => body.numeroFluxDepot === undefined || i.fluxNumber === body.numeroFluxDepot)
        .filter((i) => body.numeroFacture === undefined || i.number === body.numeroFacture)
        .filter((i) => body.numeroBonCommande === undefined || i.data.engagementNumber === body.numeroBonCommande)
        .filter((i) => body.idFournisseur === undefined || i.supplier.idStructureCPP === body.idFournisseur)
        .filter((i) => statuses === null || statuses.includes(i.status))
        .filter((i) => depositFrom === null || i.depositedAt >= depositFrom)
        .filter((i) => depositTo === null || i.depositedAt <= upper(body.periodeDateDepotAu, depositTo)!)
        .filter((i) => stateFrom === null || i.statusAt >= stateFrom)
        .filter((i) => stateTo === null || i.statusAt <= upper(body.periodeDateHeureEtatCourantAu, stateTo)!)
        .sort((a, b) => a.id - b.id);
      if (matches.length === 0 && variants.emptySearch === 'no-result-code') return noResult();
      const paging = (body.rechercheFactureParFournisseur ?? {}) as Record<string, unknown>;
      const { slice, parametresRetour } = paginate(matches, paging.pageResultatDemandee, paging.nbResultatsParPage);
      return ok('GCU_MSG_01_000', { parametresRetour, listeFactures: list(slice.map(searchItem)) });
    },
    consulterFactureParFournisseur: (account, body) => ok('GCU_MSG_01_000', { facture: consultedInvoice(world.visibleInvoice(account, Number(body.identifiantFactureCPP))) }),
    consulterHistoriqueFacture: (account, body) => {
      const invoice = world.visibleInvoice(account, Number(body.idFacture));
      const paging = (body.paramRechercheHistoStatuts ?? {}) as Record<string, unknown>;
      const ordered = paging.triSensListeHistoStatut === 'Descendant' ? [...invoice.history].reverse() : invoice.history;
      const { slice, parametresRetour } = paginate(ordered, paging.pageResultatDemandeeListeHistoStatut, paging.nbResultatsParPageListeHistoStatut);
      return ok('GCU_MSG_01_000', {
        idFacture: invoice.id,
        numeroFacture: invoice.number,
        modeDepot: 'EDI_MIXTE',
        statutCourantCode: invoice.status,
        historiquesDesStatuts: {
          histoStatut: list(
            slice.map((h) => ({
              histoStatutId: h.id,
              histoStatutCode: h.code,
              histoStatutDatePassage: historyDate(h.at),
              ...(h.comment ? { histoStatutCommentaire: h.comment } : {}),
            })),
          ),
          pageCouranteHistoStatut: parametresRetour.pageCourante,
          pagesHistoStatut: parametresRetour.pages,
          nbResultatsParPageHistoStatut: parametresRetour.nbResultatsParPage,
          totalHistoStatut: parametresRetour.total,
        },
      });
    },
    recyclerFacture: (account, body) => {
      const invoice = world.visibleInvoice(account, Number(body.identifiantFactureCPP));
      const destinataire = (body.destinataire ?? {}) as Record<string, string | undefined>;
      const reference = (body.reference ?? {}) as Record<string, string | undefined>;
      world.recycle(
        invoice,
        {
          ...(destinataire.codeDestinataire ? { recipientSiret: destinataire.codeDestinataire } : {}),
          ...(destinataire.codeServiceExecutant ? { serviceCode: destinataire.codeServiceExecutant } : {}),
          ...(reference.numeroBonCommande ? { engagementNumber: reference.numeroBonCommande } : {}),
        },
        typeof body.commentaire === 'string' ? body.commentaire : null,
      );
      return ok('GCU_MSG_01_000', { identifiantFactureCPP: invoice.id, numeroFacture: invoice.number, statutFacture: invoice.status, dateDepot: isoParis(invoice.statusAt) });
    },
    completerFacture: (account, body) => {
      const attachments = ((body.pieceJointeComplementaire ?? []) as Array<{ pieceJointeComplementaireId?: number }>).map((a) => Number(a.pieceJointeComplementaireId));
      const invoice = world.complete(
        world.visibleInvoice(account, Number(body.identifiantFactureCPP)),
        typeof body.commentaire === 'string' ? body.commentaire : null,
        attachments,
        account.login,
      );
      return ok('GCU_MSG_01_000', { identifiantFactureCPP: invoice.id, numeroFacture: invoice.number, dateTraitement: isoParis(invoice.statusAt) });
    },
    ajouterFichier: (account, body) => {
      const bytes = decodeFile(body.pieceJointeFichier, 'TRA_MSG_01.020 La pièce jointe doit être encodée en base64.', 'TRA_MSG_01.022 La pièce jointe dépasse 10 Mo.');
      const id = world.addAttachment(account.login, typeof body.pieceJointeNom === 'string' ? body.pieceJointeNom : 'piece-jointe', bytes);
      return ok('GCU_MSG_01_000', { pieceJointeId: id });
    },
    traiterFactureRecue: (account, body) => {
      if (account.role !== 'recipient') throw new WorldError(20010, 'FAC_MSG_02.010 Ce compte ne peut pas traiter de facture reçue.');
      const invoice = world.treat(
        world.visibleInvoice(account, Number(body.idFacture)),
        body.nouveauStatut as InvoiceStatus,
        typeof body.motif === 'string' && body.motif ? body.motif : null,
      );
      return ok('GCU_MSG_01_000', { idFacture: invoice.id, numeroFacture: invoice.number, dateTraitement: isoParis(invoice.statusAt), nouveauStatut: invoice.status });
    },
    rechercherStructure: (account, body) => {
      const criteria = (body.structure ?? {}) as Record<string, unknown>;
      const attached = new Set(account.structureSirets);
      const restrict = body.restreindreStructuresPrivees !== false;
      const matches = seed.structures
        .filter((s) => s.type === 'PUBLIQUE' || !restrict || attached.has(s.siret))
        .filter((s) => criteria.identifiantStructure === undefined || s.siret === criteria.identifiantStructure)
        .filter((s) => criteria.typeStructure === undefined || s.type === criteria.typeStructure)
        .filter((s) => criteria.statutStructure === undefined || (criteria.statutStructure === 'ACTIF') === s.active)
        .filter((s) => typeof criteria.raisonSocialeStructure !== 'string' || s.designation.includes(criteria.raisonSocialeStructure.toUpperCase()));
      if (matches.length === 0 && variants.emptySearch === 'no-result-code') return noResult();
      const paging = (body.parametres ?? {}) as Record<string, unknown>;
      const { slice, parametresRetour } = paginate(matches, paging.pageResultatDemandee, paging.nbResultatsParPage);
      return ok('GCU_MSG_01_000', { listeStructures: list(slice.map(structureItem)), parametresRetour });
    },
    consulterStructure: (account, body) => {
      const s = world.structureById(Number(body.idStructureCPP));
      if (!s) throw new WorldError(20001, 'GSR_MSG_01.001 La structure demandée est introuvable.');
      const own = account.structureSirets.includes(s.siret);
      return ok('GCU_MSG_01_000', {
        adressePostaleDuSiege: { adresse: '1 rue de l’Exemple', codePostal: '75007', ville: 'PARIS', pays: 'FR' },
        informationGenerales: {
          idStructureCPP: s.idStructureCPP,
          identifiantStructure: s.siret,
          typeIdentifiantStructure: 'SIRET',
          raisonSocialeStructure: s.designation,
          structurePriveePublique: s.type,
          ...(own ? { dateExpirationMotPasseCompteTech: isoParis(Date.parse(`${account.passwordExpiresAt}T00:00:00Z`)) } : {}),
        },
        parametres: {
          ...s.flags,
          connexionEDI: false,
          estMoaUniquement: false,
          estValideurDelegue: false,
          getaMoa: false,
          nonDiffusibleInsee: false,
          recevoirDonneesViaEDI: false,
        },
      });
    },
    rechercherServicesStructure: (_account, body) => {
      const s = world.structureById(Number(body.idStructure));
      if (!s) throw new WorldError(20001, 'GSR_MSG_01.001 La structure demandée est introuvable.');
      if (s.services.length === 0 && variants.emptySearch === 'no-result-code') return noResult();
      const paging = (body.parametresRechercherServicesStructure ?? {}) as Record<string, unknown>;
      const { slice, parametresRetour } = paginate(s.services, paging.pageResultatDemandee, paging.nbResultatsParPage);
      return ok('GCU_MSG_01_000', {
        listeServices: list(
          slice.map((v) => ({ idService: v.idService, codeService: v.codeService, libelleService: v.libelle, estActif: v.active, statutService: v.active ? 'ACTIF' : 'INACTIF' })),
        ),
        parametresRetour,
      });
    },
    consulterServiceStructure: (_account, body) => {
      const s = world.structureById(Number(body.idStructure));
      const service = s?.services.find((v) => v.idService === body.idService);
      if (!s || !service) throw new WorldError(20001, 'GSR_MSG_02.001 Le service demandé est introuvable.');
      return ok('GCU_MSG_01_000', {
        informationsGenerales: { codeService: service.codeService, nomService: service.libelle },
        parametres: { numeroEngagement: service.numeroEngagement, miseEnPaiement: !s.flags.statutMiseEnPaiementNestPasRemonte },
      });
    },
    recupererStructuresActivesFournisseur: (account) =>
      ok('TRA_MSG_00.000', {
        listeStructures: list(
          world
            .structuresOf(account)
            .filter((s) => s.active)
            .map((s) => ({ idStructureCPP: s.idStructureCPP, identifiant: s.siret, designationStructure: s.designation })),
        ),
      }),
  };

  const app = express();
  app.disable('x-powered-by');

  // PISTE OAuth2: client credentials, form-encoded.
  app.post('/api/oauth/token', express.urlencoded({ extended: false }), async (req, res) => {
    counter.record('oauthToken', null, Date.now(), false);
    if (await applyFaults('oauthToken', res)) return;
    const form = (req.body ?? {}) as Record<string, string>;
    const application = seed.applications.find((a) => a.clientId === form.client_id && a.clientSecret === form.client_secret);
    if (form.grant_type !== 'client_credentials') return res.status(400).json({ error: 'unsupported_grant_type', error_description: 'grant_type must be client_credentials' });
    if (!application) return res.status(401).json({ error: 'invalid_client', error_description: 'Client authentication failed' });
    const token = randomBytes(24).toString('base64url');
    const lifetime = faults.settings.tokenLifetimeSeconds;
    tokens.set(token, { clientId: application.clientId, expiresAt: Date.now() + lifetime * 1000 });
    return res.json({ access_token: token, token_type: 'Bearer', expires_in: lifetime, scope: 'openid' });
  });

  app.use('/cpro', express.text({ type: () => true, limit: '20mb' }), async (req, res) => {
    const path = `/cpro${req.path}`;
    const name: string = path === HEALTH_CHECK_PATH ? 'healthCheck' : (ROUTES.get(path) ?? 'unknown');
    const login = accountLogin(req);
    counter.record(name, login, Date.now(), true);

    // 1. A missing or expired token.
    const bearer = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
    const token = bearer ? tokens.get(bearer) : undefined;
    if (!token || token.expiresAt <= Date.now()) {
      if (bearer) tokens.delete(bearer);
      return res.status(401).set('WWW-Authenticate', PISTE_TOKEN_CHALLENGE).end();
    }
    // 2. An unknown path.
    const endpoint = name === 'healthCheck' || name === 'unknown' ? null : ENDPOINTS[name as EndpointName];
    const isHealth = name === 'healthCheck' && req.method === 'GET';
    if ((!endpoint && !isHealth) || (endpoint && req.method !== 'POST')) {
      return res.status(404).set('WWW-Authenticate', 'Bearer realm="DefaultRealm"').end();
    }
    // 3. An API this application is not subscribed to: 403 with an empty body.
    const api: ChorusApi = endpoint?.api ?? 'transverses';
    const application = seed.applications.find((a) => a.clientId === token.clientId);
    if (!application?.apis.includes(api)) return res.status(403).end();
    // 4. The technical account (cpro-account), refused like a wrong password when its password expired.
    const account = login ? checkAccount(req) : undefined;
    if (!account) return res.status(401).set('WWW-Authenticate', PISTE_ACCOUNT_CHALLENGE).end();
    // 5. JSON only.
    if (req.method === 'POST' && !/^application\/json\s*(;|$)/i.test(req.get('content-type') ?? '')) {
      return res.status(415).json({ codeRetour: 415, libelle: 'Format de la requête non supporté : Content-Type application/json;charset=utf-8 attendu' });
    }
    // 6. Injected faults.
    if (await applyFaults(name, res)) return;
    if (isHealth) return res.json({ statusCode: '200' });

    let body: unknown;
    try {
      body = JSON.parse(typeof req.body === 'string' && req.body.length > 0 ? req.body : '{}');
    } catch {
      return res.status(400).json({ codeRetour: 400, libelle: 'Requête mal formulée : le corps n’est pas du JSON valide' });
    }
    const checked = endpoint!.request.safeParse(body);
    if (!checked.success) {
      return res.status(400).json({
        codeRetour: 400,
        libelle: 'Requête mal formulée',
        erreurs: checked.error.issues.map((i) => ({ champ: i.path.join('.') || (i.code === 'unrecognized_keys' ? i.keys.join(',') : ''), message: i.message })),
      });
    }
    try {
      world.catchUp();
      const answer = handlers[name as EndpointName](account, checked.data);
      // Processed, then a gateway page instead of the answer: the caller cannot know what happened.
      if (faults.garbleAnswer(name)) return res.status(200).type('html').send('<html><body><h1>502 Bad Gateway</h1></body></html>');
      return res.json(answer);
    } catch (error) {
      if (error instanceof WorldError) return res.status(variants.businessErrorStatus).json({ codeRetour: error.codeRetour, libelle: error.libelle });
      throw error;
    }
  });

  // The admin API.
  const admin = express.Router();
  admin.use(express.json({ limit: '1mb' }));
  admin.get('/counts', (_req, res) => res.json(counter.snapshot(world.depositsByInvoiceNumber)));
  admin.post('/counts/reset', (_req, res) => {
    counter.reset();
    world.depositsByInvoiceNumber.clear();
    res.status(204).end();
  });
  admin.get('/faults', (_req, res) => res.json(faults.settings));
  admin.put('/faults', (req, res) => {
    faults.replace(req.body);
    res.json(faults.settings);
  });
  admin.get('/variants', (_req, res) => res.json(variants));
  admin.put('/variants', (req, res) => {
    Object.assign(variants, variantsSchema.parse({ ...variants, ...(req.body as object) }));
    res.json(variants);
  });
  admin.post('/clock/advance', (req, res) => {
    const ms = z.object({ ms: z.number().int().nonnegative() }).parse(req.body).ms;
    world.clock.advance(ms);
    world.catchUp();
    res.json({ now: isoParis(world.clock.now()) });
  });
  admin.post('/tokens/expire', (_req, res) => {
    tokens.clear();
    res.status(204).end();
  });
  admin.post('/recipient/traiter', (req, res) => {
    const body = z.object({ idFacture: z.number().int(), nouveauStatut: z.enum(INVOICE_STATUSES), motif: z.string().optional() }).parse(req.body);
    world.catchUp();
    const invoice = world.invoices.get(body.idFacture);
    if (!invoice) return res.status(404).json({ error: 'unknown invoice' });
    try {
      world.treat(invoice, body.nouveauStatut, body.motif ?? null);
    } catch (error) {
      if (error instanceof WorldError) return res.status(409).json({ codeRetour: error.codeRetour, libelle: error.libelle });
      throw error;
    }
    return res.json({ idFacture: invoice.id, numeroFacture: invoice.number, nouveauStatut: invoice.status });
  });
  admin.post('/invoices/:id/status', (req, res) => {
    const body = z.object({ code: z.string().regex(/^[A-Z0-9_]+$/), comment: z.string().optional() }).parse(req.body);
    world.catchUp();
    const invoice = world.invoices.get(Number(req.params.id));
    if (!invoice) return res.status(404).json({ error: 'unknown invoice' });
    world.forceStatus(invoice, body.code, body.comment ?? null);
    return res.json({ idFacture: invoice.id, statut: invoice.status });
  });
  admin.post('/invoices/seed', (req, res) => {
    const body = z
      .object({
        supplierSiret: z.string(),
        recipientSiret: z.string(),
        serviceCode: z.string().nullable().default(null),
        count: z.number().int().positive().max(100_000),
        numberPrefix: z.string().min(1).max(12),
        agoMs: z.number().int().nonnegative().default(3_600_000),
      })
      .parse(req.body);
    res.status(201).json(world.seedIntegrated(body.supplierSiret, body.recipientSiret, body.serviceCode, body.count, body.numberPrefix, body.agoMs));
  });
  admin.get('/invoices/:id', (req, res) => {
    world.catchUp();
    const invoice = world.invoices.get(Number(req.params.id));
    if (!invoice) return res.status(404).json({ error: 'unknown invoice' });
    return res.json({
      ...searchItem(invoice),
      recipientSiret: invoice.recipient.siret,
      serviceCode: invoice.service?.codeService ?? null,
      completedWith: invoice.completedWith ?? [],
      history: invoice.history.map((h) => ({ code: h.code, at: isoParis(h.at), comment: h.comment })),
    });
  });
  admin.get('/invoices', (_req, res) => {
    world.catchUp();
    res.json([...world.invoices.values()].map((i) => ({ ...searchItem(i), history: i.history.map((h) => ({ code: h.code, at: isoParis(h.at), comment: h.comment })) })));
  });
  admin.get('/fluxes/:number', (req, res) => {
    const flux = world.fluxes.get(req.params.number);
    if (!flux) return res.status(404).json({ error: 'unknown flux' });
    return res.json({ number: flux.number, login: flux.login, fileName: flux.fileName, ...world.fluxState(flux), outcome: flux.outcome });
  });
  admin.post('/accounts', (req, res) => {
    const account = z
      .object({
        login: z.string().min(1),
        password: z.string().min(1),
        role: z.enum(['supplier', 'recipient']).default('supplier'),
        structureSirets: z.array(z.string()),
        passwordExpiresAt: z.string().default('2099-12-31'),
      })
      .parse(req.body);
    seed.accounts = [...seed.accounts.filter((a) => a.login !== account.login), account];
    res.status(201).json({ login: account.login, role: account.role, structureSirets: account.structureSirets });
  });
  app.use('/simulator', admin);
  app.use((_req, res) => res.status(404).end());
  app.use((error: unknown, _req: Request, res: Response, _next: unknown) => {
    res.status(error instanceof z.ZodError ? 400 : 500).json({ error: error instanceof Error ? error.message : String(error) });
  });

  async function applyFaults(name: string, res: Response): Promise<boolean> {
    const latency = faults.latencyFor(name);
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
    const decision = faults.decide(name, Date.now());
    if (decision.kind === 'hang') return true; // never answered; closed when the simulator stops
    if (decision.kind === 'status') {
      if (decision.status === 429) res.set('Retry-After', String(decision.retryAfterSeconds ?? 1));
      res.status(decision.status).send(decision.status === 503 ? 'Service en maintenance' : '');
      return true;
    }
    return false;
  }

  function accountLogin(req: Request): string | null {
    const header = req.get('cpro-account');
    if (!header) return null;
    const decoded = Buffer.from(header, 'base64').toString('utf8');
    const separator = decoded.indexOf(':');
    return separator > 0 ? decoded.slice(0, separator) : null;
  }

  function checkAccount(req: Request): SimAccount | undefined {
    const decoded = Buffer.from(req.get('cpro-account') ?? '', 'base64').toString('utf8');
    const separator = decoded.indexOf(':');
    const account = world.account(decoded.slice(0, separator));
    if (!account || account.password !== decoded.slice(separator + 1)) return undefined;
    if (Date.parse(`${account.passwordExpiresAt}T23:59:59Z`) < world.clock.now()) return undefined;
    return account;
  }

  const server = app.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const address = (server as Server).address() as { port: number; address: string };
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    world,
    faults,
    counter,
    variants,
    expireTokens: () => tokens.clear(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        for (const socket of sockets) socket.destroy();
      }),
  };
}
