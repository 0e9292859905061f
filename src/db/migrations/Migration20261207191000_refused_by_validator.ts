import { Migration } from '@mikro-orm/migrations';

/** A validator's refusal (REFUSEE_1, REFUSEE_2) is told as such, no longer as the recipient's rejection. */
export class Migration20261207191000_refused_by_validator extends Migration {
  override up(): void {
    this.addSql(
      `update "invoice" set "action_required" = 'refused_by_validator' where "action_required" = 'rejected_by_recipient' and "chorus_status" in ('REFUSEE_1', 'REFUSEE_2');`,
    );
  }

  override down(): void {
    this.addSql(
      `update "invoice" set "action_required" = 'rejected_by_recipient' where "action_required" = 'refused_by_validator';`,
    );
  }
}
