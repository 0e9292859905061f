/**
 * PISTE OAuth2 tokens (client credentials), shared by every process through Redis.
 *
 * A token lasts 3600 s; we treat it as expired `refreshMarginMs` early. One caller at a time fetches a new
 * one: within a process callers share one promise, across processes a Redis lock elects the fetcher and the
 * others wait for the token it stores. Tokens are sealed (AES-256-GCM) before they reach Redis.
 */
import { createHash, randomUUID } from 'node:crypto';
import { SEALED_AT } from '../shared/secret-box.js';
import type { RedisClient } from '../queues/redis.js';
import type { SecretBox } from '../shared/secret-box.js';
import { ChorusAuthError, ChorusTransientError } from './errors.js';

export interface TokenProviderOptions {
  oauthUrl: string;
  clientId: string;
  clientSecret: string;
  redis: RedisClient;
  secretBox: SecretBox;
  /** Redis key prefix, shared with the queues so tests stay isolated. */
  keyPrefix: string;
  /** Refresh this long before expiry. (Default: 60 s) */
  refreshMarginMs?: number;
  timeoutMs?: number;
  now?: () => number;
}

interface StoredToken {
  token: string;
  expiresAt: number;
}

const LOCK_TTL_MS = 15_000;
const WAIT_STEP_MS = 25;
/** Enough to cover the tokens one process may see refused in a burst; a refused token never comes back. */
const REFUSED_REMEMBERED = 32;
const DELETE_IF_EQUAL =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

export class PisteTokenProvider {
  readonly #o: Required<Omit<TokenProviderOptions, 'now'>> & { now: () => number };
  readonly #tokenKey: string;
  readonly #lockKey: string;
  #local: StoredToken | undefined;
  #inFlight: Promise<string> | undefined;
  /**
   * Tokens PISTE refused. A caller that read the cache just before another caller's 401 deleted it would
   * otherwise put the refused token back in memory, and the next caller's retry would be refused again.
   */
  readonly #refused = new Set<string>();
  /** How many token requests this process sent; tests read it. */
  fetchCount = 0;

  constructor(options: TokenProviderOptions) {
    this.#o = { refreshMarginMs: 60_000, timeoutMs: 30_000, now: Date.now, ...options };
    // One cache per PISTE application and OAuth server: sandbox and production never share a token.
    const id = createHash('sha256').update(`${options.oauthUrl}\n${options.clientId}`).digest('hex').slice(0, 16);
    this.#tokenKey = `${options.keyPrefix}:piste-token:${id}`;
    this.#lockKey = `${this.#tokenKey}:lock`;
  }

  async getToken(): Promise<string> {
    for (;;) {
      if (this.#local && this.#usable(this.#local)) return this.#local.token;
      this.#inFlight ??= this.#obtain().finally(() => {
        this.#inFlight = undefined;
      });
      const token = await this.#inFlight;
      // Refused while it was being read: the next round skips it and fetches another.
      if (!this.#refused.has(token)) return token;
    }
  }

  /** After a 401: forget `token` here and in Redis, unless another caller already replaced it there. */
  async invalidate(token: string): Promise<void> {
    this.#refused.add(token);
    if (this.#refused.size > REFUSED_REMEMBERED) this.#refused.delete(this.#refused.values().next().value!);
    if (this.#local?.token === token) this.#local = undefined;
    const stored = await this.#readSealed();
    // Compare-and-delete on the sealed value: a token stored by another process meanwhile stays.
    if (stored?.token.token === token) {
      await this.#o.redis.eval(DELETE_IF_EQUAL, 1, this.#tokenKey, stored.sealed);
    }
  }

  #usable(t: StoredToken): boolean {
    return t.expiresAt - this.#o.refreshMarginMs > this.#o.now() && !this.#refused.has(t.token);
  }

  async #readSealed(): Promise<{ token: StoredToken; sealed: string } | undefined> {
    const sealed = await this.#o.redis.get(this.#tokenKey);
    if (sealed === null) return undefined;
    try {
      return {
        token: JSON.parse(this.#o.secretBox.open(sealed, SEALED_AT.pisteToken(this.#tokenKey))) as StoredToken,
        sealed,
      };
    } catch {
      return undefined; // sealed under another SECRET_KEY: fetch a new one
    }
  }

  async #obtain(): Promise<string> {
    const deadline = this.#o.now() + LOCK_TTL_MS * 2;
    for (;;) {
      const cached = (await this.#readSealed())?.token;
      if (cached && this.#usable(cached)) {
        this.#local = cached;
        return cached.token;
      }
      const owner = randomUUID();
      const locked = await this.#o.redis.set(this.#lockKey, owner, 'PX', LOCK_TTL_MS, 'NX');
      if (locked === 'OK') {
        try {
          const fetched = await this.#fetch();
          const ttl = fetched.expiresAt - this.#o.now();
          await this.#o.redis.set(
            this.#tokenKey,
            this.#o.secretBox.seal(JSON.stringify(fetched), SEALED_AT.pisteToken(this.#tokenKey)),
            'PX',
            Math.max(ttl, 1),
          );
          this.#local = fetched;
          return fetched.token;
        } finally {
          // Release only our own lock.
          await this.#o.redis.eval(DELETE_IF_EQUAL, 1, this.#lockKey, owner);
        }
      }
      if (this.#o.now() > deadline)
        throw new ChorusTransientError(
          'Timed out waiting for another process to fetch the PISTE token',
          { operation: 'oauthToken' },
          false,
        );
      await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
    }
  }

  async #fetch(): Promise<StoredToken> {
    this.fetchCount += 1;
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.#o.clientId,
      client_secret: this.#o.clientSecret,
      scope: 'openid',
    });
    let res: Response;
    try {
      res = await fetch(this.#o.oauthUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(this.#o.timeoutMs),
      });
    } catch (error) {
      throw new ChorusTransientError('The PISTE OAuth server did not answer', { operation: 'oauthToken' }, false, {
        cause: error,
      });
    }
    const text = await res.text();
    if (res.status === 400 || res.status === 401) {
      let description = '';
      try {
        const parsed = JSON.parse(text) as { error?: string; error_description?: string };
        description = [parsed.error, parsed.error_description].filter(Boolean).join(': ');
      } catch {
        // not JSON: keep the status only
      }
      throw new ChorusAuthError(
        `PISTE refused the application credentials (PISTE_CLIENT_ID / PISTE_CLIENT_SECRET)${description ? `: ${description}` : ''}`,
        { operation: 'oauthToken', httpStatus: res.status },
        'application',
      );
    }
    if (!res.ok)
      throw new ChorusTransientError(
        `The PISTE OAuth server answered HTTP ${res.status}`,
        { operation: 'oauthToken', httpStatus: res.status },
        false,
      );
    const parsed = JSON.parse(text) as { access_token?: unknown; expires_in?: unknown; token_type?: unknown };
    if (typeof parsed.access_token !== 'string' || typeof parsed.expires_in !== 'number' || parsed.expires_in <= 0) {
      throw new ChorusTransientError(
        'The PISTE OAuth server answered without a usable token',
        { operation: 'oauthToken', httpStatus: res.status },
        false,
      );
    }
    return { token: parsed.access_token, expiresAt: this.#o.now() + parsed.expires_in * 1000 };
  }
}
