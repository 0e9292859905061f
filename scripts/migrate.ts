/** `npm run migrate` and the Procfile release phase: bring the database schema up to date, then exit. */
import { loadDatabaseConfig } from '../src/config.js';
import { initOrm } from '../src/db/orm.js';
import { migrate } from '../src/db/migrate.js';
import { createLogger } from '../src/logger.js';

const { database, log } = loadDatabaseConfig();
const logger = createLogger(log);
const orm = await initOrm({ url: database.url, ssl: database.ssl, logger, poolMax: 2 });
try {
  await migrate(orm, logger);
} catch (error) {
  logger.error('Migration failed', { error });
  process.exitCode = 1;
} finally {
  await orm.close(true);
}
