/**
 * The typed Chorus Pro client. Every worker talks to Chorus Pro (or the simulator) through it.
 *
 * Each call: waits out a 429 another caller met, gets the shared PISTE token, sends the JSON body with
 * `Authorization`, `cpro-account` and `Content-Type: application/json;charset=utf-8`, and turns the answer
 * into a typed value or one of the errors of errors.ts. Reads are retried on short network blips; a deposit
 * is retried only when it surely never left (it must never be sent twice).
 */
import { createHash } from 'node:crypto';
import type { RedisClient } from '../queues/redis.js';
import pRetry, { AbortError } from 'p-retry';
import { joinPages, unreadableItems, type UnreadableItem } from './contract/common.js';
import {
  ENDPOINTS,
  HEALTH_CHECK_PATH,
  type EndpointName,
  type RequestOf,
  type ResponseOf,
} from './contract/endpoints.js';
import type { SyntaxeFlux } from './codes.js';
import {
  ChorusAuthError,
  ChorusBusinessError,
  ChorusRateLimitError,
  ChorusRequestInvalidError,
  ChorusTransientError,
  type ChorusErrorInfo,
} from './errors.js';
import type { PisteTokenProvider } from './token-provider.js';
import { systemClock } from '../shared/clock.js';

/** Endpoints that change something at Chorus Pro. */
const WRITES: ReadonlySet<EndpointName> = new Set<EndpointName>([
  'deposerFlux',
  'deposerPdf',
  'soumettre',
  'recyclerFacture',
  'completerFacture',
  'ajouterFichier',
  'traiterFactureRecue',
  'traiterFactureAValider',
  'corrigerValideurFacture',
]);
/** A supplier's Chorus Pro technical account (sent as the `cpro-account` header), as a job opened it. */
export interface TechnicalAccount {
  login: string;
  password: string;
  /** The job's signal: when it aborts (shutdown, lost lock), so does the request under way. */
  signal?: AbortSignal;
}

export interface ChorusClientOptions {
  apiUrl: string;
  tokens: PisteTokenProvider;
  redis: RedisClient;
  /** Redis key prefix for the shared 429 pause. */
  keyPrefix: string;
  /** (Default: 30 s) */
  timeoutMs?: number;
  /** Deposits carry up to 10 MB of base64. (Default: 120 s) */
  depositTimeoutMs?: number;
  /** Retries of a read after a network blip, within the call. (Default: 2) */
  blipRetries?: number;
  /** Results asked per page of a search; every page is walked whatever the size. (Default: 100) */
  pageSize?: number;
  /**
   * Called once per HTTP request sent to Chorus Pro, before it leaves (rate limiting); what it returns is called
   * when the answer or the failure arrives. `leaseMs` is the longest the request may take.
   */
  beforeRequest?: (operation: string, leaseMs: number) => Promise<((outcome: CallOutcome) => void) | void>;
  /** Called with the list items an answer carried that lack what we need: they were left out, the rest was read. */
  onUnreadableItems?: (operation: EndpointName, items: UnreadableItem[]) => void;
}

/**
 * "The search returned no result" comes back as a code on some searches, not as an empty list. Codes are
 * numbered per service (20007 is also a refusal of `completer`), so only a search with the code *and* its
 * message key means "nothing found" (docs/chorus-pro-notes.md, "Answers").
 */
const NO_RESULT_ANSWERS: ReadonlyArray<{ codeRetour: number; key: string }> = [
  { codeRetour: 20000, key: 'TRA_MSG_00.015' },
  { codeRetour: 20007, key: 'GFT_MSG_01.075' },
];
const SEARCHES: ReadonlySet<EndpointName> = new Set([
  'rechercherFactureParFournisseur',
  'rechercherFactureATraiterParValideur',
  'rechercherStructure',
  'rechercherServicesStructure',
  'rechercherEngagementJuridique',
]);
const isNoResult = (name: EndpointName, codeRetour: number, libelle: string | undefined) =>
  SEARCHES.has(name) &&
  NO_RESULT_ANSWERS.some(
    (a) => a.codeRetour === codeRetour && (libelle === a.key || libelle?.startsWith(`${a.key} `) === true),
  );
