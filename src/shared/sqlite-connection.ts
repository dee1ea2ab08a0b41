/** The calls of a node-sqlite3 connection (what knex's pool hands to `afterCreate`) the setup makes. */
export interface SqliteConnection {
  configure(option: 'busyTimeout', value: number): void;
  exec(sql: string, callback: (error: Error | null) => void): void;
}

export interface SqliteConnectionSettings {
  /** How long a statement waits for another process's lock before it fails with SQLITE_BUSY. */
  busyTimeoutMs: number;
  /** `PRAGMA synchronous`; SQLite's default (FULL) when absent. */
  synchronous?: 'NORMAL';
}

/**
 * A knex pool `afterCreate` hook that sets up every SQLite connection of a file several processes
 * share: the busy timeout, so a statement waits for another process's lock instead of failing; the
 * WAL journal, so readers never block the writer; then `synchronous` when given. Switching a fresh
 * file to WAL needs an exclusive lock that another process may hold briefly: it is tried again while
 * SQLite answers busy, for as long as the busy timeout (at least a second). Any other error, or busy
 * past that, fails the connection with the driver's error.
 */
export function sqliteConnectionSetup(settings: SqliteConnectionSettings) {
  return (connection: SqliteConnection, done: (error: Error | null, connection: unknown) => void): void => {
    prepare(connection, settings).then(
      () => done(null, connection),
      (error: Error) => done(error, connection),
    );
  };
}

async function prepare(connection: SqliteConnection, settings: SqliteConnectionSettings): Promise<void> {
  connection.configure('busyTimeout', settings.busyTimeoutMs);
  const deadline = Date.now() + Math.max(settings.busyTimeoutMs, 1_000);
  for (;;) {
    try {
      await exec(connection, 'PRAGMA journal_mode = WAL');
      break;
    } catch (error) {
      const busy = (error as { code?: unknown }).code === 'SQLITE_BUSY';
      if (!busy || Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 80));
    }
  }
  if (settings.synchronous !== undefined) await exec(connection, `PRAGMA synchronous = ${settings.synchronous}`);
}

function exec(connection: SqliteConnection, sql: string): Promise<void> {
  return new Promise((resolve, reject) => connection.exec(sql, (error) => (error ? reject(error) : resolve())));
}
