import { afterAll, beforeAll, it } from 'vitest';
import { openStore } from '../../../src/infrastructure/storage/open-store.js';
import { describeWithPostgres, dropSchemas, postgresReachable, postgresUrlWithSchema, uniqueSchema } from '../../contract/pg-test-store.js';
import { expectNoLostUpdate } from './concurrency-expectations.js';
import { assertBuilt, runStoreWorkers } from './store-workers.js';

const WORKERS = 20;
const reachable = await postgresReachable();
const schema = uniqueSchema('hf_concurrency');

describeWithPostgres('PostgreSQL store shared by concurrent processes', reachable, () => {
  beforeAll(() => assertBuilt());
  afterAll(async () => {
    await dropSchemas([schema]);
  });

  it(`${WORKERS} processes starting at once on a fresh schema migrate it, and lose no update`, { timeout: 180_000 }, async () => {
    const url = postgresUrlWithSchema(schema);

    const outcomes = await runStoreWorkers(url, WORKERS, 'req-shared');

    const store = await openStore(url);
    try {
      await expectNoLostUpdate(store, outcomes, WORKERS, 'req-shared');
    } finally {
      await store.close();
    }
  });
});
