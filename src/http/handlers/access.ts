/** API keys (created by admins, shown once) and the audit trail of mutating calls. */
import type { RequestHandler } from 'express';
import { listAudit } from '../../access/audit.js';
import { createApiKey, listApiKeys, revokeApiKey, type ApiKeyRegistry } from '../../access/keys.js';
import type { AppContext } from '../../context.js';
import type { ApiKey } from '../../db/entities/api-key.js';
import { callerOf } from '../auth.js';
import { HttpError, issuesFromZod, validationError } from '../errors.js';
import { queryOf } from '../params.js';
import { apiKeyInputSchema, auditQuerySchema } from '../schemas.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function apiKeyView(key: ApiKey, secret?: string) {
  return {
    id: key.id,
    name: key.name,
    role: key.role,
    supplierSirets: key.supplierSirets,
    keyPrefix: key.keyPrefix,
    createdAt: key.createdAt.toISOString(),
    revokedAt: key.revokedAt?.toISOString() ?? null,
    ...(secret ? { key: secret } : {}),
  };
}

export function createApiKeyHandler(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const parsed = apiKeyInputSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw validationError(issuesFromZod(parsed.error), 'API key');
    const { apiKey, key } = await createApiKey(ctx.orm.em.fork(), callerOf(res), parsed.data);
    ctx.logger.info('API key created', { apiKeyId: apiKey.id, role: apiKey.role, by: callerOf(res).keyId });
    res.status(201).location(`/v1/api-keys/${apiKey.id}`).json(apiKeyView(apiKey, key));
  };
}

export function listApiKeysHandler(ctx: AppContext): RequestHandler {
  return async (_req, res) => {
    res.json({ data: (await listApiKeys(ctx.orm.em.fork(), callerOf(res).scope)).map((k) => apiKeyView(k)) });
  };
}

export function revokeApiKeyHandler(ctx: AppContext, registry: ApiKeyRegistry): RequestHandler {
  return async (req, res) => {
    const id = String(req.params.id);
    if (!UUID.test(id)) throw new HttpError(404, 'API_KEY_NOT_FOUND', `No API key has the id ${id}.`);
    const key = await revokeApiKey(ctx.orm.em.fork(), callerOf(res).scope, id);
    registry.forget();
    ctx.logger.info('API key revoked', { apiKeyId: key.id, by: callerOf(res).keyId });
    res.json(apiKeyView(key));
  };
}

/** The audit trail, newest first; only for admins of every supplier (it names every supplier's calls). */
export function auditHandler(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    if (callerOf(res).scope !== null)
      throw new HttpError(
        403,
        'FORBIDDEN',
        'The audit trail needs an admin key for every supplier (supplierSirets null).',
      );
    const { limit, before } = queryOf(auditQuerySchema, req.query);
    const entries = await listAudit(ctx.orm.em.fork(), limit, before);
    res.json({
      data: entries.map((e) => ({
        id: String(e.id),
        at: e.at.toISOString(),
        keyId: e.keyId,
        keyName: e.keyName,
        method: e.method,
        route: e.route,
        target: e.target,
        status: e.status,
      })),
      nextBefore: entries.length === limit ? String(entries.at(-1)!.id) : null,
    });
  };
}
