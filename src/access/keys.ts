/**
 * API keys: the bootstrap keys of `API_KEYS` (admins of every supplier) and the keys admins create, kept as
 * SHA-256 digests. A created key is shown once; revoking it takes effect within KEY_CACHE_MS.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { clockOf } from '../db/clock.js';
import { ApiKey } from '../db/entities/api-key.js';
import { DomainError } from '../shared/domain-error.js';
import { BOARD_SESSION_PREFIX, type BoardSessions } from './board-sessions.js';
import { scopeWithin, type Caller, type Role, type Scope } from './roles.js';

const KEY_CACHE_MS = 5_000;
const digest = (key: string) => createHash('sha256').update(key).digest();

export interface KeyInput {
  name: string;
  role: Role;
  supplierSirets: string[] | null;
}

export class ApiKeyRegistry {
  readonly #bootstrap: Array<{ digest: Buffer; caller: Caller }>;
  readonly #cache = new Map<string, { caller: Caller | null; until: number }>();
  readonly #boardSessions: BoardSessions | null;

  /** `boardSessions`: the credentials of the pages' sessions signed in with Bull Board's login. */
  constructor(bootstrapKeys: readonly string[], boardSessions: BoardSessions | null = null) {
    this.#boardSessions = boardSessions;
    this.#bootstrap = bootstrapKeys.map((key, i) => ({
      digest: digest(key),
      caller: { keyId: `API_KEYS#${i + 1}`, keyName: `API_KEYS #${i + 1}`, role: 'admin', scope: null },
    }));
  }

  /**
   * The caller a key belongs to, or null. Bootstrap keys are compared in constant time, all of them. `em` is
   * forked only when the database must be asked: most calls are answered from the cache.
   */
  async identify(em: EntityManager, given: string): Promise<Caller | null> {
    if (given.startsWith(BOARD_SESSION_PREFIX)) return this.#boardSessions?.identify(given) ?? null;
    const hash = digest(given);
    const bootstrap = this.#bootstrap
      .map((k) => (timingSafeEqual(k.digest, hash) ? k.caller : null))
      .find((c) => c !== null);
    if (bootstrap) return bootstrap;
    const hex = hash.toString('hex');
    const cached = this.#cache.get(hex);
    if (cached && cached.until > performance.now()) return cached.caller;
    const key = await em.fork().findOne(ApiKey, { keyHash: hex, revokedAt: null });
    const caller: Caller | null = key
      ? { keyId: key.id, keyName: key.name, role: key.role, scope: key.supplierSirets }
      : null;
    if (this.#cache.size > 10_000) this.#cache.clear();
    this.#cache.set(hex, { caller, until: performance.now() + KEY_CACHE_MS });
    return caller;
  }

  forget(): void {
    this.#cache.clear();
  }
}

/** Creates a key; the creator cannot give more than it has (role or suppliers). Returns the key, shown once. */
export async function createApiKey(
  em: EntityManager,
  creator: Caller,
  input: KeyInput,
): Promise<{ apiKey: ApiKey; key: string }> {
  if (!scopeWithin(input.supplierSirets, creator.scope)) {
    throw new DomainError(
      'invalid',
      'SCOPE_TOO_WIDE',
      'A key cannot reach suppliers its creator cannot: give supplierSirets within your own.',
      [
        {
          path: 'supplierSirets',
          code: 'scope_too_wide',
          message: `supplierSirets must be within ${JSON.stringify(creator.scope)}`,
        },
      ],
    );
  }
  const key = `crk_${randomBytes(32).toString('base64url')}`;
  const apiKey = em.create(ApiKey, {
    name: input.name,
    role: input.role,
    supplierSirets: input.supplierSirets,
    keyHash: digest(key).toString('hex'),
    keyPrefix: key.slice(0, 12),
  });
  await em.flush();
  return { apiKey, key };
}

/** Keys a caller may see: all for an admin of every supplier, else those within its scope. */
export async function listApiKeys(em: EntityManager, scope: Scope): Promise<ApiKey[]> {
  const keys = await em.find(ApiKey, {}, { orderBy: { createdAt: 'asc' } });
  return keys.filter((k) => scopeWithin(k.supplierSirets, scope));
}

export async function revokeApiKey(em: EntityManager, scope: Scope, id: string): Promise<ApiKey> {
  const key = await em.findOne(ApiKey, id);
  if (!key || !scopeWithin(key.supplierSirets, scope))
    throw new DomainError('not-found', 'API_KEY_NOT_FOUND', `No API key has the id ${id}.`);
  key.revokedAt ??= clockOf(em).now();
  await em.flush();
  return key;
}
