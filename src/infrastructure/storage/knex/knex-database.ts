import type { Knex } from 'knex';

/**
 * The knex instance the Knex repositories query (SQLite or PostgreSQL), built by
 * `createKnexDatabase` and migrated by `migrateToLatest`; `openKnexStore` does both.
 */
export type KnexDatabase = Knex;
