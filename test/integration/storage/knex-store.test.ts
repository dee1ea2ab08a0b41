import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import sqlite3 from 'sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openKnexStore } from '../../../src/infrastructure/storage/knex/open-knex-store.js';
import { openStore } from '../../../src/infrastructure/storage/open-store.js';
import { rejectionOf } from '../../contract/store-fixtures.js';
import { aMachine, anAcquireRequest } from '../../support/mothers.js';
import {
  POSTGRES_TEST_URL,
  describeWithPostgres,
  dropSchemas,
  postgresReachable,
  postgresUrlWithSchema,
  uniqueSchema,
} from '../../contract/pg-test-store.js';

let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hf-knex-store-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function sqliteQuery<T>(file: string, sql: string): Promise<T> {
  const db = new sqlite3.Database(file);
  return new Promise<T>((resolve, reject) => db.get(sql, (error, row) => (error ? reject(error) : resolve(row as T)))).finally(
    () => new Promise((resolve) => db.close(resolve)),
  );
}

describe('SQLite store', () => {
  it('creates the file and its directories, and keeps the data across close and reopen', async () => {
    const file = path.join(dir, 'nested', 'work', 'hostfactory.db');
    const request = anAcquireRequest();
    const machine = aMachine(request.requestId);
    const first = await openStore(`sqlite://${file}`);
    expect(first.kind).toBe('sqlite');
    await first.requests.create(request);
    await first.machines.addIfAbsent([machine]);
    await first.close();

    const second = await openStore(`sqlite://${file}`);
    try {
      expect(await second.requests.get(request.requestId)).toEqual(request);
      expect(await second.machines.listByRequests([request.requestId])).toEqual([machine]);
    } finally {
      await second.close();
    }
  });

  it('puts the file in WAL mode so readers do not block the writer', async () => {
    const file = path.join(dir, 'wal', 'hostfactory.db');
    const store = await openStore(`sqlite://${file}`);
    await store.close();
    expect(await sqliteQuery<{ journal_mode: string }>(file, 'PRAGMA journal_mode')).toEqual({ journal_mode: 'wal' });
  });

  it('reports a write blocked past the busy timeout as a retryable STORAGE_CONFLICT, and works once free', async () => {
    const file = path.join(dir, 'busy', 'hostfactory.db');
    const store = await openKnexStore({ url: `sqlite://${file}`, busyTimeoutMs: 50 });
    const request = anAcquireRequest();
    await store.requests.create(request);
    const other = new sqlite3.Database(file);
    const exec = (sql: string) => new Promise<void>((resolve, reject) => other.exec(sql, (error) => (error ? reject(error) : resolve())));
    try {
      await exec('BEGIN IMMEDIATE');
      const error = await rejectionOf(store.requests.update({ ...request, status: 'complete' }));
      expect(error.code).toBe('STORAGE_CONFLICT');
      expect(error.retryable).toBe(true);
      await exec('COMMIT');
      expect((await store.requests.update({ ...request, status: 'complete' })).version).toBe(1);
    } finally {
      await new Promise((resolve) => other.close(resolve));
      await store.close();
    }
  });
});

const reachable = await postgresReachable();
const schemas: string[] = [];

describeWithPostgres('PostgreSQL store', reachable, () => {
  afterAll(async () => {
    await dropSchemas(schemas);
  });

  it('creates the schema named in the URL and keeps its tables there', async () => {
    const schema = uniqueSchema('hf_knex');
    schemas.push(schema);
    const store = await openStore(postgresUrlWithSchema(schema));
    expect(store.kind).toBe('postgres');
    await store.requests.create(anAcquireRequest());
    await store.close();

    const client = new pg.Client({ connectionString: POSTGRES_TEST_URL });
    await client.connect();
    try {
      const tables = await client.query<{ table_name: string }>(
        'select table_name from information_schema.tables where table_schema = $1 order by table_name',
        [schema],
      );
      expect(tables.rows.map((row) => row.table_name)).toEqual(['knex_migrations', 'knex_migrations_lock', 'machines', 'requests', 'resource_leases', 'unavailable_offerings']);
      const rows = await client.query<{ count: string }>(`select count(*) from "${schema}".requests`);
      expect(rows.rows[0].count).toBe('1');
    } finally {
      await client.end();
    }
  });
});

describe('opening an unreachable PostgreSQL server', () => {
  it('fails with a HostFactoryError naming the server, never the password', async () => {
    const error = (await rejectionOf(openStore('postgres://hf:s3cret@127.0.0.1:1/hostfactory'))) as { code?: string; message?: string };
    expect(error.code).toBe('INTERNAL');
    expect(error.message).toContain('127.0.0.1:1');
    expect(error.message).not.toContain('s3cret');
  });
});
