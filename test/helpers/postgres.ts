/** Throw-away databases for tests, on the PostgreSQL given by TEST_DATABASE_URL (default: the local one). */
import pg from 'pg';
import pRetry from 'p-retry';

export const TEST_ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function databaseUrl(name: string): string {
  const url = new URL(TEST_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function adminQuery(sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: TEST_ADMIN_URL });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Clones the template; PostgreSQL refuses two clones of one template at the same instant, so retry briefly. */
export async function cloneDatabase(template: string, name: string): Promise<void> {
  // PostgreSQL refuses to copy a template another session is still connected to: retry only that, with backoff.
  await pRetry(() => adminQuery(`create database "${name}" template "${template}"`), {
    retries: 20,
    minTimeout: 100,
    maxTimeout: 2_000,
    shouldRetry: ({ error }) => /being accessed by other users/.test(error.message),
  });
}

export function dropDatabase(name: string): Promise<pg.QueryResult> {
  return adminQuery(`drop database if exists "${name}" with (force)`);
}
