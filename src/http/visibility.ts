/**
 * A resource of a supplier outside the caller's scope does not exist for it: 404, exactly as an unknown id, so
 * that its existence is not revealed, and by the same path: an unknown id is refused here too, after the same one
 * query, so that the answer's time does not tell them apart either. Skipped for callers of every supplier.
 */
import type { RequestHandler } from 'express';
import { ownerSiret, type OwnedResource } from '../access/owners.js';
import { inScope } from '../access/roles.js';
import type { AppContext } from '../context.js';
import { callerOf } from './auth.js';
import { HttpError } from './errors.js';
import { idParam } from './params.js';

export function visible(ctx: AppContext, what: OwnedResource): RequestHandler {
  return async (req, res, next) => {
    const { scope } = callerOf(res);
    if (scope === null) return next();
    const id = idParam(req.params.id, what);
    const owner = await ownerSiret(ctx.orm.em.fork(), what, id);
    if (owner === null || !inScope(scope, owner))
      throw new HttpError(404, `${what.toUpperCase()}_NOT_FOUND`, `No ${what} has the id ${id}.`);
    next();
  };
}
