/**
 * Once per test run: a migrated template database. Each test file clones it (CREATE DATABASE ... TEMPLATE),
 * which is much faster than migrating, and drops its clone at the end. And the EN 16931 rules, installed from the
 * official artefacts beside the repository into TEST_RULES_DIR (compiled once, then cached there).
 */
import type { TestProject } from 'vitest/node';
import { initOrm } from '../../src/db/orm.js';
import { migrate } from '../../src/db/migrate.js';
import { createLogger } from '../../src/logger.js';
import { installRules } from '../../src/invoices/einvoice/en16931/rules-store.js';
import { adminQuery, databaseUrl, TEST_ADMIN_URL } from './postgres.js';
import { RULES_SOURCE_FOLDER, TEST_RULES_DIR } from './rules.js';

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
  await installRules(RULES_SOURCE_FOLDER, TEST_RULES_DIR);
  project.provide('templateDatabase', template);
  return async () => {
    await adminQuery(`drop database if exists "${template}" with (force)`);
  };
}

export { TEST_ADMIN_URL };
