import { Migration } from '@mikro-orm/migrations';

/** Batches and their entries; the attachments of invoices deposited without a flux. */
export class Migration20261130130000_batches extends Migration {
  override up(): void {
    this.addSql(`create table "batch" (
      "id" uuid not null primary key,
      "source" varchar(8) not null,
      "key_id" varchar(64) not null,
      "idempotency_key" varchar(255) null,
      "request_hash" varchar(64) not null,
      "entry_count" int not null,
      "created_at" timestamptz not null,
      constraint "batch_key_idempotency_unique" unique ("key_id", "idempotency_key"));`);
    this.addSql(`create table "batch_entry" (
      "id" bigserial primary key,
      "batch_id" uuid not null references "batch" ("id") on update cascade on delete cascade,
      "position" int not null,
      "file_name" varchar(300) null,
      "manifest_row" int null,
      "invoice_id" uuid null references "invoice" ("id") on update cascade on delete set null,
      "error" jsonb null,
      constraint "batch_entry_position_unique" unique ("batch_id", "position"));`);
    this.addSql(`create index "batch_entry_invoice_index" on "batch_entry" ("invoice_id");`);
    this.addSql(`create table "invoice_attachment" (
      "id" bigserial primary key,
      "invoice_id" uuid not null references "invoice" ("id") on update cascade on delete cascade,
      "position" int not null,
      "name" varchar(200) not null,
      "mime_type" varchar(100) not null,
      "content" bytea not null,
      "chorus_attachment_id" varchar(32) null,
      constraint "invoice_attachment_position_unique" unique ("invoice_id", "position"));`);
  }

  override down(): void {
    this.addSql(`drop table "invoice_attachment";`);
    this.addSql(`drop table "batch_entry";`);
    this.addSql(`drop table "batch";`);
  }
}
