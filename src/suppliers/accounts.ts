import { LockMode, UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { SEALED_AT } from '../shared/secret-box.js';
import type { Scope } from '../access/roles.js';
import type { ChorusEnvironment } from '../chorus/environments.js';
import { configuredEnvironments, type ChorusEnvironments } from '../config.js';
import { SupplierAccount } from '../db/entities/supplier-account.js';
import { supplierPauseChanged } from '../invoices/lifecycle.js';
import { DomainError } from '../shared/domain-error.js';
import type { SecretBox } from '../shared/secret-box.js';

export interface SupplierAccountInput {
  siret: string;
  chorusLogin: string;
  chorusPassword: string;
  environment: ChorusEnvironment;
}

/**
 * An account in an environment this deployment has no PISTE credentials for could never be served: refused with
 * the variables to set. With none at all, nothing is refused here (a web process alone; npm start's simulator).
 */
export function assertEnvironmentServed(chorus: ChorusEnvironments | null, environment: ChorusEnvironment): void {
  const served = configuredEnvironments(chorus);
  if (served.length === 0 || served.includes(environment)) return;
  const variables =
    environment === 'sandbox'
      ? 'PISTE_SANDBOX_CLIENT_ID and PISTE_SANDBOX_CLIENT_SECRET'
      : 'PISTE_CLIENT_ID and PISTE_CLIENT_SECRET';
  throw new DomainError(
    'invalid',
    'CHORUS_ENVIRONMENT_NOT_CONFIGURED',
    `This deployment has no PISTE credentials for the Chorus Pro ${environment} environment, only for ${served.join(' and ')}.`,
    [
      {
        path: 'environment',
        code: 'chorus_environment_not_configured',
        message: `Set ${variables} to serve ${environment} accounts, or register the account in ${served.join(' or ')}.`,
      },
    ],
  );
}

/** Registers a supplier account, or replaces the credentials of the one with that SIRET. */
export async function upsertSupplierAccount(
  em: EntityManager,
  secretBox: SecretBox,
  input: SupplierAccountInput,
): Promise<{ account: SupplierAccount; created: boolean; resumed: boolean }> {
  const write = (): Promise<{ account: SupplierAccount; created: boolean; resumed: boolean }> =>
    em.fork().transactional(async (tx) => {
      // The row is locked while its credentials change: registrations of one account at once, and the jobs that
      // update it (a password check, a pause), wait for each other instead of failing on its version.
      const existing = await tx.findOne(
        SupplierAccount,
        { siret: input.siret },
        { lockMode: LockMode.PESSIMISTIC_WRITE },
      );
      const account =
        existing ??
        tx.create(SupplierAccount, {
          siret: input.siret,
          chorusLogin: input.chorusLogin,
          chorusPasswordSealed: '',
          environment: input.environment,
        });
      account.chorusLogin = input.chorusLogin;
      account.chorusPasswordSealed = secretBox.seal(input.chorusPassword, SEALED_AT.supplierPassword(account.id));
      if (existing && existing.environment !== input.environment) {
        // The structure id found in one environment means nothing in the other.
        account.chorusStructureId = null;
      }
      account.environment = input.environment;
      // New credentials lift a pause caused by Chorus Pro refusing the old ones; waiting invoices resume.
      const wasPaused = account.pausedAt !== null;
      account.pausedAt = null;
      account.pausedReason = null;
      // The credentials may be what made the syncs fail: the next one tries at once.
      account.syncRetryAt = null;
      await tx.flush();
      if (wasPaused) await supplierPauseChanged(tx, account.id, false);
      return { account, created: existing === null, resumed: wasPaused };
    });
  try {
    return await write();
  } catch (error) {
    // Two registrations of a new SIRET at once (no row to lock yet): the loser updates the winner's row.
    if (error instanceof UniqueConstraintViolationException) return write();
    throw error;
  }
}

export function listSupplierAccounts(em: EntityManager, scope: Scope = null): Promise<SupplierAccount[]> {
  return em.find(SupplierAccount, scope === null ? {} : { siret: { $in: [...scope] } }, { orderBy: { siret: 'asc' } });
}

/** The account a request names by `supplierSiret`; refused (422, on that field) when none is registered. */
export async function registeredSupplier(em: EntityManager, siret: string): Promise<SupplierAccount> {
  const supplier = await em.findOne(SupplierAccount, { siret });
  if (supplier === null) {
    throw new DomainError('invalid', 'UNKNOWN_SUPPLIER', `No supplier account is registered for SIRET ${siret}.`, [
      {
        path: 'supplierSiret',
        code: 'unknown_supplier',
        message: 'Register the supplier with POST /v1/suppliers first.',
      },
    ]);
  }
  return supplier;
}
