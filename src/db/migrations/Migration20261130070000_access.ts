import { Migration } from '@mikro-orm/migrations';

export class Migration20261130070000_access extends Migration {
  override up(): void {
    this.addSql(`create table "api_key" (
      "id" uuid not null primary key,
      "name" varchar(100) not null,
      "role" varchar(16) not null,
      "supplier_sirets" jsonb null,
      "key_hash" varchar(64) not null constraint "api_key_hash_unique" unique,
      "key_prefix" varchar(16) not null,
      "created_at" timestamptz not null,
      "revoked_at" timestamptz null);`);
    this.addSql(`create table "audit_entry" (
      "id" bigserial primary key,
      "at" timestamptz not null,
      "key_id" varchar(64) not null,
      "key_name" varchar(100) not null,
      "method" varchar(8) not null,
      "route" varchar(100) not null,
      "target" varchar(100) null,
      "status" smallint not null);`);
    this.addSql(`create index "audit_entry_at_index" on "audit_entry" ("at");`);
  }

  override down(): void {
    this.addSql(`drop table "audit_entry";`);
    this.addSql(`drop table "api_key";`);
  }
}
