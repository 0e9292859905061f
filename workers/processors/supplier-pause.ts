import type { AppContext } from '../../src/context.js';
import { notifySupplier, publishNotifications } from '../../src/alerts/notify.js';
import { SupplierAccount } from '../../src/db/entities/supplier-account.js';
import { supplierPauseChanged } from '../../src/invoices/lifecycle.js';
import { withoutFinalStop } from '../../src/shared/sentences.js';

/**
 * Chorus Pro refused the supplier's technical account: pause the account (its invoices wait, they do not fail)
 * and raise one alert. Updating the credentials through POST /v1/suppliers lifts the pause.
 */
export async function pauseSupplier(deps: AppContext, supplier: SupplierAccount, reason: string): Promise<void> {
  const em = deps.orm.em.fork();
  const pausedAt = deps.clock.now();
  const notification = await em.transactional(async (tx) => {
    // Only the first process to pause it raises the alert.
    const updated = await tx.nativeUpdate(
      SupplierAccount,
      { id: supplier.id, pausedAt: null },
      { pausedAt, pausedReason: reason },
    );
    if (updated === 0) return null;
    await supplierPauseChanged(tx, supplier.id, true);
    const message = `Chorus Pro refused the account of supplier ${supplier.siret}: ${withoutFinalStop(reason)}. Its invoices wait until the credentials are updated (POST /v1/suppliers).`;
    return notifySupplier(tx, supplier, 'supplier.account_refused', { reason, message }, String(pausedAt.getTime()));
  });
  if (!notification) return;
  deps.logger.warn('Supplier account paused: Chorus Pro refused it', {
    supplierAccountId: supplier.id,
    siret: supplier.siret,
    reason,
  });
  await publishNotifications(deps, [notification]);
}
