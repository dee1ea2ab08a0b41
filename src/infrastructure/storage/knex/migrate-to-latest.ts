import type { Logger } from '../../../domain/ports/logger.js';
import { withFileLock } from '../../files/with-file-lock.js';
import type { KnexLocation } from './create-knex-database.js';
import type { KnexDatabase } from './knex-database.js';
import { MIGRATION_NAMES, StaticMigrationSource } from './knex-migrations.js';
import { isContention } from './storage-error.js';

const MIGRATIONS_TABLE = 'knex_migrations';
const GIVE_UP_AFTER_MS = 60_000;
const MIGRATION_LOCK = {
  what: 'the migration lock',
  staleMs: 30_000,
  retries: { retries: Math.ceil(GIVE_UP_AFTER_MS / 50), factor: 1, minTimeout: 20, maxTimeout: 80, randomize: true },
};

/**
 * Brings the schema to the latest migration, safely when many processes start at once on a fresh
 * database. Already migrated (the usual case): one read. Otherwise the migrators are serialized by
 * a cross-process lock (a lock file beside the SQLite file, a PostgreSQL advisory lock), because
 * knex's own lock table can be created twice and then stay locked forever under such a race;
 * busy errors are retried.
 */
export async function migrateToLatest(db: KnexDatabase, location: KnexLocation, logger?: Logger): Promise<void> {
  const schema = location.kind === 'postgres' ? location.schema : undefined;
  if (await isUpToDate(db, schema)) return;
  const config = { migrationSource: new StaticMigrationSource(), tableName: MIGRATIONS_TABLE, schemaName: schema };
  const migrate = async (): Promise<void> => {
    if (schema !== undefined) await db.raw('create schema if not exists ??', [schema]);
    await db.migrate.latest(config);
  };
  if (location.kind === 'sqlite') {
    const lockPath = `${location.file}.migrating`;
    await withFileLock(lockPath, { ...MIGRATION_LOCK, lockfilePath: lockPath, logger }, () => retryBusy(migrate));
  } else {
    await withAdvisoryLock(db, `hostfactory-migrations:${schema ?? ''}`, () => retryBusy(migrate));
  }
}

async function isUpToDate(db: KnexDatabase, schema: string | undefined): Promise<boolean> {
  try {
    const query = db.select('name').from(MIGRATIONS_TABLE);
    if (schema !== undefined) query.withSchema(schema);
    const rows = (await query) as Array<{ name: string }>;
    const done = new Set(rows.map((row) => row.name));
    return MIGRATION_NAMES.every((name) => done.has(name));
  } catch {
    // No migrations table yet (or it is being created): take the slow, locked path.
    return false;
  }
}

async function withAdvisoryLock(db: KnexDatabase, key: string, run: () => Promise<void>): Promise<void> {
  // A transaction-level lock is released by commit, rollback, or the session ending if we crash.
  await db.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [key]);
    await run();
  });
}

async function retryBusy(run: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + GIVE_UP_AFTER_MS;
  for (;;) {
    try {
      await run();
      return;
    } catch (error) {
      if (!isContention(error) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25 + Math.random() * 100));
    }
  }
}
