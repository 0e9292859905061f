import { Migration } from '@mikro-orm/migrations';

export class Migration20261128043735_deposit_pipeline extends Migration {
  override up(): void {
    this.addSql(
      `create table "deposit_attempt" ("id" bigserial primary key, "invoice_id" uuid not null, "number" int not null, "phase" varchar(16) not null, "started_at" timestamptz not null, "finished_at" timestamptz null, "flux_number" varchar(64) null, "error" text null);`,
    );
    this.addSql(
      `alter table "deposit_attempt" add constraint "deposit_attempt_invoice_number_unique" unique ("invoice_id", "number");`,
    );

    this.addSql(
      `alter table "deposit_attempt" add constraint "deposit_attempt_invoice_id_foreign" foreign key ("invoice_id") references "invoice" ("id") on update cascade on delete restrict;`,
    );

    this.addSql(
      `alter table "supplier_account" add column "paused_at" timestamptz null, add column "paused_reason" text null;`,
    );
  }

  override down(): void {
    this.addSql(`drop table if exists "deposit_attempt" cascade;`);

    this.addSql(`alter table "supplier_account" drop column "paused_at", drop column "paused_reason";`);
  }
}
