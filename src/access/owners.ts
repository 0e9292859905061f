/** Which supplier a resource belongs to: what a key's scope is checked against. */
import type { EntityManager } from '@mikro-orm/postgresql';

export type OwnedResource = 'invoice' | 'subscription' | 'delivery' | 'validation';

const SUPPLIER_OF: Record<OwnedResource, string> = {
  invoice: 'select s.siret from invoice r join supplier_account s on s.id = r.supplier_id where r.id = ?',
  subscription: 'select s.siret from subscription r join supplier_account s on s.id = r.supplier_id where r.id = ?',
  validation: 'select s.siret from validation r join supplier_account s on s.id = r.validator_id where r.id = ?',
  delivery:
    'select s.siret from delivery r join subscription u on u.id = r.subscription_id join supplier_account s on s.id = u.supplier_id where r.id = ?',
};

/** The SIRET of the supplier that owns it, or null when no such resource exists. One indexed query. */
export async function ownerSiret(em: EntityManager, kind: OwnedResource, id: string): Promise<string | null> {
  const rows = await em.getConnection().execute<Array<{ siret: string }>>(SUPPLIER_OF[kind], [id]);
  return rows[0]?.siret ?? null;
}
