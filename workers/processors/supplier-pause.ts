import type { AppContext } from '../../src/context.js';
import { SupplierAccount } from '../../src/db/entities/supplier-account.js';
import { raiseAlert } from '../../src/queues/enqueue.js';

/**
 * Chorus Pro refused the supplier's technical account: pause the account (its invoices wait, they do not fail)
 * and raise one alert. Updating the credentials through POST /v1/suppliers lifts the pause.
 */
export async function pauseSupplier(deps: AppContext, supplier: SupplierAccount, reason: string): Promise<void> {
  const em = deps.orm.em.fork();
  const pausedAt = new Date();
  // Only the first process to pause it raises the alert.
  const updated = await em.nativeUpdate(SupplierAccount, { id: supplier.id, pausedAt: null }, { pausedAt, pausedReason: reason });
  if (updated === 0) return;
  deps.logger.warn('Supplier account paused: Chorus Pro refused it', { supplierAccountId: supplier.id, siret: supplier.siret, reason });
  await raiseAlert(
    deps.queues,
    { kind: 'supplier-account-refused', supplierAccountId: supplier.id, message: `Chorus Pro refused the account of supplier ${supplier.siret}: ${reason}. Its invoices wait until the credentials are updated.` },
    String(pausedAt.getTime()),
  );
}
