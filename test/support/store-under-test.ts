import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dropSchemas, POSTGRES_TEST_URL, postgresReachable, postgresUrlWithSchema, uniqueSchema } from '../contract/pg-test-store.js';
import { startDynalite } from './dynalite-server.js';
import type { HostFactoryInstance } from './hostfactory-harness.js';

export type StoreKind = 'sqlite' | 'json' | 'postgres' | 'dynamodb';
export const STORE_KINDS: readonly StoreKind[] = ['sqlite', 'json', 'postgres', 'dynamodb'];

/** A store of one kind, ready for the scripts of an instance once `extraEnv` is in its env. */
export interface StoreUnderTest {
  kind: StoreKind;
  /** The store URL, as `HOSTFACTORY_STORE` names it. */
  url: string;
  /** `HOSTFACTORY_STORE` and whatever else the store needs (fake AWS credentials for DynamoDB). */
  extraEnv: NodeJS.ProcessEnv;
  /** Drops what the store left outside the instance's temp dir (PostgreSQL schema, dynalite server). */
  cleanup(): Promise<void>;
}

const FAKE_AWS_ENV = { AWS_ACCESS_KEY_ID: 'test-access-key', AWS_SECRET_ACCESS_KEY: 'test-secret-key', AWS_REGION: 'us-east-1' };

/**
 * Sets up a store of `kind` for `instance` and points the instance's scripts at it (its env gets
 * `extraEnv`). SQLite and JSON live in the instance's temp dir; PostgreSQL gets a schema of its own
 * on the test server; DynamoDB runs on a dynalite started in this process, with its tables created
 * by the real `hostfactory store init`.
 */
export async function useStore(kind: StoreKind, instance: HostFactoryInstance): Promise<StoreUnderTest> {
  const store = await storeFor(kind, instance.root);
  Object.assign(instance.env, store.extraEnv);
  if (kind === 'dynamodb' || kind === 'postgres') {
    const init = await instance.cli(['store', 'init']);
    if (init.exitCode !== 0) {
      await store.cleanup();
      throw new Error(`hostfactory store init failed for ${store.url} (exit ${init.exitCode}): ${init.stdout}${init.stderr}`);
    }
  }
  return store;
}

/** A store of `kind` whose files (SQLite, JSON) go under `dir`; the caller runs `store init` when needed. */
export async function storeFor(kind: StoreKind, dir: string): Promise<StoreUnderTest> {
  const done = async () => undefined;
  switch (kind) {
    case 'sqlite': {
      const url = `sqlite://${join(dir, 'store', 'hostfactory.db')}`;
      return { kind, url, extraEnv: { HOSTFACTORY_STORE: url }, cleanup: done };
    }
    case 'json': {
      const url = `json://${join(dir, 'json-store')}`;
      return { kind, url, extraEnv: { HOSTFACTORY_STORE: url }, cleanup: done };
    }
    case 'postgres': {
      await requirePostgres();
      const schema = uniqueSchema('hf_e2e');
      const url = postgresUrlWithSchema(schema);
      return { kind, url, extraEnv: { HOSTFACTORY_STORE: url }, cleanup: () => dropSchemas([schema]) };
    }
    case 'dynamodb': {
      const server = await startDynalite();
      const url = `dynamodb://${server.uniquePrefix()}?region=us-east-1&endpoint=${server.endpoint}`;
      return { kind, url, extraEnv: { HOSTFACTORY_STORE: url, ...FAKE_AWS_ENV }, cleanup: () => server.stop() };
    }
  }
}

let postgresAnswers: Promise<boolean> | undefined;

/** Whether the test PostgreSQL server answers (asked once per test file). */
export function postgresAvailable(): Promise<boolean> {
  postgresAnswers ??= postgresReachable();
  return postgresAnswers;
}

async function requirePostgres(): Promise<void> {
  if (!(await postgresAvailable())) {
    throw new Error(`no PostgreSQL at ${POSTGRES_TEST_URL}: start it or set HOSTFACTORY_TEST_PG_URL`);
  }
}

/**
 * Declares `body` once per store kind. Without a PostgreSQL server the postgres block is skipped,
 * except under CI, where a failing test says the server is missing: it must never pass silently.
 */
export async function describeEachStore(title: string, body: (kind: StoreKind) => void): Promise<void> {
  const pgUp = await postgresAvailable();
  for (const kind of STORE_KINDS) {
    const name = `${title} [${kind}]`;
    if (kind === 'postgres' && !pgUp) {
      if (process.env.CI) {
        describe(name, () => {
          it(`reaches PostgreSQL at ${POSTGRES_TEST_URL}`, () => {
            expect(pgUp, 'PostgreSQL must be reachable when CI is set').toBe(true);
          });
        });
      } else {
        describe.skip(`${name} (no PostgreSQL at ${POSTGRES_TEST_URL}; set HOSTFACTORY_TEST_PG_URL)`, () => body(kind));
      }
      continue;
    }
    describe(name, () => body(kind));
  }
}
