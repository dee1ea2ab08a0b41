import { mkdirSync } from 'node:fs';
import path from 'node:path';
import knex, { type Knex } from 'knex';
import type { Logger } from '../../../domain/ports/logger.js';
import { sqliteConnectionSetup } from '../../../shared/sqlite-connection.js';
import type { KnexDatabase } from './knex-database.js';

/** A SQLite file or a PostgreSQL database (with an optional schema of its own). */
export type KnexLocation =
  | { kind: 'sqlite'; file: string; busyTimeoutMs?: number }
  | { kind: 'postgres'; connectionString: string; schema?: string };

/** How long a SQLite statement waits by default for another process's write lock before SQLITE_BUSY. */
export const SQLITE_BUSY_TIMEOUT_MS = 10_000;
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Builds the knex instance. SQLite: one connection per process, WAL journal and a busy timeout,
 * so concurrent HostFactory scripts wait for each other instead of failing. PostgreSQL: a small
 * pool; with a schema, every connection's search_path points at it.
 */
export function createKnexDatabase(location: KnexLocation, logger?: Logger): KnexDatabase {
  const log = driverLog(logger);
  if (location.kind === 'sqlite') {
    mkdirSync(path.dirname(location.file), { recursive: true });
    return knex({
      client: 'sqlite3',
      connection: { filename: location.file },
      useNullAsDefault: true,
      pool: { min: 1, max: 1, afterCreate: sqliteConnectionSetup({ busyTimeoutMs: location.busyTimeoutMs ?? SQLITE_BUSY_TIMEOUT_MS }) },
      log,
    });
  }
  return knex({
    client: 'pg',
    connection: { connectionString: location.connectionString, connectionTimeoutMillis: CONNECT_TIMEOUT_MS },
    searchPath: location.schema === undefined ? undefined : [location.schema],
    pool: { min: 0, max: 4 },
    acquireConnectionTimeout: CONNECT_TIMEOUT_MS + 5_000,
    log,
  });
}

/** Splits a `?schema=` parameter (ours, not libpq's) off a PostgreSQL URL. */
export function postgresLocation(url: string): KnexLocation {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  return { kind: 'postgres', connectionString: parsed.toString(), schema };
}

function driverLog(logger: Logger | undefined): Knex.Config['log'] {
  const forward = (level: 'warn' | 'error' | 'debug') => (message: unknown) =>
    logger?.[level]({ component: 'knex' }, typeof message === 'string' ? message : JSON.stringify(message));
  return { warn: forward('warn'), error: forward('error'), deprecate: forward('warn'), debug: forward('debug') };
}
