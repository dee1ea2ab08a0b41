import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { HostFactoryError } from '../../domain/errors.js';
import { sqliteConnectionSetup } from '../../shared/sqlite-connection.js';

const BUSY_TIMEOUT_MS = 10_000;
const BUSY_RETRIES = 50;
const RETRY_PAUSE_MS = 50;

/** The statements that create the sim's schema; each is safe to run again. */
const SCHEMA: string[] = [
  `CREATE TABLE IF NOT EXISTS sim_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS sim_reservations (
    request_id TEXT PRIMARY KEY,
    reservation_id TEXT NOT NULL UNIQUE,
    template_id TEXT NOT NULL,
    units_requested REAL NOT NULL,
    units_launched REAL NOT NULL,
    message TEXT,
    created_at INTEGER NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS sim_instances (
    instance_id TEXT PRIMARY KEY,
    request_id TEXT NOT NULL,
    reservation_id TEXT NOT NULL,
    instance_type TEXT NOT NULL,
    price_type TEXT NOT NULL,
    weight REAL NOT NULL,
    private_ip TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    tags TEXT NOT NULL,
    launched_at INTEGER NOT NULL,
    boot_fails INTEGER NOT NULL,
    notice_at INTEGER,
    reclaim_at INTEGER,
    released_at INTEGER,
    terminated_outside_at INTEGER,
    ends_at INTEGER
  )`,
  `CREATE INDEX IF NOT EXISTS sim_instances_request ON sim_instances (request_id)`,
  `CREATE INDEX IF NOT EXISTS sim_instances_type_end ON sim_instances (instance_type, ends_at)`,
  `CREATE INDEX IF NOT EXISTS sim_instances_end ON sim_instances (ends_at)`,
  `INSERT OR IGNORE INTO sim_meta (key, value) VALUES ('lock', 0), ('next_ip', 0)`,
];

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : '';
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || /SQLITE_BUSY|database is locked/.test(message);
}

/** Runs `action` again while SQLite answers busy, then gives up with a retryable STORAGE_CONFLICT. */
export async function retryBusy<T>(what: string, action: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await action();
    } catch (error) {
      if (!isBusy(error)) throw error;
      if (attempt >= BUSY_RETRIES) {
        throw new HostFactoryError('STORAGE_CONFLICT', `simulated cloud state is busy: ${what}`, { cause: error });
      }
      await pause(RETRY_PAUSE_MS + Math.floor(Math.random() * RETRY_PAUSE_MS));
    }
  }
}

/** The sim's SQLite file through knex: one connection, WAL, busy timeout, schema ensured once. */
export class SimDatabase {
  readonly knex: Knex;
  private schemaReady: Promise<void> | undefined;

  constructor(readonly file: string) {
    this.knex = knexFactory({
      client: 'sqlite3',
      connection: { filename: file },
      useNullAsDefault: true,
      pool: { min: 1, max: 1, afterCreate: sqliteConnectionSetup({ busyTimeoutMs: BUSY_TIMEOUT_MS, synchronous: 'NORMAL' }) },
    });
  }

  /** Creates the file and schema if needed; concurrent processes on a fresh file are safe. */
  ready(): Promise<void> {
    this.schemaReady ??= this.createSchema().catch((error: unknown) => {
      this.schemaReady = undefined;
      throw wrap(error, `cannot open simulated cloud state ${this.file}`);
    });
    return this.schemaReady;
  }

  /**
   * Runs `work` in a write transaction that takes SQLite's write lock before reading anything, so
   * concurrent processes serialise instead of failing; retried while the file is busy.
   */
  async write<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    await this.ready();
    return retryBusy('write', () =>
      this.knex.transaction(async (trx) => {
        await trx.raw(`UPDATE sim_meta SET value = value + 1 WHERE key = 'lock'`);
        return work(trx);
      }),
    );
  }

  /** Runs a read; retried while the file is busy. */
  async read<T>(work: (db: Knex) => Promise<T>): Promise<T> {
    await this.ready();
    return retryBusy('read', () => work(this.knex));
  }

  async close(): Promise<void> {
    await this.knex.destroy();
  }

  private async createSchema(): Promise<void> {
    mkdirSync(dirname(this.file), { recursive: true });
    await retryBusy('creating the schema', async () => {
      const connection = (await this.knex.client.acquireConnection()) as unknown;
      const exec = (sql: string) => this.knex.raw(sql).connection(connection);
      try {
        await exec('BEGIN EXCLUSIVE');
        try {
          for (const statement of SCHEMA) await exec(statement);
          await exec('COMMIT');
        } catch (error) {
          await exec('ROLLBACK').catch(() => undefined);
          throw error;
        }
      } finally {
        await this.knex.client.releaseConnection(connection);
      }
    });
  }
}

function wrap(error: unknown, message: string): HostFactoryError {
  if (error instanceof HostFactoryError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new HostFactoryError('INTERNAL', `${message}: ${detail}`, { cause: error });
}
