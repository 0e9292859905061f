import { Migration } from '@mikro-orm/migrations';

/** Deposit attempts and follow-ups get a version: two overlapping runs of one job cannot both send. */
export class Migration20261207190000_send_once_versions extends Migration {
  override up(): void {
    this.addSql(`alter table "deposit_attempt" add column "version" int not null default 1;`);
    this.addSql(`alter table "follow_up" add column "version" int not null default 1;`);
  }

  override down(): void {
    this.addSql(`alter table "deposit_attempt" drop column "version";`);
    this.addSql(`alter table "follow_up" drop column "version";`);
  }
}
