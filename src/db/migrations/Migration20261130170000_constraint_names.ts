import { Migration } from '@mikro-orm/migrations';

/**
 * The batch tables' foreign keys under the names MikroORM gives them (`*_foreign`), as every other table has them:
 * the schema the migrations build is then exactly the one the entities describe (test/integration/schema.test.ts).
 */
export class Migration20261130170000_constraint_names extends Migration {
  override up(): void {
    this.addSql(
      `alter table "batch_entry" rename constraint "batch_entry_batch_id_fkey" to "batch_entry_batch_id_foreign";`,
    );
    this.addSql(
      `alter table "batch_entry" rename constraint "batch_entry_invoice_id_fkey" to "batch_entry_invoice_id_foreign";`,
    );
    this.addSql(
      `alter table "invoice_attachment" rename constraint "invoice_attachment_invoice_id_fkey" to "invoice_attachment_invoice_id_foreign";`,
    );
  }

  override down(): void {
    this.addSql(
      `alter table "batch_entry" rename constraint "batch_entry_batch_id_foreign" to "batch_entry_batch_id_fkey";`,
    );
    this.addSql(
      `alter table "batch_entry" rename constraint "batch_entry_invoice_id_foreign" to "batch_entry_invoice_id_fkey";`,
    );
    this.addSql(
      `alter table "invoice_attachment" rename constraint "invoice_attachment_invoice_id_foreign" to "invoice_attachment_invoice_id_fkey";`,
    );
  }
}
