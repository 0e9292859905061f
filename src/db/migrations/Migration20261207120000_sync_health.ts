import { Migration } from '@mikro-orm/migrations';

/** Each supplier account's status-sync health: when it last worked, since when it fails and why, its alert. */
export class Migration20261207120000_sync_health extends Migration {
  override up(): void {
    this.addSql(
      `alter table "supplier_account" add column "last_sync_at" timestamptz null, add column "sync_failing_since" timestamptz null, add column "sync_error" text null, add column "sync_retry_at" timestamptz null, add column "sync_failure_alerted_at" timestamptz null;`,
    );
  }

  override down(): void {
    this.addSql(
      `alter table "supplier_account" drop column "last_sync_at", drop column "sync_failing_since", drop column "sync_error", drop column "sync_retry_at", drop column "sync_failure_alerted_at";`,
    );
  }
}
