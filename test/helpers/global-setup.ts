/**
 * Once per test run: a migrated template database. Each test file clones it (CREATE DATABASE ... TEMPLATE),
 * which is much faster than migrating, and drops its clone at the end.
 */
import type { TestProject } from 'vitest/node';
import { initOrm } from '../../src/db/orm.js';
import { migrate } from '../../src/db/migrate.js';
import { createLogger } from '../../src/logger.js';
import { adminQuery, databaseUrl, TEST_ADMIN_URL } from './postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const template = `cr_test_tpl_${process.pid}_${Date.now().toString(36)}`;
  const orm = await initOrm({ url: databaseUrl(template), poolMax: 2 });
  try {
    await migrate(orm, createLogger({ level: 'warn', format: 'pretty' }));
  } finally {
    await orm.close(true);
  }
  project.provide('templateDatabase', template);
  return async () => {
    await adminQuery(`drop database if exists "${template}" with (force)`);
  };
}

export { TEST_ADMIN_URL };
