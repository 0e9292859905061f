import { randomUUID } from 'node:crypto';
import { Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import type { Role } from '../../access/roles.js';
import { stampNow } from '../clock.js';

/** An API key an admin created: its name, role and the suppliers it may act for. Only its SHA-256 is kept. */
@Entity({ tableName: 'api_key' })
export class ApiKey {
  [OptionalProps]?: 'createdAt' | 'revokedAt' | 'supplierSirets';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: 100 })
  name!: string;

  @Property({ type: 'string', length: 16 })
  role!: Role;

  /** The SIRETs this key may act for; null: every supplier. */
  @Property({ type: 'json', nullable: true })
  supplierSirets: string[] | null = null;

  @Unique({ name: 'api_key_hash_unique' })
  @Property({ type: 'string', length: 64, hidden: true })
  keyHash!: string;

  /** The key's first characters, to recognise it in a list. */
  @Property({ type: 'string', length: 16 })
  keyPrefix!: string;

  @Property({ type: 'datetime', onCreate: stampNow })
  createdAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  revokedAt: Date | null = null;
}
