/**
 * A resource of a supplier outside the caller's scope does not exist for it: 404, exactly as an unknown id, so
 * that its existence is not revealed. One query per guarded call, skipped for callers of every supplier.
 */
import type { RequestHandler } from 'express';
import { inScope } from '../access/roles.js';
import type { AppContext } from '../context.js';
import { callerOf } from './auth.js';
import { HttpError } from './errors.js';
import { idParam } from './params.js';

type Guarded = 'invoice' | 'subscription' | 'delivery';

const SUPPLIER_OF: Record<Guarded, string> = {
  invoice: 'select s.siret from invoice r join supplier_account s on s.id = r.supplier_id where r.id = ?',
  subscription: 'select s.siret from subscription r join supplier_account s on s.id = r.supplier_id where r.id = ?',
  delivery: `select s.siret from delivery r join subscription u on u.id = r.subscription_id join supplier_account s on s.id = u.supplier_id where r.id = ?`,
};

export function visible(ctx: AppContext, what: Guarded): RequestHandler {
  return async (req, res, next) => {
    const { scope } = callerOf(res);
    if (scope === null) return next();
    const id = idParam(req.params.id, what);
    const rows = await ctx.orm.em.getConnection().execute<Array<{ siret: string }>>(SUPPLIER_OF[what], [id]);
    if (rows[0] && !inScope(scope, rows[0].siret)) throw new HttpError(404, `${what.toUpperCase()}_NOT_FOUND`, `No ${what} has the id ${id}.`);
    next();
  };
}
