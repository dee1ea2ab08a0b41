import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';

/** The PostgreSQL server the storage tests use. */
export const POSTGRES_TEST_URL = process.env.HOSTFACTORY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A schema name no other test run uses. */
export function uniqueSchema(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** The test URL pointed at `schema` (the knex store creates it when missing). */
export function postgresUrlWithSchema(schema: string): string {
  const url = new URL(POSTGRES_TEST_URL);
  url.searchParams.set('schema', schema);
  return url.toString();
}

export async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_TEST_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function dropSchemas(schemas: readonly string[]): Promise<void> {
  if (schemas.length === 0) return;
  const client = new pg.Client({ connectionString: POSTGRES_TEST_URL });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

/**
 * Runs `body` when the PostgreSQL server answers. When it does not: under CI a failing test says
 * so (a missing server must never pass silently); elsewhere the tests are skipped.
 */
export function describeWithPostgres(title: string, reachable: boolean, body: () => void): void {
  if (!reachable && !process.env.CI) {
    describe.skip(`${title} (no PostgreSQL at ${POSTGRES_TEST_URL}; set HOSTFACTORY_TEST_PG_URL)`, body);
    return;
  }
  describe(title, () => {
    it(`reaches PostgreSQL at ${POSTGRES_TEST_URL}`, () => {
      expect(reachable, 'PostgreSQL must be reachable when CI is set').toBe(true);
    });
    if (reachable) body();
  });
}
