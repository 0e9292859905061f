import { Migration } from '@mikro-orm/migrations';

/**
 * The validator's inbox (subcontractors' and co-contractors' invoices), the validator an invoice names, longer
 * follow-up kinds.
 */
export class Migration20261130150000_validations extends Migration {
  override up(): void {
    this.addSql(`create table "validation" (
      "id" uuid not null primary key,
      "validator_id" uuid not null,
      "chorus_invoice_id" bigint not null,
      "invoice_number" varchar(64) not null,
      "supplier_siret" varchar(14) null,
      "supplier_name" text null,
      "recipient_siret" varchar(14) null,
      "recipient_name" text null,
      "service_code" varchar(100) null,
      "market_number" varchar(50) null,
      "engagement_number" varchar(50) null,
      "frame" varchar(64) null,
      "amount_with_vat" numeric(15,2) null,
      "amount_to_pay" numeric(15,2) null,
      "issue_date" varchar(10) null,
      "deposited_at" timestamptz null,
      "chorus_status" varchar(64) not null,
      "stage" varchar(20) not null default 'pending',
      "deadline" timestamptz not null,
      "decision" jsonb null,
      "decision_state" varchar(16) null,
      "decision_error" jsonb null,
      "reminders_sent" jsonb not null,
      "timeline" jsonb not null,
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null,
      "version" int not null default 1,
      constraint "validation_validator_invoice_unique" unique ("validator_id", "chorus_invoice_id"));`);
    this.addSql(
      `alter table "validation" add constraint "validation_validator_id_foreign" foreign key ("validator_id") references "supplier_account" ("id") on update cascade on delete restrict;`,
    );
    this.addSql(`create index "validation_stage_deadline_index" on "validation" ("stage", "deadline");`);
    this.addSql(`alter table "invoice" add column "validator_siret" varchar(14) null;`);
    this.addSql(`alter table "follow_up" alter column "kind" type varchar(32);`);
  }

  override down(): void {
    this.addSql(`alter table "follow_up" alter column "kind" type varchar(16);`);
    this.addSql(`alter table "invoice" drop column "validator_siret";`);
    this.addSql(`drop table "validation";`);
  }
}
