import { randomUUID } from 'node:crypto';
import {
  BigIntType,
  Entity,
  Index,
  ManyToOne,
  OptionalProps,
  PrimaryKey,
  Property,
  type Ref,
  Unique,
} from '@mikro-orm/core';
import type { Issue } from '../../shared/domain-error.js';
import { Invoice } from './invoice.js';
import { stampNow } from '../clock.js';

/** Several invoices sent together (POST /v1/batches): a ZIP with its manifest, or a JSON list of requests. */
@Entity({ tableName: 'batch' })
@Unique({ name: 'batch_key_idempotency_unique', properties: ['keyId', 'idempotencyKey'] })
export class Batch {
  [OptionalProps]?: 'idempotencyKey' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** `zip` or `json` */
  @Property({ type: 'string', length: 8 })
  source!: 'zip' | 'json';

  /** The API key that sent it: a batch's Idempotency-Key is the key's, since a batch may span suppliers. */
  @Property({ type: 'string', length: 64 })
  keyId!: string;

  @Property({ type: 'string', length: 255, nullable: true })
  idempotencyKey: string | null = null;

  @Property({ type: 'string', length: 64 })
  requestHash!: string;

  @Property({ type: 'integer' })
  entryCount!: number;

  @Property({ type: 'datetime', onCreate: stampNow })
  createdAt!: Date;
}

/** What became of one entry: its invoice, or why it was refused (nothing of it written). */
@Entity({ tableName: 'batch_entry' })
@Unique({ name: 'batch_entry_position_unique', properties: ['batch', 'position'] })
export class BatchEntry {
  [OptionalProps]?: 'fileName' | 'manifestRow' | 'invoice' | 'error';

  @PrimaryKey({ type: new BigIntType('string'), autoincrement: true })
  id!: string;

  @ManyToOne(() => Batch, { ref: true, deleteRule: 'cascade' })
  batch!: Ref<Batch>;

  /** 1-based, in the order of the manifest (or of the JSON list). */
  @Property({ type: 'integer' })
  position!: number;

  @Property({ type: 'string', length: 300, nullable: true })
  fileName: string | null = null;

  /** The manifest's line (CSV, header = 1) or item (JSON, 1-based). */
  @Property({ type: 'integer', nullable: true })
  manifestRow: number | null = null;

  @Index({ name: 'batch_entry_invoice_index' })
  @ManyToOne(() => Invoice, { ref: true, nullable: true, deleteRule: 'set null' })
  invoice: Ref<Invoice> | null = null;

  @Property({ type: 'json', nullable: true })
  error: { code: string; message: string; details: Issue[] } | null = null;
}
