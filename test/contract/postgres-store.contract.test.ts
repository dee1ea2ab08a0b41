import { afterAll } from 'vitest';
import { openStore } from '../../src/infrastructure/storage/open-store.js';
import {
  describeWithPostgres,
  dropSchemas,
  postgresReachable,
  postgresUrlWithSchema,
  uniqueSchema,
} from './pg-test-store.js';
import { describeRepositoryContract } from './repositories-contract.js';

const reachable = await postgresReachable();
const schemas: string[] = [];

describeWithPostgres('postgres', reachable, () => {
  afterAll(async () => {
    await dropSchemas(schemas);
  });

  describeRepositoryContract('postgres', (clock) => {
    const schema = uniqueSchema('hf_contract');
    schemas.push(schema);
    return openStore(postgresUrlWithSchema(schema), { clock });
  });
});
