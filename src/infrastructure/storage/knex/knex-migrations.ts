import type { Knex } from 'knex';

const createRequestsAndMachines: Knex.Migration = {
  async up(knex) {
    await knex.schema.createTable('requests', (table) => {
      table.string('request_id', 128).primary();
      table.string('kind', 16).notNullable();
      table.string('status', 32).notNullable();
      table.string('template_id', 128).nullable();
      table.integer('machine_count').notNullable();
      table.text('message').nullable();
      table.string('provider_name', 255).notNullable();
      table.text('provider_data').notNullable();
      table.bigInteger('created_at').notNullable();
      table.bigInteger('updated_at').notNullable();
      table.integer('version').notNullable();
      table.index(['status'], 'requests_status_idx');
      table.index(['created_at'], 'requests_created_at_idx');
    });
    await knex.schema.createTable('machines', (table) => {
      table.string('machine_id', 128).primary();
      table.string('name', 255).notNullable();
      table.string('request_id', 128).notNullable();
      table.string('template_id', 128).notNullable();
      table.string('return_request_id', 128).nullable();
      table.string('status', 32).notNullable();
      table.text('failure_message').nullable();
      table.string('private_ip_address', 64).nullable();
      table.string('public_ip_address', 64).nullable();
      table.bigInteger('launch_time').notNullable();
      table.string('instance_type', 64).notNullable();
      table.string('price_type', 16).notNullable();
      table.double('weight').notNullable();
      table.text('instance_tags').notNullable();
      table.string('cloud_host_id', 255).nullable();
      table.string('resource_id', 255).nullable();
      table.integer('version').notNullable();
      table.bigInteger('updated_at').notNullable();
      table.index(['request_id'], 'machines_request_id_idx');
      table.index(['return_request_id'], 'machines_return_request_id_idx');
      table.index(['name'], 'machines_name_idx');
      table.index(['status'], 'machines_status_idx');
    });
  },
  async down(knex) {
    await knex.schema.dropTableIfExists('machines');
    await knex.schema.dropTableIfExists('requests');
  },
};

/**
 * Partial indexes over just the hot rows, so the queries of every poll stay O(outstanding work)
 * even once the planner has statistics (after ANALYZE) saying most rows are finished. The
 * queries must repeat these predicates as literals: SQLite does not use a partial index for a
 * bound parameter.
 */
const indexHotRows: Knex.Migration = {
  async up(knex) {
    await knex.raw(`create index machines_live_idx on machines (machine_id) where status <> 'terminated'`);
    await knex.raw(`create index requests_outstanding_idx on requests (created_at) where status = 'running'`);
  },
  async down(knex) {
    await knex.raw('drop index if exists machines_live_idx');
    await knex.raw('drop index if exists requests_outstanding_idx');
  },
};

/** One row per cloud resource leased right now (see KnexResourceLease); released leases are deleted. */
const createResourceLeases: Knex.Migration = {
  async up(knex) {
    await knex.schema.createTable('resource_leases', (table) => {
      table.string('resource', 255).primary();
      table.string('holder', 64).notNullable();
      table.bigInteger('expires_at').notNullable();
    });
  },
  async down(knex) {
    await knex.schema.dropTableIfExists('resource_leases');
  },
};

/** The cloud's notice that it will take a host back (see Machine.notice): when, and why. */
const addMachineNotices: Knex.Migration = {
  async up(knex) {
    await knex.schema.alterTable('machines', (table) => {
      table.bigInteger('notice_deadline').nullable();
      table.text('notice_reason').nullable();
    });
  },
  async down(knex) {
    await knex.schema.alterTable('machines', (table) => {
      table.dropColumn('notice_deadline');
      table.dropColumn('notice_reason');
    });
  },
};

/**
 * One row per pool an "insufficient capacity" answer keeps out of launches until `expires_at` (see
 * KnexCapacityMemory); rows whose time has passed are deleted by the next write.
 */
const createUnavailableOfferings: Knex.Migration = {
  async up(knex) {
    await knex.schema.createTable('unavailable_offerings', (table) => {
      table.string('instance_type', 64).notNullable();
      table.string('zone', 64).notNullable();
      table.string('market', 16).notNullable();
      table.bigInteger('expires_at').notNullable();
      table.primary(['instance_type', 'zone', 'market']);
    });
  },
  async down(knex) {
    await knex.schema.dropTableIfExists('unavailable_offerings');
  },
};

/** The cloud region of a machine (see CloudMachine.region); null for machines of the default region. */
const addMachineRegion: Knex.Migration = {
  async up(knex) {
    await knex.schema.alterTable('machines', (table) => {
      table.string('region', 64).nullable();
    });
  },
  async down(knex) {
    await knex.schema.alterTable('machines', (table) => {
      table.dropColumn('region');
    });
  },
};

/** Every migration, in order. Names are recorded in the migrations table: never rename one. */
const MIGRATIONS: ReadonlyArray<readonly [string, Knex.Migration]> = [
  ['0001_create_requests_and_machines', createRequestsAndMachines],
  ['0002_index_hot_rows', indexHotRows],
  ['0003_create_resource_leases', createResourceLeases],
  ['0004_add_machine_notices', addMachineNotices],
  ['0005_create_unavailable_offerings', createUnavailableOfferings],
  ['0006_add_machine_region', addMachineRegion],
];

export const MIGRATION_NAMES: readonly string[] = MIGRATIONS.map(([name]) => name);

/** Hands knex the migrations as objects, so they run from `dist/` with no file globbing. */
export class StaticMigrationSource implements Knex.MigrationSource<string> {
  getMigrations(): Promise<string[]> {
    return Promise.resolve([...MIGRATION_NAMES]);
  }

  getMigrationName(migration: string): string {
    return migration;
  }

  getMigration(migration: string): Promise<Knex.Migration> {
    const found = MIGRATIONS.find(([name]) => name === migration);
    if (!found) return Promise.reject(new Error(`unknown migration ${migration}`));
    return Promise.resolve(found[1]);
  }
}
