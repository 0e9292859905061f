import { Migration } from '@mikro-orm/migrations';

export class Migration20261128064550_alerts_and_follow_ups extends Migration {
  override up(): void {
    this.addSql(
      `create table "subscription" ("id" uuid not null, "supplier_id" uuid not null, "channel" varchar(16) not null, "emails" jsonb not null, "url" text null, "secret_sealed" text null, "events" jsonb not null, "active" boolean not null default true, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "subscription_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "subscription_supplier_index" on "subscription" ("supplier_id");`);

    this.addSql(
      `create table "notification" ("id" uuid not null, "supplier_id" uuid not null, "invoice_id" uuid null, "event" varchar(48) not null, "dedup_key" varchar(200) not null, "payload" jsonb not null, "created_at" timestamptz not null, "fanned_out_at" timestamptz null, constraint "notification_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "notification" add constraint "notification_dedup_key_unique" unique ("dedup_key");`);
    this.addSql(`create index "notification_invoice_index" on "notification" ("invoice_id");`);
    this.addSql(`create index "notification_pending_index" on "notification" ("fanned_out_at", "created_at");`);

    this.addSql(
      `create table "delivery" ("id" uuid not null, "notification_id" uuid not null, "subscription_id" uuid not null, "channel" varchar(16) not null, "sequence" int not null default 0, "status" varchar(16) not null default 'pending', "attempts" int not null default 0, "last_attempt_at" timestamptz null, "delivered_at" timestamptz null, "response_status" int null, "last_error" text null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "delivery_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "delivery_status_index" on "delivery" ("status", "updated_at");`);
    this.addSql(`create index "delivery_subscription_created_index" on "delivery" ("subscription_id", "created_at");`);
    this.addSql(
      `alter table "delivery" add constraint "delivery_notification_subscription_sequence_unique" unique ("notification_id", "subscription_id", "sequence");`,
    );

    this.addSql(
      `create table "follow_up" ("id" uuid not null, "invoice_id" uuid not null, "kind" varchar(16) not null, "request" jsonb not null, "attachment_content" bytea null, "chorus_attachment_id" bigint null, "state" varchar(16) not null default 'queued', "error" jsonb null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "follow_up_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "follow_up_invoice_index" on "follow_up" ("invoice_id");`);
    this.addSql(`create index "follow_up_state_index" on "follow_up" ("state", "updated_at");`);

    this.addSql(
      `alter table "subscription" add constraint "subscription_supplier_id_foreign" foreign key ("supplier_id") references "supplier_account" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "notification" add constraint "notification_supplier_id_foreign" foreign key ("supplier_id") references "supplier_account" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "notification" add constraint "notification_invoice_id_foreign" foreign key ("invoice_id") references "invoice" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "delivery" add constraint "delivery_notification_id_foreign" foreign key ("notification_id") references "notification" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "delivery" add constraint "delivery_subscription_id_foreign" foreign key ("subscription_id") references "subscription" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "follow_up" add constraint "follow_up_invoice_id_foreign" foreign key ("invoice_id") references "invoice" ("id") on update cascade on delete restrict;`,
    );

    this.addSql(
      `alter table "supplier_account" add column "password_expires_on" date null, add column "password_checked_at" timestamptz null;`,
    );

    this.addSql(
      `alter table "invoice" add column "action_required" varchar(32) null, add column "deposited_at" timestamptz null, add column "made_available_at" timestamptz null, add column "status_followed" boolean not null default false, add column "corrects_id" uuid null, add column "corrected_by_id" uuid null, add column "overdue_alerted_at" timestamptz null;`,
    );
    this.addSql(
      `alter table "invoice" add constraint "invoice_corrects_id_foreign" foreign key ("corrects_id") references "invoice" ("id") on update cascade on delete restrict;`,
    );
    this.addSql(
      `alter table "invoice" add constraint "invoice_corrected_by_id_foreign" foreign key ("corrected_by_id") references "invoice" ("id") on update cascade on delete set null;`,
    );
    this.addSql(`alter table "invoice" add constraint "invoice_corrects_unique" unique ("corrects_id");`);
    this.addSql(`alter table "invoice" add constraint "invoice_corrected_by_unique" unique ("corrected_by_id");`);
    this.addSql(`create index "invoice_updated_at_index" on "invoice" ("updated_at", "id");`);
    this.addSql(`create index "invoice_action_required_index" on "invoice" ("action_required");`);
    // Existing rows: what the entity hooks would have computed.
    this.addSql(
      `update "invoice" set "status_followed" = true where "state" = 'integrated' and coalesce("chorus_status", '') not in ('REJETEE', 'REFUSEE_1', 'REFUSEE_2', 'REFUSEE_MOE', 'REFUSEE_MOA', 'REFUSEE_FOURNISSEUR', 'MISE_EN_PAIEMENT', 'REMPLACEE_PAR_A22', 'ABANDONNEE', 'SUPPRIMEE');`,
    );
    this.addSql(`update "invoice" set "action_required" = case
      when "state" = 'precheck_failed' then 'precheck_failed'
      when "state" = 'rejected' then 'rejected_at_integration'
      when "state" = 'needs_attention' then 'deposit_failed'
      when "state" = 'integrated' and "chorus_status" in ('REJETEE', 'REFUSEE_1', 'REFUSEE_2', 'REFUSEE_MOE', 'REFUSEE_MOA') then 'rejected_by_recipient'
      when "state" = 'integrated' and "chorus_status" in ('SUSPENDUE', 'A_COMPLETER') then 'suspended'
      when "state" = 'integrated' and "chorus_status" in ('A_RECYCLER', 'EN_ATTENTE_RECYCLAGE_FOURNISSEUR') then 'to_recycle'
      end;`);
    this.addSql(
      `update "invoice" i set "deposited_at" = a."finished_at" from "deposit_attempt" a where a."invoice_id" = i."id" and a."phase" in ('sent', 'reconciled');`,
    );
  }

  override down(): void {
    this.addSql(`alter table "delivery" drop constraint "delivery_subscription_id_foreign";`);

    this.addSql(`alter table "delivery" drop constraint "delivery_notification_id_foreign";`);

    this.addSql(`drop table if exists "subscription" cascade;`);

    this.addSql(`drop table if exists "notification" cascade;`);

    this.addSql(`drop table if exists "delivery" cascade;`);

    this.addSql(`drop table if exists "follow_up" cascade;`);

    this.addSql(`alter table "invoice" drop constraint "invoice_corrects_id_foreign";`);
    this.addSql(`alter table "invoice" drop constraint "invoice_corrected_by_id_foreign";`);

    this.addSql(`alter table "invoice" drop constraint "invoice_corrects_unique";`);
    this.addSql(`alter table "invoice" drop constraint "invoice_corrected_by_unique";`);
    this.addSql(`drop index "invoice_updated_at_index";`);
    this.addSql(`drop index "invoice_action_required_index";`);
    this.addSql(
      `alter table "invoice" drop column "action_required", drop column "deposited_at", drop column "made_available_at", drop column "status_followed", drop column "corrects_id", drop column "corrected_by_id", drop column "overdue_alerted_at";`,
    );

    this.addSql(`alter table "supplier_account" drop column "password_expires_on", drop column "password_checked_at";`);
  }
}
