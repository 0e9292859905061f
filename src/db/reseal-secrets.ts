/**
 * Key rotation: every sealed value at rest (technical-account passwords, webhook secrets) opened with any key of
 * SECRET_KEYS and sealed again under the newest, bound to its row. After it, the older keys can be dropped.
 * The PISTE token in Redis needs nothing: one that does not open is fetched again.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { SEALED_AT, type SecretBox } from '../shared/secret-box.js';
import { Subscription } from './entities/subscription.js';
import { SupplierAccount } from './entities/supplier-account.js';

export async function resealSecrets(em: EntityManager, box: SecretBox): Promise<{ checked: number; resealed: number }> {
  return em.transactional(async (tx) => {
    let checked = 0;
    let resealed = 0;
    for (const account of await tx.find(SupplierAccount, {})) {
      checked += 1;
      if (box.isCurrent(account.chorusPasswordSealed)) continue;
      const binding = SEALED_AT.supplierPassword(account.id);
      account.chorusPasswordSealed = box.seal(box.open(account.chorusPasswordSealed, binding), binding);
      resealed += 1;
    }
    for (const subscription of await tx.find(Subscription, { secretSealed: { $ne: null } })) {
      checked += 1;
      if (box.isCurrent(subscription.secretSealed!)) continue;
      const binding = SEALED_AT.webhookSecret(subscription.id);
      subscription.secretSealed = box.seal(box.open(subscription.secretSealed!, binding), binding);
      resealed += 1;
    }
    return { checked, resealed };
  });
}
