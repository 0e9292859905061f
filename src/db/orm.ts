/** MikroORM set-up shared by the web process, the workers, the scripts and the tests. */
import 'reflect-metadata';
import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { Logger } from '../logger.js';
import { ApiKey } from './entities/api-key.js';
import { AuditEntry } from './entities/audit-entry.js';
import { Batch, BatchEntry } from './entities/batch.js';
import { Contract } from './entities/contract.js';
import { Delivery } from './entities/delivery.js';
import { DepositAttempt } from './entities/deposit-attempt.js';
import { FollowUp } from './entities/follow-up.js';
import { Invoice } from './entities/invoice.js';
import { InvoiceAttachment } from './entities/invoice-attachment.js';
import { InvoiceEvent } from './entities/invoice-event.js';
import { Notification } from './entities/notification.js';
import { Subscription } from './entities/subscription.js';
import { SupplierAccount } from './entities/supplier-account.js';
import { Validation } from './entities/validation.js';
import { migrationsList } from './migrations/index.js';
import { bindClock } from './clock.js';
import { systemClock, type Clock } from '../shared/clock.js';

export const ENTITIES = [
  SupplierAccount,
  Invoice,
  InvoiceEvent,
  DepositAttempt,
  Subscription,
  Notification,
  Delivery,
  FollowUp,
  ApiKey,
  AuditEntry,
  Batch,
  BatchEntry,
  InvoiceAttachment,
  Contract,
  Validation,
];

export interface OrmOptions {
  url: string;
  ssl?: boolean;
  logger?: Logger;
  /** Connection pool size. (Default: 10) */
  poolMax?: number;
  /** Stamps rows and is what `clockOf(em)` answers. (Default: the machine's clock) */
  clock?: Clock;
}

export function ormOptions(options: OrmOptions): Options {
  return {
    clientUrl: options.url,
    entities: ENTITIES,
    extensions: [Migrator],
    // Migrations are imported, not discovered on disk, so they load the same way under tsc output, tsx and vitest.
    migrations: { migrationsList, transactional: true, allOrNothing: true, snapshot: false },
    pool: { min: 0, max: options.poolMax ?? 10 },
    // Heroku Postgres presents a certificate we cannot verify; TLS still encrypts the link.
    driverOptions: options.ssl ? { connection: { ssl: { rejectUnauthorized: false } } } : {},
    discovery: { warnWhenNoEntities: true },
    debug: false,
    logger: (message) => options.logger?.debug(message),
  };
}

export async function initOrm(options: OrmOptions): Promise<MikroORM> {
  const orm = await MikroORM.init(ormOptions(options));
  bindClock(orm.config, options.clock ?? systemClock);
  return orm;
}

export type { MikroORM };
