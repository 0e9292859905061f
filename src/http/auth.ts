/**
 * Who is calling, what the route needs, and what the call did. `Authorization: Bearer <key>` names a caller
 * (role and suppliers); each route of the table needs a permission; every mutating call is audited.
 */
import type { Request, RequestHandler, Response } from 'express';
import { recordCall, type AuditLine } from '../access/audit.js';
import type { ApiKeyRegistry } from '../access/keys.js';
import { allows, inScope, ROLE_NEEDED, type Caller, type Permission } from '../access/roles.js';
import type { AppContext } from '../context.js';
import { DomainError } from '../shared/domain-error.js';
import { HttpError, sendError } from './errors.js';

/** The token of `Authorization: Bearer <token>`, or '' (API keys and METRICS_TOKEN come this way). */
export function bearerToken(req: Request): string {
  return /^Bearer (.+)$/i.exec(req.get('authorization') ?? '')?.[1]?.trim() ?? '';
}

/** The request's correlation id (its X-Request-Id, or one made for it), set first by the request log. */
export function correlationIdOf(res: Response): string | undefined {
  return (res.locals as { correlationId?: string }).correlationId;
}

export function setCorrelationId(res: Response, correlationId: string): void {
  (res.locals as { correlationId?: string }).correlationId = correlationId;
}

/** The caller `authenticate` found; every /v1 handler runs after it. */
export function callerOf(res: Response): Caller {
  const caller = (res.locals as { caller?: Caller }).caller;
  if (!caller) throw new Error('No caller: authenticate must run before this handler');
  return caller;
}

export function authenticate(ctx: AppContext, keys: ApiKeyRegistry): RequestHandler {
  return async (req, res, next) => {
    const given = bearerToken(req);
    const caller = given ? await keys.identify(ctx.orm.em, given) : null;
    if (!caller) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="chorus-relay"');
      return sendError(res, 401, 'UNAUTHORIZED', 'Send a valid API key as "Authorization: Bearer <key>".');
    }
    (res.locals as { caller?: Caller }).caller = caller;
    next();
  };
}

/** Refuses a caller whose role lacks the route's permission, naming the role it would take. */
export function permit(permission: Permission): RequestHandler {
  return (req, res, next) => {
    const caller = callerOf(res);
    // What the audit entry names: the route's pattern and its target, known only while the route runs.
    const locals = res.locals as AuditLocals;
    locals.auditRoute = `${req.baseUrl}${(req.route as { path?: string } | undefined)?.path ?? req.path}`;
    const id = (req.params as Record<string, string | undefined>).id;
    if (id) locals.auditTarget = id;
    if (!allows(caller.role, permission)) {
      throw new HttpError(
        403,
        'FORBIDDEN',
        `This action needs the ${ROLE_NEEDED[permission]} role (or higher); this key is a ${caller.role}.`,
        [{ path: '', code: 'role_needed', message: ROLE_NEEDED[permission] }],
      );
    }
    next();
  };
}

/**
 * A supplier outside the caller's scope is, for it, a supplier it cannot see: whether someone registered it is not
 * told. Such a key cannot register it either, so the sentence sends it to whoever can.
 */
export function assertSupplierVisible(caller: Caller, siret: string, path = 'supplierSiret'): void {
  if (!inScope(caller.scope, siret)) {
    throw new DomainError(
      'invalid',
      'UNKNOWN_SUPPLIER',
      `No supplier account with SIRET ${siret} is open to this key: it is limited to its own suppliers.`,
      [
        {
          path,
          code: 'unknown_supplier',
          message: `Use a key of supplier ${siret}, or ask an administrator of every supplier to register it and add it to this key's suppliers.`,
        },
      ],
    );
  }
}

interface AuditLocals {
  caller?: Caller;
  auditRoute?: string;
  auditTarget?: string;
  /** The handler wrote the audit line itself, with what the call changed (the intake's one statement). */
  audited?: boolean;
}

/** What the audit line of this call says but its status: who, which route, on what. Null before authentication. */
export function auditLineOf(req: Request, res: Response): AuditLine | null {
  const locals = res.locals as AuditLocals;
  const caller = locals.caller;
  if (!caller) return null;
  const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
  const named = locals.auditTarget ?? [body.siret, body.supplierSiret].find((v): v is string => typeof v === 'string');
  return {
    keyId: caller.keyId,
    keyName: caller.keyName,
    method: req.method,
    route: locals.auditRoute ?? `${req.baseUrl}${req.path}`,
    target: named ?? null,
  };
}

/** The handler wrote the audit line with its own write: the middleware leaves it. */
export function markAudited(res: Response): void {
  (res.locals as AuditLocals).audited = true;
}

/** Writes an audit entry when a mutating call ends, whatever its outcome; a failure to write is logged, not raised. */
export function audit(ctx: AppContext): RequestHandler {
  return (req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
    res.on('finish', () => {
      if ((res.locals as AuditLocals).audited) return;
      const line = auditLineOf(req, res);
      if (!line) return;
      recordCall(ctx.orm.em.fork(), { ...line, status: res.statusCode }).catch((error: unknown) =>
        ctx.logger.error('Audit entry not written', {
          route: line.route,
          keyId: line.keyId,
          error: error instanceof Error ? error.message : String(error),
        }),
      );
    });
    next();
  };
}