/** Chorus Pro returns at most this many results to a search (CS17); a search that gets as many may have lost some. */
export const SEARCH_RESULT_CAP = 200;
/** When 429 comes without Retry-After. */
const DEFAULT_RETRY_AFTER_MS = 30_000;

/** How a call ended, for metrics: the HTTP status class, or `error` (network failure, timeout, stopped). */
export type CallOutcome = '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | 'error';

export class ChorusClient {
  readonly #o: Required<Omit<ChorusClientOptions, 'beforeRequest' | 'onUnreadableItems'>> &
    Pick<ChorusClientOptions, 'beforeRequest' | 'onUnreadableItems'>;
  readonly #pauseKey: string;

  constructor(options: ChorusClientOptions) {
    this.#o = {
      timeoutMs: 30_000,
      depositTimeoutMs: 120_000,
      blipRetries: 2,
      pageSize: 100,
      ...options,
      apiUrl: options.apiUrl.replace(/\/+$/, ''),
    };
    this.#pauseKey = `${options.keyPrefix}:chorus-paused-until:${createHash('sha256').update(this.#o.apiUrl).digest('hex').slice(0, 12)}`;
  }

  // Typed methods, one per endpoint.

  /**
   * Sends a flux. Never retried unless it surely did not leave: a second deposit would be a duplicate invoice.
   * `beforeSend` runs once the request is admitted (token, rate limit), right before it leaves: the caller records
   * there that the outcome may from now on be unknown.
   */
  deposerFlux(
    account: TechnicalAccount,
    flux: { fichierFlux: Buffer; nomFichier: string; syntaxeFlux: SyntaxeFlux },
    options: { beforeSend?: () => Promise<void> } = {},
  ): Promise<ResponseOf<'deposerFlux'>> {
    return this.call(
      'deposerFlux',
      account,
      {
        fichierFlux: flux.fichierFlux.toString('base64'),
        nomFichier: flux.nomFichier,
        syntaxeFlux: flux.syntaxeFlux,
        avecSignature: false,
      },
      options,
    );
  }

  /**
   * Sends a plain PDF for Chorus Pro to read; the answer is what it read and the id of the PDF, which `soumettre`
   * then names. Not an invoice yet (INTERPRETEE_OCR): sending it twice leaves a second unread draft, no duplicate.
   */
  deposerPdf(
    account: TechnicalAccount,
    pdf: { fichierFacture: Buffer; nomFichier: string },
  ): Promise<ResponseOf<'deposerPdf'>> {
    return this.call('deposerPdf', account, {
      fichierFacture: pdf.fichierFacture.toString('base64'),
      nomFichier: pdf.nomFichier,
      formatDepot: 'PDF_NON_SIGNE',
    });
  }

  /**
   * Submits one invoice; the answer carries its Chorus Pro id at once. Not idempotent, like deposerFlux: never
   * resent blindly, and `beforeSend` runs right before it leaves.
   */
  soumettre(
    account: TechnicalAccount,
    body: RequestOf<'soumettre'>,
    options: { beforeSend?: () => Promise<void> } = {},
  ): Promise<ResponseOf<'soumettre'>> {
    return this.call('soumettre', account, body, options);
  }

  consulterCRDetaille(account: TechnicalAccount, numeroFluxDepot: string): Promise<ResponseOf<'consulterCRDetaille'>> {
    return this.call('consulterCRDetaille', account, { numeroFluxDepot });
  }

  /** Every invoice matching the criteria, walking all pages (page 1 alone has lost invoices in other clients). */
  rechercherFactureParFournisseur(
    account: TechnicalAccount,
    criteria: Omit<RequestOf<'rechercherFactureParFournisseur'>, 'rechercheFactureParFournisseur'>,
  ): Promise<ResponseOf<'rechercherFactureParFournisseur'>['listeFactures']> {
    return this.#everyPage(async (page) => {
      const res = await this.call('rechercherFactureParFournisseur', account, {
        ...criteria,
        rechercheFactureParFournisseur: {
          pageResultatDemandee: page,
          nbResultatsParPage: this.#o.pageSize,
          nbResultatsMaximum: SEARCH_RESULT_CAP,
          triSens: 'Ascendant',
          triColonne: 'DateDepot',
        },
      });
      return { items: res.listeFactures, pages: res.parametresRetour?.pages };
    });
  }

  /** Every invoice waiting for the decision of the structure `siret` as validator (its inbox), all pages. */
  rechercherFactureATraiterParValideur(
    account: TechnicalAccount,
    siret: string,
  ): Promise<ResponseOf<'rechercherFactureATraiterParValideur'>['listeFactures']> {
    return this.#everyPage(async (page) => {
      const res = await this.call('rechercherFactureATraiterParValideur', account, {
        typeIdentifiantStructure: 'SIRET',
        identifiantStructure: siret,
        pagination: {
          pageResultatDemandee: page,
          nbResultatsParPage: this.#o.pageSize,
          triSens: 'Ascendant',
          triColonne: 'IdFacture',
        },
      });
      return { items: res.listeFactures, pages: res.parametresRetour?.pages };
    });
  }

  consulterFactureParFournisseur(
    account: TechnicalAccount,
    identifiantFactureCPP: number,
  ): Promise<ResponseOf<'consulterFactureParFournisseur'>> {
    return this.call('consulterFactureParFournisseur', account, { identifiantFactureCPP });
  }

  /** The full status history of an invoice, oldest first, over every page. */
  async consulterHistoriqueFacture(
    account: TechnicalAccount,
    idFacture: number,
  ): Promise<ResponseOf<'consulterHistoriqueFacture'>> {
    let first: ResponseOf<'consulterHistoriqueFacture'> | undefined;
    const statuses = await this.#everyPage(async (page) => {
      const res = await this.call('consulterHistoriqueFacture', account, {
        idFacture,
        paramRechercheHistoStatuts: {
          pageResultatDemandeeListeHistoStatut: page,
          nbResultatsParPageListeHistoStatut: this.#o.pageSize,
          triSensListeHistoStatut: 'Ascendant',
          triColonneListeHistoStatut: 'HistoStatutDatePassage',
        },
      });
      first ??= res;
      return {
        items: res.historiquesDesStatuts?.histoStatut ?? [],
        pages: res.historiquesDesStatuts?.pagesHistoStatut,
      };
    });
    return { ...first!, historiquesDesStatuts: { ...first!.historiquesDesStatuts, histoStatut: statuses } };
  }

  recyclerFacture(
    account: TechnicalAccount,
    body: RequestOf<'recyclerFacture'>,
  ): Promise<ResponseOf<'recyclerFacture'>> {
    return this.call('recyclerFacture', account, body);
  }

  completerFacture(
    account: TechnicalAccount,
    body: RequestOf<'completerFacture'>,
  ): Promise<ResponseOf<'completerFacture'>> {
    return this.call('completerFacture', account, body);
  }

  ajouterFichier(account: TechnicalAccount, body: RequestOf<'ajouterFichier'>): Promise<ResponseOf<'ajouterFichier'>> {
    return this.call('ajouterFichier', account, body);
  }

  /** Structures with this SIRET (public ones, and private ones the account is attached to), all pages. */
  rechercherStructure(
    account: TechnicalAccount,
    siret: string,
  ): Promise<ResponseOf<'rechercherStructure'>['listeStructures']> {
    return this.#everyPage(async (page) => {
      const res = await this.call('rechercherStructure', account, {
        structure: { identifiantStructure: siret, typeIdentifiantStructure: 'SIRET' },
        parametres: { pageResultatDemandee: page, nbResultatsParPage: this.#o.pageSize },
      });
      return { items: res.listeStructures, pages: res.parametresRetour?.pages };
    });
  }

  consulterStructure(account: TechnicalAccount, idStructureCPP: number): Promise<ResponseOf<'consulterStructure'>> {
    return this.call('consulterStructure', account, { idStructureCPP, codeLangue: 'fr' });
  }

  rechercherServicesStructure(
    account: TechnicalAccount,
    idStructure: number,
  ): Promise<ResponseOf<'rechercherServicesStructure'>['listeServices']> {
    return this.#everyPage(async (page) => {
      const res = await this.call('rechercherServicesStructure', account, {
        idStructure,
        parametresRechercherServicesStructure: { pageResultatDemandee: page, nbResultatsParPage: this.#o.pageSize },
      });
      return { items: res.listeServices, pages: res.parametresRetour?.pages };
    });
  }

  /**
   * Page after page until the last one Chorus Pro announces, or an empty page (page 1 alone has lost invoices in
   * other clients). `pages` absent means one page.
   */
  async #everyPage<T>(
    fetchPage: (page: number) => Promise<{ items: T[]; pages: number | null | undefined }>,
  ): Promise<T[]> {
    const all: T[][] = [];
    for (let page = 1; ; page++) {
      const { items, pages } = await fetchPage(page);
      all.push(items);
      // An empty page ends the walk, unless it only looks empty because its items were unreadable.
      if (page >= (pages ?? 1) || (items.length === 0 && unreadableItems(items).length === 0)) return joinPages(all);
    }
  }

  consulterServiceStructure(
    account: TechnicalAccount,
    idStructure: number,
    idService: number,
  ): Promise<ResponseOf<'consulterServiceStructure'>> {
    return this.call('consulterServiceStructure', account, { idStructure, idService, codeLangue: 'fr' });
  }

  recupererStructuresActivesFournisseur(
    account: TechnicalAccount,
  ): Promise<ResponseOf<'recupererStructuresActivesFournisseur'>> {
    return this.call('recupererStructuresActivesFournisseur', account, {});
  }

  /** true when Chorus Pro answers its health check with a 2xx for this account. */
  async healthCheck(account: TechnicalAccount): Promise<boolean> {
    const res = await this.#send('healthCheck', 'GET', HEALTH_CHECK_PATH, account, undefined, this.#o.timeoutMs);
    await res.body?.cancel();
    return res.status >= 200 && res.status < 300;
  }

  // The machinery.

  /** One endpoint call: validated request, typed response, classified errors. */
  async call<N extends EndpointName>(
    name: N,
    account: TechnicalAccount,
    body: RequestOf<N>,
    options: { signal?: AbortSignal; beforeSend?: () => Promise<void> } = {},
  ): Promise<ResponseOf<N>> {
    const endpoint = ENDPOINTS[name];
    const checked = endpoint.request.safeParse(body);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      const field = issue?.path.join('.') || (issue?.code === 'unrecognized_keys' ? issue.keys.join(',') : '(body)');
      throw new ChorusRequestInvalidError(
        `We built a ${name} request that breaks the Chorus Pro contract, so it was not sent: field ${field}: ${issue?.message ?? 'invalid'}`,
        { operation: name },
        field,
      );
    }
    const isDeposit = name === 'deposerFlux' || name === 'deposerPdf' || name === 'soumettre';
    // Writes are never resent blindly when they may have arrived: the caller looks up what happened first.
    const isWrite = WRITES.has(name);
    const signal = options.signal ?? account.signal;
    const attempt = async () => {
      try {
        const res = await this.#send(
          name,
          'POST',
          endpoint.path,
          account,
          JSON.stringify(checked.data),
          isDeposit ? this.#o.depositTimeoutMs : this.#o.timeoutMs,
          signal,
          options.beforeSend,
        );
        return await this.#read(name, res, isWrite);
      } catch (error) {
        const retriable = error instanceof ChorusTransientError && (!isWrite || !error.maybeDelivered);
        throw retriable ? error : new AbortError(error as Error);
      }
    };
    try {
      return (await pRetry(attempt, {
        retries: this.#o.blipRetries,
        minTimeout: 200,
        maxTimeout: 2_000,
        randomize: true,
        ...(signal ? { signal } : {}),
      })) as ResponseOf<N>;
    } catch (error) {
      throw error instanceof AbortError && error.cause ? error.cause : error;
    }
  }

  /** Turns an answer into a value or an error. For a write, an answer we cannot read tells nothing of its outcome. */
  async #read(name: EndpointName, res: Response, isWrite: boolean): Promise<unknown> {
    const info: ChorusErrorInfo = { operation: name, httpStatus: res.status };
    const text = await res.text();
    info.body = text.slice(0, 500);
    let json: unknown;
    try {
      json = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    const envelope = json as { codeRetour?: unknown; libelle?: unknown } | undefined;
    const codeRetour = typeof envelope?.codeRetour === 'number' ? envelope.codeRetour : undefined;
    const libelle = typeof envelope?.libelle === 'string' ? envelope.libelle : undefined;
    if (codeRetour !== undefined) info.codeRetour = codeRetour;
    if (libelle !== undefined) info.libelle = libelle;

    // 503 is maintenance: the request was not taken. Any other 5xx may come from a gateway after Chorus Pro took it.
    if (res.status >= 500)
      throw new ChorusTransientError(
        `Chorus Pro answered HTTP ${res.status} to ${name}`,
        info,
        isWrite && res.status !== 503,
      );
    if (res.status === 200 && json === undefined) {
      // A gateway error page instead of JSON: the service is not itself, and a write may have taken effect.
      throw new ChorusTransientError(`Chorus Pro answered ${name} with a body that is not JSON`, info, isWrite);
    }
    if (res.status !== 200 && res.status !== 400)
      throw new ChorusBusinessError(`Chorus Pro answered HTTP ${res.status} to ${name}`, info);
    if (codeRetour !== undefined && codeRetour !== 0) {
      if (isNoResult(name, codeRetour, libelle))
        return ENDPOINTS[name].response.parse({ codeRetour: 0, libelle: libelle ?? '' });
      throw new ChorusBusinessError(
        `Chorus Pro refused ${name}: codeRetour ${codeRetour}${libelle ? ` (${libelle})` : ''}`,
        info,
      );
    }
    if (res.status === 400)
      throw new ChorusBusinessError(`Chorus Pro found the ${name} request malformed (HTTP 400)`, info);
    const parsed = ENDPOINTS[name].response.safeParse(json);
    if (!parsed.success) {
      const what = `Chorus Pro's answer to ${name} does not match the contract: ${parsed.error.issues[0]?.message ?? ''}`;
      // A write whose answer we cannot read may have worked: look it up, never call it rejected.
      if (isWrite) throw new ChorusTransientError(what, info, true);
      throw new ChorusBusinessError(what, info);
    }
    const skipped = unreadableItems(parsed.data);
    if (skipped.length > 0) this.#o.onUnreadableItems?.(name, skipped);
    return parsed.data;
  }

  /** Sends one request, retrying once with a fresh token on a 401 that is about the token. */
  async #send(
    operation: string,
    method: 'GET' | 'POST',
    path: string,
    account: TechnicalAccount,
    body: string | undefined,
    timeoutMs: number,
    signal?: AbortSignal,
    beforeSend?: () => Promise<void>,
  ): Promise<Response> {
    await this.#waitOutRateLimit(operation);
    for (let attempt = 1; ; attempt++) {
      const token = await this.#o.tokens.getToken();
      const answered = await this.#o.beforeRequest?.(operation, timeoutMs);
      let res: Response;
      let outcome: CallOutcome = 'error';
      try {
        await beforeSend?.();
        res = await this.#fetch(operation, method, path, token, account, body, timeoutMs, signal);
        outcome = `${Math.min(5, Math.max(1, Math.floor(res.status / 100)))}xx` as CallOutcome;
      } finally {
        answered?.(outcome);
      }
      if (res.status === 401) {
        const challenge = res.headers.get('www-authenticate') ?? '';
        await res.body?.cancel();
        if (/login or password|password/i.test(challenge)) {
          throw new ChorusAuthError(
            'Chorus Pro refused the technical account (cpro-account): check its login and password, which expire periodically',
            { operation, httpStatus: 401 },
            'technical-account',
          );
        }
        await this.#o.tokens.invalidate(token);
        if (attempt === 1) continue;
        throw new ChorusAuthError(
          'PISTE refused a freshly issued token',
          { operation, httpStatus: 401 },
          'application',
        );
      }
      if (res.status === 403) {
        await res.body?.cancel();
        throw new ChorusAuthError(
          'Access denied (HTTP 403): the PISTE application may not be subscribed to this Chorus Pro API, or the technical account is not attached to the structure',
          { operation, httpStatus: 403 },
          'application',
        );
      }
      if (res.status === 429) {
        await res.body?.cancel();
        const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
        // The pause is the key's own lifetime: every process reads what is left of it, whatever its clock says.
        if (retryAfterMs > 0) await this.#o.redis.set(this.#pauseKey, '1', 'PX', retryAfterMs);
        throw new ChorusRateLimitError(
          `Chorus Pro asked us to slow down for ${Math.ceil(retryAfterMs / 1000)} s`,
          { operation, httpStatus: 429 },
          retryAfterMs,
        );
      }
      return res;
    }
  }

  async #fetch(
    operation: string,
    method: 'GET' | 'POST',
    path: string,
    token: string,
    account: TechnicalAccount,
    body: string | undefined,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<Response> {
    const timeout = AbortSignal.timeout(timeoutMs);
    if (signal?.aborted)
      throw new ChorusTransientError(`Chorus Pro ${operation}: not sent, the job was stopped`, { operation }, false, {
        cause: signal.reason,
      });
    try {
      return await fetch(`${this.#o.apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          'cpro-account': Buffer.from(`${account.login}:${account.password}`, 'utf8').toString('base64'),
          'content-type': 'application/json;charset=utf-8',
          accept: 'application/json;charset=utf-8',
        },
        ...(body !== undefined ? { body } : {}),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      // Stopped by the job (shutdown, lost lock) once the request had left: it may have been received.
      if (signal?.aborted)
        throw new ChorusTransientError(
          `Chorus Pro ${operation}: stopped while waiting for the answer`,
          { operation },
          true,
          { cause: error },
        );
      const code = networkCode(error);
      const timedOut = timeout.aborted;
      // Refused or unresolved: nothing left. A timeout or a reset: it may have been received.
      const maybeDelivered = timedOut || !['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'].includes(code ?? '');
      const what = timedOut
        ? `no answer within ${Math.round(timeoutMs / 1000)} s`
        : `network error${code ? ` ${code}` : ''}`;
      throw new ChorusTransientError(`Chorus Pro ${operation}: ${what}`, { operation }, maybeDelivered, {
        cause: error,
      });
    }
  }

  async #waitOutRateLimit(operation: string): Promise<void> {
    const remaining = await this.#o.redis.pttl(this.#pauseKey);
    if (remaining > 0) {
      throw new ChorusRateLimitError(
        `Chorus Pro asked us to slow down; ${Math.ceil(remaining / 1000)} s left`,
        { operation, httpStatus: 429 },
        remaining,
      );
    }
  }
}

function networkCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown } }).cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

/** `codeRetour 0 (GCU_MSG_01_000)`: an answer's envelope for a job log or a timeline, whatever of it came. */
export function answerLine(res: { codeRetour?: number | undefined; libelle?: string | undefined }): string {
  return `codeRetour ${res.codeRetour ?? '(none)'}${res.libelle ? ` (${res.libelle})` : ''}`;
}

/** Retry-After in seconds or as an HTTP date. */
export function parseRetryAfter(value: string | null): number {
  if (!value) return DEFAULT_RETRY_AFTER_MS;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  // An HTTP date is Chorus Pro's wall clock: it is compared with ours, never with a test's moved clock.
  return Number.isNaN(date) ? DEFAULT_RETRY_AFTER_MS : Math.max(0, date - systemClock.now().getTime());
}
