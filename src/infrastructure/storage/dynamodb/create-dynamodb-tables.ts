import type { CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HostFactoryError } from '../../../domain/errors.js';
import { loadCommonJs } from '../../../shared/load-commonjs.js';
import { createDynamoDbClient } from './dynamodb-client.js';
import {
  leasesTableDefinition,
  machinesTableDefinition,
  requestsTableDefinition,
  tableNames,
  unavailableOfferingsTableDefinition,
  type DynamoDbStoreLocation,
} from './dynamodb-table-design.js';
import { translateDynamoDbError } from './translate-dynamodb-error.js';

const WAIT_SECONDS = 300;

/**
 * Creates the store's tables and indexes (on-demand billing) and waits until they are active.
 * Idempotent: a table that exists already is kept, provided it has the indexes the store needs;
 * otherwise CONFIG_INVALID names the missing ones.
 */
export async function createDynamoDbTables(location: DynamoDbStoreLocation): Promise<void> {
  const names = tableNames(location.tablePrefix);
  const client = createDynamoDbClient(location);
  try {
    const definitions = [
      requestsTableDefinition(names.requests),
      machinesTableDefinition(names.machines),
      leasesTableDefinition(names.leases),
      unavailableOfferingsTableDefinition(names.unavailableOfferings),
    ];
    for (const definition of definitions) {
      await ensureTable(client, definition);
    }
  } finally {
    client.destroy();
  }
}

async function ensureTable(client: DynamoDBClient, definition: CreateTableCommandInput): Promise<void> {
  const { CreateTableCommand, DescribeTableCommand, waitUntilTableExists } = loadCommonJs<typeof import('@aws-sdk/client-dynamodb')>('@aws-sdk/client-dynamodb');
  const table = definition.TableName as string;
  try {
    await client.send(new CreateTableCommand(definition));
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceInUseException') {
      throw translateDynamoDbError(error, 'CreateTable', table);
    }
  }
  try {
    await waitUntilTableExists({ client, maxWaitTime: WAIT_SECONDS, minDelay: 1 }, { TableName: table });
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
    const missing = (definition.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName).filter((name) => !present.has(name));
    if (missing.length > 0) {
      throw new HostFactoryError('CONFIG_INVALID', `DynamoDB table ${table} exists but lacks the indexes ${missing.join(', ')}; recreate it or add them`);
    }
  } catch (error) {
    throw translateDynamoDbError(error, 'DescribeTable', table);
  }
}
