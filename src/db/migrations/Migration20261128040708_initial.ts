import { Migration } from '@mikro-orm/migrations';

export class Migration20261128040708_initial extends Migration {
  override up(): void {
    this.addSql(
      `create table "supplier_account" ("id" uuid not null, "siret" varchar(14) not null, "chorus_login" varchar(255) not null, "chorus_password_sealed" text not null, "environment" varchar(16) not null, "chorus_structure_id" bigint null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" int not null default 1, constraint "supplier_account_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "supplier_account" add constraint "supplier_account_siret_unique" unique ("siret");`);

    this.addSql(
      `create table "invoice" ("id" uuid not null, "supplier_id" uuid not null, "number" varchar(20) not null, "issue_date" date not null, "type" varchar(16) not null, "billing_frame" varchar(4) not null default 'A1', "recipient_siret" varchar(14) not null, "service_code" varchar(100) null, "engagement_number" varchar(50) null, "market_number" varchar(50) null, "currency" varchar(3) not null default 'EUR', "amount_without_vat" numeric(15,2) not null, "vat_amount" numeric(15,2) not null, "amount_with_vat" numeric(15,2) not null, "file_name" varchar(200) not null, "file_content" bytea not null, "file_size" int not null, "file_sha256" varchar(64) not null, "syntaxe_flux" varchar(40) not null, "state" varchar(32) not null default 'queued', "chorus_flux_number" varchar(64) null, "chorus_invoice_id" bigint null, "chorus_status" varchar(64) null, "chorus_status_at" timestamptz null, "last_error" jsonb null, "idempotency_key" varchar(255) null, "request_hash" varchar(64) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" int not null default 1, constraint "invoice_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "invoice_engagement_number_index" on "invoice" ("engagement_number");`);
    this.addSql(`create index "invoice_state_created_at_index" on "invoice" ("state", "created_at");`);
    this.addSql(
      `alter table "invoice" add constraint "invoice_supplier_idempotency_key_unique" unique ("supplier_id", "idempotency_key");`,
    );
    this.addSql(
      `alter table "invoice" add constraint "invoice_supplier_number_unique" unique ("supplier_id", "number");`,
    );

    this.addSql(
      `create table "invoice_event" ("id" bigserial primary key, "invoice_id" uuid not null, "at" timestamptz not null, "type" varchar(48) not null, "source" varchar(16) not null, "message" text not null, "details" jsonb null);`,
    );
    this.addSql(`create index "invoice_event_invoice_at_index" on "invoice_event" ("invoice_id", "at");`);

    this.addSql(
      `alter table "invoice" add constraint "invoice_supplier_id_foreign" foreign key ("supplier_id") references "supplier_account" ("id") on update cascade on delete restrict;`,
    );

    this.addSql(
      `alter table "invoice_event" add constraint "invoice_event_invoice_id_foreign" foreign key ("invoice_id") references "invoice" ("id") on update cascade on delete restrict;`,
    );

    // The timeline is evidence: refuse any change to a line once written.
    this.addSql(
      `create function invoice_event_append_only() returns trigger language plpgsql as $$ begin raise exception 'invoice_event is append-only'; end $$;`,
    );
    this.addSql(
      `create trigger invoice_event_append_only before update or delete on "invoice_event" for each row execute function invoice_event_append_only();`,
    );
  }

  override down(): void {
    this.addSql(`drop trigger if exists invoice_event_append_only on "invoice_event";`);
    this.addSql(`drop function if exists invoice_event_append_only();`);
    this.addSql(`alter table "invoice" drop constraint "invoice_supplier_id_foreign";`);

    this.addSql(`alter table "invoice_event" drop constraint "invoice_event_invoice_id_foreign";`);

    this.addSql(`drop table if exists "supplier_account" cascade;`);

    this.addSql(`drop table if exists "invoice" cascade;`);

    this.addSql(`drop table if exists "invoice_event" cascade;`);
  }
}
