import { afterAll, beforeAll } from 'vitest';
import { createDynamoDbTables, openDynamoDbStore } from '../../src/infrastructure/storage/dynamodb/open-dynamodb-store.js';
import { startDynalite, type DynaliteServer } from '../support/dynalite-server.js';
import { describeRepositoryContract } from './repositories-contract.js';

let server: DynaliteServer | undefined;

beforeAll(async () => {
  server = await startDynalite();
});

afterAll(async () => {
  await server?.stop();
});

describeRepositoryContract('dynamodb', async (clock) => {
  if (!server) throw new Error('dynalite did not start');
  // Every test gets its own tables: a fresh, empty store.
  const location = { tablePrefix: server.uniquePrefix(), endpoint: server.endpoint };
  await createDynamoDbTables(location);
  return openDynamoDbStore(location, { clock });
});
