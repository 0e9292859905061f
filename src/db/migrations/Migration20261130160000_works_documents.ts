import { Migration } from '@mikro-orm/migrations';

/** Works documents: the previous document of a billing file, and the amounts beside the totals. */
export class Migration20261130160000_works_documents extends Migration {
  override up(): void {
    this.addSql(`alter table "invoice" add column "previous_id" uuid null, add column "works_amounts" jsonb null;`);
    this.addSql(
      `alter table "invoice" add constraint "invoice_previous_id_foreign" foreign key ("previous_id") references "invoice" ("id") on update cascade;`,
    );
    this.addSql(`create index "invoice_previous_id_index" on "invoice" ("previous_id");`);
  }

  override down(): void {
    this.addSql(`alter table "invoice" drop column "previous_id", drop column "works_amounts";`);
  }
}
