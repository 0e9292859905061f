/**
 * PISTE in front of Chorus Pro: the OAuth token endpoint, then for each `/cpro` call the checks in the
 * reference's order (token, path, API subscription, `cpro-account`, JSON content type), injected faults,
 * the request against the contract, and the API family's handler. Business refusals get the envelope.
 */
import { randomBytes } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { ENDPOINTS, HEALTH_CHECK_PATH, type EndpointName } from '../chorus/contract/endpoints.js';
import type { Handlers } from './api/answers.js';
import { ANSWER_FIELDS, withEveryField } from './answer-fields.js';
import { BusinessError, libelleOf } from './business-errors.js';
import type { RequestCounter } from './counters.js';
import type { LifecycleEngine } from './engine.js';
import type { Faults } from './faults.js';
import type { SimAccount } from './model.js';
import type { Variants } from './variants.js';

const PISTE_ACCOUNT_CHALLENGE =
  'Bearer realm="PISTE",error="Unauthorized",error_description="login or password incorrects"';
const PISTE_TOKEN_CHALLENGE =
  'Bearer realm="PISTE",error="invalid_token",error_description="The access token is missing, invalid or expired"';
const ROUTES = new Map<string, EndpointName>(
  Object.entries(ENDPOINTS).map(([name, e]) => [e.path, name as EndpointName]),
);

export interface GatewayDeps {
  engine: LifecycleEngine;
  faults: Faults;
  variants: Variants;
  counter: RequestCounter;
  handlers: Handlers;
  /** Issued tokens: which application, until when. */
  tokens: Map<string, { clientId: string; expiresAt: number }>;
}

/** Waits the injected latency, then answers the injected fault if there is one (true: answered, or left hanging). */
export async function applyFaults(faults: Faults, name: string, res: Response): Promise<boolean> {
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

/** `login:password`, base64, as PISTE passes the technical account. */
function technicalAccount(req: Request): { login: string; password: string } | null {
  const decoded = Buffer.from(req.get('cpro-account') ?? '', 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  return separator > 0 ? { login: decoded.slice(0, separator), password: decoded.slice(separator + 1) } : null;
}

export function gateway(deps: GatewayDeps): Router {
  const { engine, faults, variants, counter, handlers, tokens } = deps;
  const world = engine.world;
  const router = express.Router();

  router.post('/api/oauth/token', express.urlencoded({ extended: false }), async (req, res) => {
    counter.record('oauthToken', null, Date.now(), false);
    if (await applyFaults(faults, 'oauthToken', res)) return;
    const form = (req.body ?? {}) as Record<string, string>;
    const application = world.seed.applications.find(
      (a) => a.clientId === form.client_id && a.clientSecret === form.client_secret,
    );
    if (form.grant_type !== 'client_credentials')
      return res
        .status(400)
        .json({ error: 'unsupported_grant_type', error_description: 'grant_type must be client_credentials' });
    if (!application)
      return res.status(401).json({ error: 'invalid_client', error_description: 'Client authentication failed' });
    const token = randomBytes(24).toString('base64url');
    const lifetime = faults.settings.tokenLifetimeSeconds;
    tokens.set(token, { clientId: application.clientId, expiresAt: Date.now() + lifetime * 1000 });
    return res.json({ access_token: token, token_type: 'Bearer', expires_in: lifetime, scope: 'openid' });
  });

  router.use('/cpro', express.text({ type: () => true, limit: '20mb' }), async (req, res) => {
    const path = `/cpro${req.path}`;
    const name: string = path === HEALTH_CHECK_PATH ? 'healthCheck' : (ROUTES.get(path) ?? 'unknown');
    const credentials = technicalAccount(req);
    counter.record(name, credentials?.login ?? null, Date.now(), true);

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
    if ((!endpoint && !isHealth) || (endpoint && req.method !== 'POST'))
      return res.status(404).set('WWW-Authenticate', 'Bearer realm="DefaultRealm"').end();
    // 3. An API this application is not subscribed to: 403 with an empty body.
    const application = world.seed.applications.find((a) => a.clientId === token.clientId);
    if (!application?.apis.includes(endpoint?.api ?? 'transverses')) return res.status(403).end();
    // 4. The technical account (cpro-account), refused like a wrong password once its password expired.
    const account = credentials ? world.account(credentials.login) : undefined;
    const accepted: SimAccount | undefined =
      account && account.password === credentials?.password && world.passwordExpiresAt(account) >= world.clock.now()
        ? account
        : undefined;
    if (!accepted) return res.status(401).set('WWW-Authenticate', PISTE_ACCOUNT_CHALLENGE).end();
    // 5. JSON only.
    if (req.method === 'POST' && !/^application\/json\s*(;|$)/i.test(req.get('content-type') ?? '')) {
      return res.status(415).json({
        codeRetour: 415,
        libelle: 'Format de la requête non supporté : Content-Type application/json;charset=utf-8 attendu',
      });
    }
    // 6. Injected faults.
    if (await applyFaults(faults, name, res)) return;
    const canned = faults.cannedAnswer(name);
    if (canned) return res.status(canned.codeRetour === 0 ? 200 : variants.businessErrorStatus).json(canned);
    if (isHealth) return res.json({ statusCode: '200' });

    let body: unknown;
    try {
      body = JSON.parse(typeof req.body === 'string' && req.body.length > 0 ? req.body : '{}');
    } catch {
      return res
        .status(400)
        .json({ codeRetour: 400, libelle: 'Requête mal formulée : le corps n’est pas du JSON valide' });
    }
    const checked = endpoint!.request.safeParse(body);
    if (!checked.success) {
      const erreurs = checked.error.issues.map((i) => ({
        champ: i.path.join('.') || (i.code === 'unrecognized_keys' ? i.keys.join(',') : ''),
        message: i.message,
      }));
      return res.status(400).json({ codeRetour: 400, libelle: 'Requête mal formulée', erreurs });
    }
    try {
      engine.catchUp();
      const answer = await handlers[name as EndpointName]!(accepted, checked.data);
      world.onChange();
      // Processed, then a gateway page instead of the answer: the caller cannot know what happened.
      if (faults.garbleAnswer(name))
        return res.status(200).type('html').send('<html><body><h1>502 Bad Gateway</h1></body></html>');
      return res.json(variants.unsetAsNull ? withEveryField(answer, ANSWER_FIELDS[name as EndpointName]) : answer);
    } catch (error) {
      if (!(error instanceof BusinessError)) throw error;
      return res.status(variants.businessErrorStatus).json({
        codeRetour: error.entry.codeRetour,
        libelle: libelleOf(error, variants.errorLibelle === 'key-and-text'),
      });
    }
  });
  return router;
}
