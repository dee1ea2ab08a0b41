import type { DynamoDBDocumentClient, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { HostFactoryError } from '../../../domain/errors.js';
import { loadCommonJs } from '../../../shared/load-commonjs.js';
import type { DynamoDbTableNames } from './dynamodb-table-design.js';
import { chunk } from '../../../shared/chunk.js';
import { mapConcurrently } from './map-concurrently.js';
import { isConditionalCheckFailed, translateDynamoDbError } from './translate-dynamodb-error.js';

// Loaded with require when the DynamoDB store is opened (this module is imported only then): see loadCommonJs.
const { BatchGetCommand, BatchWriteCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand } =
  loadCommonJs<typeof import('@aws-sdk/lib-dynamodb')>('@aws-sdk/lib-dynamodb');

type Item = Record<string, unknown>;
type Key = Record<string, string>;

export interface Condition {
  expression: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
}

const BATCH_GET_SIZE = 100;
const BATCH_WRITE_SIZE = 25;
const UNPROCESSED_ATTEMPTS = 8;
/** Parallel calls one repository method may make (queries per request id, batches). */
export const PARALLEL_CALLS = 16;

/**
 * The store's tables behind one document client: the few DynamoDB calls the repositories
 * need, with SDK errors translated to HostFactoryError and batches split and retried.
 */
export class DynamoDbTables {
  constructor(
    readonly client: DynamoDBDocumentClient,
    readonly names: DynamoDbTableNames,
  ) {}

  async get(table: string, key: Key): Promise<Item | undefined> {
    const output = await this.call('GetItem', table, () =>
      this.client.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true })),
    );
    return output.Item;
  }

  /** Puts `item` if `condition` holds; false when it did not (nothing written). */
  async putIf(table: string, item: Item, condition: Condition): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: table,
          Item: item,
          ConditionExpression: condition.expression,
          ExpressionAttributeNames: condition.names,
          ExpressionAttributeValues: condition.values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw translateDynamoDbError(error, 'PutItem', table);
    }
  }

  /** Deletes the item if `condition` holds; false when it did not. */
  async deleteIf(table: string, key: Key, condition: Condition): Promise<boolean> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: table,
          Key: key,
          ConditionExpression: condition.expression,
          ExpressionAttributeNames: condition.names,
          ExpressionAttributeValues: condition.values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw translateDynamoDbError(error, 'DeleteItem', table);
    }
  }

  /** Every page of a Query, or pages until `enough` items were collected. */
  async query(input: QueryCommandInput, enough = Number.POSITIVE_INFINITY): Promise<Item[]> {
    const table = input.TableName ?? '';
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const output = await this.call('Query', table, () =>
        this.client.send(new QueryCommand({ ...input, ExclusiveStartKey: start })),
      );
      items.push(...(output.Items ?? []));
      start = output.LastEvaluatedKey;
    } while (start && items.length < enough);
    return items;
  }

  /** Items for these keys (strongly consistent); missing keys are skipped. */
  async batchGet(table: string, keys: readonly Key[]): Promise<Item[]> {
    const pages = await mapConcurrently(chunk(keys, BATCH_GET_SIZE), PARALLEL_CALLS, async (page) => {
      const found: Item[] = [];
      let pending: Key[] = page;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt === UNPROCESSED_ATTEMPTS) throw this.throttled('BatchGetItem', table);
        if (attempt > 0) await backoff(attempt);
        const output = await this.call('BatchGetItem', table, () =>
          this.client.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true } } })),
        );
        found.push(...(output.Responses?.[table] ?? []));
        pending = (output.UnprocessedKeys?.[table]?.Keys ?? []) as Key[];
      }
      return found;
    });
    return pages.flat();
  }

  async batchDelete(table: string, keys: readonly Key[]): Promise<void> {
    await mapConcurrently(chunk(keys, BATCH_WRITE_SIZE), PARALLEL_CALLS, async (page) => {
      let pending = page.map((key) => ({ DeleteRequest: { Key: key } }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt === UNPROCESSED_ATTEMPTS) throw this.throttled('BatchWriteItem', table);
        if (attempt > 0) await backoff(attempt);
        const output = await this.call('BatchWriteItem', table, () =>
          this.client.send(new BatchWriteCommand({ RequestItems: { [table]: pending } })),
        );
        pending = (output.UnprocessedItems?.[table] ?? []) as typeof pending;
      }
    });
  }

  destroy(): void {
    this.client.destroy();
  }

  private async call<T>(operation: string, table: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw translateDynamoDbError(error, operation, table);
    }
  }

  private throttled(operation: string, table: string): HostFactoryError {
    return new HostFactoryError('THROTTLED', `DynamoDB ${operation} on table ${table} left items unprocessed after ${UNPROCESSED_ATTEMPTS} attempts`);
  }
}

function backoff(attempt: number): Promise<void> {
  const ms = Math.min(1_000, 25 * 2 ** attempt) * (0.5 + Math.random() / 2);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
