import { Migration } from '@mikro-orm/migrations';

/** What the integration search and the validator-inbox check ask often: invoices on their way, named validators. */
export class Migration20261207160000_integration_search extends Migration {
  override up(): void {
    this.addSql(
      `create index "invoice_on_their_way_index" on "invoice" ("supplier_id", "chorus_status_at") where "state" = 'integrated' and "chorus_status" in ('DEPOSEE', 'EN_COURS_ACHEMINEMENT');`,
    );
    this.addSql(
      `create index "invoice_awaiting_report_index" on "invoice" ("supplier_id", "deposited_at") where "state" = 'awaiting_report';`,
    );
    this.addSql(
      `create index "invoice_validator_siret_index" on "invoice" ("validator_siret") where "validator_siret" is not null;`,
    );
  }

  override down(): void {
    this.addSql(`drop index "invoice_on_their_way_index";`);
    this.addSql(`drop index "invoice_awaiting_report_index";`);
    this.addSql(`drop index "invoice_validator_siret_index";`);
  }
}
