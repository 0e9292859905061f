/**
 * The validations a caller may see, filtered (the main contractor's inbox as GET /v1/validations shows it), and one by
 * id.
 */
import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import type { Scope } from '../access/roles.js';
import { Validation, type ValidationStage } from '../db/entities/validation.js';

export interface ValidationFilters {
  pending?: boolean | undefined;
  stage?: ValidationStage[] | undefined;
  validatorSiret?: string | undefined;
  supplierSiret?: string | undefined;
  marketNumber?: string | undefined;
  deadlineBefore?: Date | undefined;
  limit: number;
}

/** Soonest deadline first: what must be decided first comes first. */
export function listValidations(em: EntityManager, scope: Scope, f: ValidationFilters): Promise<Validation[]> {
  const where: FilterQuery<Validation> = {};
  const validator: Record<string, unknown> = {};
  if (scope !== null) validator.siret = { $in: [...scope] };
  if (f.validatorSiret)
    validator.siret = scope !== null && !scope.includes(f.validatorSiret) ? { $in: [] } : f.validatorSiret;
  if (Object.keys(validator).length > 0) where.validator = validator;
  if (f.pending) where.stage = 'pending';
  else if (f.stage) where.stage = { $in: f.stage };
  if (f.supplierSiret) where.supplierSiret = f.supplierSiret;
  if (f.marketNumber) where.marketNumber = f.marketNumber;
  if (f.deadlineBefore) where.deadline = { $lt: f.deadlineBefore };
  return em.find(Validation, where, {
    populate: ['validator'],
    orderBy: { deadline: 'asc', id: 'asc' },
    limit: f.limit,
  });
}

/** One validation with its validator account, or null. */
export function findValidation(em: EntityManager, id: string): Promise<Validation | null> {
  return em.findOne(Validation, id, { populate: ['validator'] });
}
