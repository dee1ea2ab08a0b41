import { HostFactoryError } from '../../../domain/errors.js';
import type { Clock } from '../../../domain/ports/clock.js';
import type { Logger } from '../../../domain/ports/logger.js';
import type { StoreHandle } from '../store-handle.js';
import { parseStoreUrl, redact } from '../store-url.js';
import { createKnexDatabase, postgresLocation, type KnexLocation } from './create-knex-database.js';
import { KnexCapacityMemory } from './knex-capacity-memory.js';
import { KnexMachineRepository } from './knex-machine-repository.js';
import { KnexRequestRepository } from './knex-request-repository.js';
import { KnexResourceLease } from './knex-resource-lease.js';
import { migrateToLatest } from './migrate-to-latest.js';
import { toStorageError } from './storage-error.js';

export interface KnexStoreOptions {
  /** `sqlite:///abs/path/file.db`, or `postgres://user@host:5432/db[?schema=name]` (also `postgresql://`). */
  url: string;
  /** Stamps `updatedAt` on updates; the system clock by default. */
  clock?: Clock;
  /** Receives knex's warnings; silent by default (stdout belongs to HostFactory). */
  logger?: Logger;
  /**
   * SQLite only: how long a statement waits for another process's write lock before it fails
   * with a retryable STORAGE_CONFLICT; 10 s by default.
   */
  busyTimeoutMs?: number;
}

const systemClock: Clock = { now: () => Date.now() };

/**
 * Opens a SQLite or PostgreSQL store and migrates it to the latest schema. With `?schema=` the
 * PostgreSQL tables live in that schema, created when missing. Throws CONFIG_INVALID for another
 * kind of URL, and INTERNAL (cause attached) when the database cannot be reached or migrated.
 */
export async function openKnexStore(options: KnexStoreOptions): Promise<StoreHandle> {
  const parsed = parseStoreUrl(options.url);
  let location: KnexLocation;
  if (parsed.kind === 'sqlite') location = { ...parsed, busyTimeoutMs: options.busyTimeoutMs };
  else if (parsed.kind === 'postgres') location = postgresLocation(parsed.connectionString);
  else throw new HostFactoryError('CONFIG_INVALID', `Store URL '${redact(options.url)}' is not a SQLite or PostgreSQL URL`);

  const db = createKnexDatabase(location, options.logger);
  try {
    await migrateToLatest(db, location, options.logger);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw toStorageError(error, `opening the store ${redact(options.url)}`);
  }
  const clock = options.clock ?? systemClock;
  return {
    kind: location.kind,
    requests: new KnexRequestRepository(db, clock),
    machines: new KnexMachineRepository(db, clock),
    leases: new KnexResourceLease(db, clock),
    capacity: new KnexCapacityMemory(db, clock),
    close: () => db.destroy(),
  };
}
