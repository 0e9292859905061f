import { Migration } from '@mikro-orm/migrations';

export class Migration20261128045605_status_sync extends Migration {
  override up(): void {
    this.addSql(`alter table "supplier_account" add column "status_synced_until" timestamptz null;`);
  }

  override down(): void {
    this.addSql(`alter table "supplier_account" drop column "status_synced_until";`);
  }
}
