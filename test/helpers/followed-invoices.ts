/**
 * Invoices the relay follows, written straight into PostgreSQL as the deposit pipeline leaves them, for sync tests at
 * scale.
 */
import type { EntityManager } from '@mikro-orm/postgresql';

export async function insertFollowedInvoices(
  em: EntityManager,
  supplierId: string,
  invoices: Array<{ id: number; number: string }>,
  chorusStatus: string,
  chorusStatusAgo: string,
): Promise<void> {
  await em.getConnection().execute(
    `insert into invoice (id, supplier_id, number, issue_date, type, billing_frame, recipient_siret, service_code, currency,
       amount_without_vat, vat_amount, amount_with_vat, file_name, file_content, file_size, file_sha256, syntaxe_flux,
       state, chorus_flux_number, chorus_invoice_id, chorus_status, chorus_status_at, status_followed, created_at, updated_at, version)
     select gen_random_uuid(), ?, s.number, '2026-08-01', 'FACTURE', 'A1', '11000201100044', 'SERVICE-BTP', 'EUR',
       100, 20, 120, s.number || '.xml', '\\x00'::bytea, 1, repeat('0', 64), 'IN_DP_E1_UBL_INVOICE',
       'integrated', 'SEEDED', s.id, ?, now() - ?::interval, true, now(), now(), 1
     from jsonb_to_recordset(?::jsonb) as s(id bigint, number text)`,
    [supplierId, chorusStatus, chorusStatusAgo, JSON.stringify(invoices)],
  );
}
