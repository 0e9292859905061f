import { Migration } from '@mikro-orm/migrations';

export class Migration20261130060000_lifecycle extends Migration {
  override up(): void {
    this.addSql(`alter table "invoice" add column "chorus_history_seen" int null;`);
    // A flux refused at integration frees its number (Chorus Pro checks uniqueness among integrated invoices only).
    this.addSql(`alter table "invoice" drop constraint "invoice_supplier_number_unique";`);
    this.addSql(
      `create unique index "invoice_supplier_number_unique" on "invoice" ("supplier_id", "number") where "state" <> 'rejected';`,
    );
  }

  override down(): void {
    this.addSql(`drop index "invoice_supplier_number_unique";`);
    this.addSql(
      `alter table "invoice" add constraint "invoice_supplier_number_unique" unique ("supplier_id", "number");`,
    );
    this.addSql(`alter table "invoice" drop column "chorus_history_seen";`);
  }
}
