/**
 * Writes a new migration for the difference between the entities and the schema the existing migrations build.
 * Usage: npm run migration:create  (uses a throw-away database `chorus_relay_migration_scratch`)
 * Then add the class to src/db/migrations/index.ts and review the SQL.
 */
import { MikroORM } from '@mikro-orm/postgresql';
import { ormOptions } from '../src/db/orm.js';

const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const url = new URL(base);
url.pathname = '/chorus_relay_migration_scratch';

const options = ormOptions({ url: url.toString() });
const orm = await MikroORM.init({
  ...options,
  migrations: {
    ...options.migrations,
    path: 'src/db/migrations',
    pathTs: 'src/db/migrations',
    emit: 'ts',
    fileName: (ts, name) => `Migration${ts}${name ? `_${name}` : ''}`,
  },
});
try {
  await orm.schema.dropDatabase();
  await orm.schema.ensureDatabase();
  await orm.migrator.up();
  const result = await orm.migrator.createMigration('src/db/migrations', false, false, process.argv[2]);
  console.log(result.fileName ? `Wrote src/db/migrations/${result.fileName}` : 'No changes: no migration written');
  for (const line of result.diff.up) console.log(line);
} finally {
  await orm.close(true);
}
