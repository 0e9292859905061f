import { Migration } from '@mikro-orm/migrations';

/** Invoices without a flux: a plain PDF with its data, or data alone (no file). */
export class Migration20261130120000_deposit_modes extends Migration {
  override up(): void {
    this.addSql(`alter table "invoice"
      add column "deposit_mode" varchar(8) not null default 'flux',
      add column "vat_breakdown" jsonb null,
      add column "lines" jsonb null,
      add column "comment" text null,
      add column "chorus_attachment_id" varchar(32) null,
      alter column "syntaxe_flux" drop not null,
      alter column "file_name" drop not null,
      alter column "file_content" drop not null,
      alter column "file_size" drop not null,
      alter column "file_sha256" drop not null;`);
  }

  override down(): void {
    this.addSql(`delete from "invoice" where "deposit_mode" <> 'flux';`);
    this.addSql(`alter table "invoice"
      drop column "deposit_mode",
      drop column "vat_breakdown",
      drop column "lines",
      drop column "comment",
      drop column "chorus_attachment_id",
      alter column "syntaxe_flux" set not null,
      alter column "file_name" set not null,
      alter column "file_content" set not null,
      alter column "file_size" set not null,
      alter column "file_sha256" set not null;`);
  }
}
