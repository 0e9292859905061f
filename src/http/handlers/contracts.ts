import type { RequestHandler } from 'express';
import { contractsWithin, saveContract } from '../../contracts/profile.js';
import type { AppContext } from '../../context.js';
import { assertSupplierVisible, callerOf } from '../auth.js';
import { issuesFromZod, validationError } from '../errors.js';
import { contractView } from '../presenters.js';
import { contractInputSchema } from '../schemas.js';

/** POST /v1/contracts: 201 for a new profile, 200 when it replaces the profile of the same market and buyer. */
export function upsertContract(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const parsed = contractInputSchema.safeParse(req.body);
    if (!parsed.success) throw validationError(issuesFromZod(parsed.error), 'contract profile');
    // A key may describe only the contracts its own suppliers hold.
    const caller = callerOf(res);
    assertSupplierVisible(caller, parsed.data.holderSiret, 'holderSiret');
    const { contract, created } = await saveContract(ctx.orm.em.fork(), parsed.data, caller.scope);
    ctx.contracts.forget(contract.marketNumber);
    res
      .status(created ? 201 : 200)
      .location(`/v1/contracts/${contract.id}`)
      .json(contractView(contract));
  };
}

/** GET /v1/contracts: the profiles whose holder the caller may see. */
export function listContracts(ctx: AppContext): RequestHandler {
  return async (_req, res) => {
    res.json({ data: (await contractsWithin(ctx.orm.em.fork(), callerOf(res).scope)).map(contractView) });
  };
}
