import { Migration } from '@mikro-orm/migrations';

/** Contract profiles (fiche d'identité du marché). */
export class Migration20261130140000_contracts extends Migration {
  override up(): void {
    this.addSql(`create table "contract" (
      "id" uuid not null primary key,
      "market_number" varchar(50) not null,
      "buyer_siret" varchar(14) not null,
      "buyer" jsonb not null,
      "moe" jsonb null,
      "moa" jsonb null,
      "holder_siret" varchar(14) not null,
      "frames" jsonb not null,
      "cocontractors" jsonb not null,
      "subcontractors" jsonb not null,
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null,
      constraint "contract_market_buyer_unique" unique ("market_number", "buyer_siret"));`);
  }

  override down(): void {
    this.addSql(`drop table "contract";`);
  }
}
