import { randomUUID } from 'node:crypto';
import { BigIntType, Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import type { ChorusEnvironment } from '../../chorus/environments.js';
import { stampNow } from '../clock.js';

/** A supplier and the Chorus Pro technical account we deposit its invoices with. */
@Entity({ tableName: 'supplier_account' })
export class SupplierAccount {
  [OptionalProps]?:
    | 'chorusStructureId'
    | 'pausedAt'
    | 'pausedReason'
    | 'statusSyncedUntil'
    | 'lastSyncAt'
    | 'syncFailingSince'
    | 'syncError'
    | 'syncRetryAt'
    | 'syncFailureAlertedAt'
    | 'passwordExpiresOn'
    | 'passwordCheckedAt'
    | 'createdAt'
    | 'updatedAt'
    | 'version';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: 14, unique: true })
  siret!: string;

  @Property({ type: 'string' })
  chorusLogin!: string;

  /** Sealed with SecretBox (AES-256-GCM under SECRET_KEY); never returned by the API nor logged. */
  @Property({ type: 'text', hidden: true })
  chorusPasswordSealed!: string;

  @Property({ type: 'string', length: 16 })
  environment!: ChorusEnvironment;

  /** Chorus Pro's `idStructureCPP` for this SIRET, once looked up. */
  @Property({ type: new BigIntType('number'), nullable: true })
  chorusStructureId: number | null = null;

  /**
   * Set when Chorus Pro refused this account (wrong or expired password, PISTE subscription): its invoices
   * wait instead of failing, until the credentials are updated through POST /v1/suppliers.
   */
  @Property({ type: 'datetime', nullable: true })
  pausedAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  pausedReason: string | null = null;

  /** Chorus statuses changed before this instant are known; the next sync asks only for later changes. */
  @Property({ type: 'datetime', nullable: true })
  statusSyncedUntil: Date | null = null;

  /** The end of the last status sync that worked (src/suppliers/sync-health.ts). */
  @Property({ type: 'datetime', nullable: true })
  lastSyncAt: Date | null = null;

  /** Since when every status sync has failed; null while they work. */
  @Property({ type: 'datetime', nullable: true })
  syncFailingSince: Date | null = null;

  /** The last failed sync's sentence. */
  @Property({ type: 'text', nullable: true })
  syncError: string | null = null;

  /** A sync that failed for a reason retrying cannot fix waits until then, rather than failing at every interval. */
  @Property({ type: 'datetime', nullable: true })
  syncRetryAt: Date | null = null;

  /** When `supplier.sync_failing` was sent for the current failure, so it goes once, and its recovery once. */
  @Property({ type: 'datetime', nullable: true })
  syncFailureAlertedAt: Date | null = null;

  /** `dateExpirationMotPasseCompteTech` of the technical account (YYYY-MM-DD), as last read. */
  @Property({ type: 'string', columnType: 'date', nullable: true })
  passwordExpiresOn: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  passwordCheckedAt: Date | null = null;

  @Property({ type: 'datetime', onCreate: stampNow })
  createdAt!: Date;

  @Property({ type: 'datetime', onCreate: stampNow, onUpdate: stampNow })
  updatedAt!: Date;

  @Property({ type: 'integer', version: true })
  version!: number;
}
