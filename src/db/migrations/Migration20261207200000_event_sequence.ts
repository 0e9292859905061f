import { Migration } from '@mikro-orm/migrations';

/** Each event of an invoice carries its number in the invoice's story; the events already told are numbered too. */
export class Migration20261207200000_event_sequence extends Migration {
  override up(): void {
    this.addSql(`alter table "invoice" add column "event_sequence" int not null default 0;`);
    this.addSql(`alter table "notification" add column "sequence" int null;`);
    this.addSql(
      `update "notification" n set "sequence" = s.position from (select "id", row_number() over (partition by "invoice_id" order by "created_at", "id") as position from "notification" where "invoice_id" is not null) s where n."id" = s."id";`,
    );
    this.addSql(
      `update "invoice" i set "event_sequence" = c.told from (select "invoice_id", count(*) as told from "notification" where "invoice_id" is not null group by "invoice_id") c where i."id" = c."invoice_id";`,
    );
  }

  override down(): void {
    this.addSql(`alter table "notification" drop column "sequence";`);
    this.addSql(`alter table "invoice" drop column "event_sequence";`);
  }
}
