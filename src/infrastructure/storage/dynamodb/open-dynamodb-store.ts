import type { Clock } from '../../../domain/ports/clock.js';
import type { StoreHandle } from '../store-handle.js';
import { createDynamoDbClient, createDynamoDbDocumentClient } from './dynamodb-client.js';
import { DynamoDbCapacityMemory } from './dynamodb-capacity-memory.js';
import { DynamoDbMachineRepository } from './dynamodb-machine-repository.js';
import { DynamoDbRequestRepository } from './dynamodb-request-repository.js';
import { DynamoDbResourceLease } from './dynamodb-resource-lease.js';
import { tableNames, type DynamoDbStoreLocation } from './dynamodb-table-design.js';
import { DynamoDbTables } from './dynamodb-tables.js';

export { createDynamoDbTables } from './create-dynamodb-tables.js';
export type { DynamoDbStoreLocation } from './dynamodb-table-design.js';

export interface DynamoDbStoreOptions {
  /** Stamps `updatedAt` on updates; the system clock by default. */
  clock?: Clock;
}

const systemClock: Clock = { now: () => Date.now() };

/**
 * Opens the DynamoDB store without calling AWS (start-up cost is paid on every HostFactory
 * call). Missing tables surface on first use as CONFIG_INVALID naming `hostfactory store init`.
 */
export async function openDynamoDbStore(location: DynamoDbStoreLocation, options: DynamoDbStoreOptions = {}): Promise<StoreHandle> {
  const tables = new DynamoDbTables(createDynamoDbDocumentClient(createDynamoDbClient(location)), tableNames(location.tablePrefix));
  const clock = options.clock ?? systemClock;
  return {
    kind: 'dynamodb',
    requests: new DynamoDbRequestRepository(tables, clock),
    machines: new DynamoDbMachineRepository(tables, clock),
    leases: new DynamoDbResourceLease(tables, clock),
    capacity: new DynamoDbCapacityMemory(tables, clock),
    close: async () => tables.destroy(),
  };
}
