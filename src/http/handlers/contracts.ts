import type { RequestHandler } from 'express';
import { DEFAULT_FRAMES } from '../../contracts/profile.js';
import type { AppContext } from '../../context.js';
import { Contract } from '../../db/entities/contract.js';
import { assertSupplierVisible, callerOf } from '../auth.js';
import { issuesFromZod, validationError } from '../errors.js';
import { contractInputSchema } from '../schemas.js';

function contractView(contract: Contract) {
  return {
    id: contract.id,
    marketNumber: contract.marketNumber,
    buyer: contract.buyer,
    moe: contract.moe,
    moa: contract.moa,
    holderSiret: contract.holderSiret,
    frames: contract.frames,
    cocontractors: contract.cocontractors,
    subcontractors: contract.subcontractors,
    createdAt: contract.createdAt.toISOString(),
    updatedAt: contract.updatedAt.toISOString(),
  };
}

/** POST /v1/contracts: 201 for a new profile, 200 when it replaces the profile of the same market and buyer. */
export function upsertContract(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const parsed = contractInputSchema.safeParse(req.body);
    if (!parsed.success) throw validationError(issuesFromZod(parsed.error), 'contract profile');
    const input = parsed.data;
    // A key may describe only the contracts its own suppliers hold.
    assertSupplierVisible(callerOf(res), input.holderSiret, 'holderSiret');
    const em = ctx.orm.em.fork();
    const fields = {
      marketNumber: input.marketNumber,
      buyerSiret: input.buyer.siret,
      buyer: input.buyer,
      moe: input.moe,
      moa: input.moa,
      holderSiret: input.holderSiret,
      frames: {
        holder: input.frames.holder ?? DEFAULT_FRAMES.holder,
        cocontractor: input.frames.cocontractor ?? DEFAULT_FRAMES.cocontractor,
        subcontractor: input.frames.subcontractor ?? DEFAULT_FRAMES.subcontractor,
      },
      cocontractors: input.cocontractors,
      subcontractors: input.subcontractors,
    };
    const existing = await em.findOne(Contract, { marketNumber: input.marketNumber, buyerSiret: input.buyer.siret });
    const contract = existing ? em.assign(existing, fields) : em.create(Contract, fields);
    await em.flush();
    ctx.contracts.forget(contract.marketNumber);
    res
      .status(existing ? 200 : 201)
      .location(`/v1/contracts/${contract.id}`)
      .json(contractView(contract));
  };
}

/** GET /v1/contracts: the profiles whose holder the caller may see. */
export function listContracts(ctx: AppContext): RequestHandler {
  return async (_req, res) => {
    const { scope } = callerOf(res);
    const contracts = await ctx.orm.em.fork().find(Contract, scope === null ? {} : { holderSiret: { $in: [...scope] } }, { orderBy: { marketNumber: 'asc' } });
    res.json({ data: contracts.map(contractView) });
  };
}
