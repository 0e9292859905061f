import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../logger.js';

/**
 * Creates the database if it does not exist (a newcomer's first `npm start`), then applies pending migrations.
 * Each migration runs in a transaction, all of them in one (`allOrNothing`), so a failure leaves the schema as it was.
 */
export async function migrate(orm: MikroORM, logger: Logger): Promise<string[]> {
  await orm.schema.ensureDatabase({ create: true });
  const applied = await orm.migrator.up();
  const names = applied.map((m) => m.name);
  logger.info(names.length > 0 ? `Applied ${names.length} migration(s)` : 'Database schema is up to date', {
    migrations: names,
  });
  return names;
}

/** Web and worker processes refuse to run against a schema older than their code. */
export async function assertSchemaIsCurrent(orm: MikroORM): Promise<void> {
  const pending = await orm.migrator.getPendingMigrations();
  if (pending.length > 0) {
    throw new Error(
      `The database has ${pending.length} pending migration(s) (${pending.map((m) => m.name).join(', ')}): run \`node dist/scripts/migrate.js\` first (the Procfile's release phase; \`npm run migrate\` in a checkout)`,
    );
  }
}
