import type { RequestHandler } from 'express';
import { inScope } from '../../access/roles.js';
import { callerOf } from '../auth.js';
import type { AppContext } from '../../context.js';
import { resumeSupplierJobs } from '../../queues/resume-supplier.js';
import { ensureSchedulers } from '../../queues/status-sync-schedulers.js';
import { assertEnvironmentServed, listSupplierAccounts, upsertSupplierAccount } from '../../suppliers/accounts.js';
import { HttpError, issuesFromZod, validationError } from '../errors.js';
import { supplierView } from '../presenters.js';
import { supplierInputSchema } from '../schemas.js';

/** POST /v1/suppliers: 201 when the account is new, 200 when its credentials were replaced. */
export function upsertSupplier(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const parsed = supplierInputSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw validationError(issuesFromZod(parsed.error), 'supplier account');
    if (!inScope(callerOf(res).scope, parsed.data.siret)) {
      throw new HttpError(
        403,
        'FORBIDDEN',
        `This key does not act for supplier ${parsed.data.siret}: an admin key for that supplier (or every supplier) is needed.`,
      );
    }
    assertEnvironmentServed(ctx.config.chorus, parsed.data.environment);
    const { account, created, resumed } = await upsertSupplierAccount(ctx.orm.em.fork(), ctx.secretBox, parsed.data);
    ctx.logger.info(created ? 'Supplier account registered' : 'Supplier account updated', {
      supplierAccountId: account.id,
      siret: account.siret,
    });
    if (created) {
      // Start following its statuses now rather than at the next sweep; a failure here is repaired by that sweep.
      await ensureSchedulers(ctx).catch((error: unknown) =>
        ctx.logger.warn('Could not set up the status-sync scheduler yet', {
          supplierAccountId: account.id,
          error: error instanceof Error ? error.message : String(error),
        }),
      );
    }
    if (resumed) {
      // Its invoices go now rather than at their next recheck; one missed here goes at that recheck.
      const promoted = await resumeSupplierJobs({ em: ctx.orm.em.fork(), queues: ctx.queues }, account.id).catch(
        (error: unknown) => {
          ctx.logger.warn('Could not send the waiting invoices of a resumed supplier account at once', {
            supplierAccountId: account.id,
            error: error instanceof Error ? error.message : String(error),
          });
          return 0;
        },
      );
      ctx.logger.info('Supplier account resumed with new credentials', { supplierAccountId: account.id, promoted });
    }
    res.status(created ? 201 : 200).json(supplierView(account));
  };
}

/** GET /v1/suppliers */
export function listSuppliers(ctx: AppContext): RequestHandler {
  return async (_req, res) => {
    const accounts = await listSupplierAccounts(ctx.orm.em.fork(), callerOf(res).scope);
    res.json({ data: accounts.map(supplierView) });
  };
}
