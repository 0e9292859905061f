import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { stampNow } from '../clock.js';

/** One mutating API call: who (key id and name), what (route and target), how it ended (status), when. */
@Entity({ tableName: 'audit_entry' })
@Index({ name: 'audit_entry_at_index', properties: ['at'] })
export class AuditEntry {
  [OptionalProps]?: 'at' | 'target';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'datetime', onCreate: stampNow })
  at!: Date;

  /** The key's id, or `API_KEYS#n` for a bootstrap key of the environment. */
  @Property({ type: 'string', length: 64 })
  keyId!: string;

  @Property({ type: 'string', length: 100 })
  keyName!: string;

  @Property({ type: 'string', length: 8 })
  method!: string;

  /** The route's pattern, e.g. `/v1/invoices/:id/retry`. */
  @Property({ type: 'string', length: 100 })
  route!: string;

  /** The resource acted on: an id, a SIRET; null when the call named none. */
  @Property({ type: 'string', length: 100, nullable: true })
  target: string | null = null;

  @Property({ type: 'smallint' })
  status!: number;
}
