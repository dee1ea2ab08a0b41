import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Offering } from '../../../src/domain/offering.js';
import { createDynamoDbTables, openDynamoDbStore } from '../../../src/infrastructure/storage/dynamodb/open-dynamodb-store.js';
import { tableNames } from '../../../src/infrastructure/storage/dynamodb/dynamodb-table-design.js';
import { openStore } from '../../../src/infrastructure/storage/open-store.js';
import type { StoreHandle } from '../../../src/infrastructure/storage/store-handle.js';
import { dropSchemas, postgresReachable, postgresUrlWithSchema, uniqueSchema } from '../../contract/pg-test-store.js';
import { aManualClock } from '../../contract/store-fixtures.js';
import { startDynalite, type DynaliteServer } from '../../support/dynalite-server.js';
import { T0 } from '../../support/mothers.js';

const POOL: Offering = { instanceType: 'm5.large', zone: 'us-east-1a', market: 'spot' };
const TTL = 180_000;

let dir = '';
let dynalite: DynaliteServer;
const schemas: string[] = [];
const pgUp = await postgresReachable();

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hf-capacity-shared-'));
  dynalite = await startDynalite();
});

afterAll(async () => {
  await dynalite.stop();
  await rm(dir, { recursive: true, force: true });
  await dropSchemas(schemas);
});

/** A URL for a fresh store of `kind`, with its tables made (as `hostfactory store init` would for DynamoDB). */
async function aStore(kind: 'sqlite' | 'json' | 'postgres' | 'dynamodb'): Promise<string> {
  switch (kind) {
    case 'sqlite':
      return `sqlite://${path.join(dir, `${kind}-${Math.random().toString(16).slice(2)}.db`)}`;
    case 'json':
      return `json://${path.join(dir, `${kind}-${Math.random().toString(16).slice(2)}`)}`;
    case 'postgres': {
      const schema = uniqueSchema('hf_capacity');
      schemas.push(schema);
      return postgresUrlWithSchema(schema);
    }
    case 'dynamodb': {
      const tablePrefix = dynalite.uniquePrefix();
      await createDynamoDbTables({ tablePrefix, endpoint: dynalite.endpoint });
      return `dynamodb://${tablePrefix}?region=us-east-1&endpoint=${dynalite.endpoint}`;
    }
  }
}

describe.each(['sqlite', 'json', 'postgres', 'dynamodb'] as const)('the capacity memory of a %s store is shared by every process on it', (kind) => {
  it.skipIf(kind === 'postgres' && !pgUp)('one process remembers a pool, another (its own handle, as on another host) avoids it, and sees it extended', async () => {
    const url = await aStore(kind);
    const clock = aManualClock();
    const first: StoreHandle = await openStore(url, { clock });
    const second: StoreHandle = await openStore(url, { clock });
    try {
      await first.capacity.remember([POOL], T0 + TTL);
      expect(await second.capacity.unavailable(T0)).toEqual([{ ...POOL, until: T0 + TTL }]);

      await second.capacity.remember([POOL], T0 + 2 * TTL);
      expect(await first.capacity.unavailable(T0 + TTL)).toEqual([{ ...POOL, until: T0 + 2 * TTL }]);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});

describe('a DynamoDB store made before the capacity memory', () => {
  it('fails naming `hostfactory store init`, which adds the table and keeps the others', async () => {
    const tablePrefix = dynalite.uniquePrefix();
    const location = { tablePrefix, endpoint: dynalite.endpoint };
    await createDynamoDbTables(location);
    const client = new DynamoDBClient({ region: 'us-east-1', endpoint: dynalite.endpoint });
    await client.send(new DeleteTableCommand({ TableName: tableNames(tablePrefix).unavailableOfferings }));
    client.destroy();
    const store = await openDynamoDbStore(location, { clock: aManualClock() });
    try {
      await store.requests.listOutstanding(); // the older tables answer

      await expect(store.capacity.unavailable(T0)).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('hostfactory store init') });

      await createDynamoDbTables(location);
      await store.capacity.remember([POOL], T0 + TTL);
      expect(await store.capacity.unavailable(T0)).toEqual([{ ...POOL, until: T0 + TTL }]);
    } finally {
      await store.close();
    }
  });
});
