import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDynamoDbDocumentClient } from '../../../src/infrastructure/storage/dynamodb/dynamodb-client.js';
import { machineToItem, requestToItem } from '../../../src/infrastructure/storage/dynamodb/dynamodb-items.js';
import { DynamoDbMachineRepository } from '../../../src/infrastructure/storage/dynamodb/dynamodb-machine-repository.js';
import { DynamoDbRequestRepository } from '../../../src/infrastructure/storage/dynamodb/dynamodb-request-repository.js';
import { tableNames } from '../../../src/infrastructure/storage/dynamodb/dynamodb-table-design.js';
import { DynamoDbTables } from '../../../src/infrastructure/storage/dynamodb/dynamodb-tables.js';
import { aMachine, anAcquireRequest, T0 } from '../../support/mothers.js';

// DynamoDB answers a batch in part when it throttles (UnprocessedKeys / UnprocessedItems) and
// names every refusal by its error name; both are hard to provoke on a local server, so the
// document client is mocked here. The real-server behaviour is in test/integration/storage.
const dynamo = mockClient(DynamoDBDocumentClient);
const names = tableNames('hf');

function repositories() {
  const client = createDynamoDbDocumentClient(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }));
  const tables = new DynamoDbTables(client, names);
  const clock = { now: () => T0 };
  return { requests: new DynamoDbRequestRepository(tables, clock), machines: new DynamoDbMachineRepository(tables, clock) };
}

const awsError = (name: string, message = name) => Object.assign(new Error(message), { name, $metadata: {} });

/** The keys each BatchGetItem call asked for, in call order. */
const keysAskedFor = (table: string) => dynamo.commandCalls(BatchGetCommand).map((call) => call.args[0].input.RequestItems?.[table]?.Keys);

describe('DynamoDB batches left partly unprocessed', () => {
  beforeEach(() => dynamo.reset());
  afterEach(() => vi.useRealTimers());

  it('asks again for the keys a BatchGetItem left unprocessed, and returns every request', async () => {
    const [a, b, c] = ['req-a', 'req-b', 'req-c'].map((requestId) => anAcquireRequest({ requestId }));
    dynamo
      .on(BatchGetCommand)
      .resolvesOnce({ Responses: { [names.requests]: [requestToItem(a)] }, UnprocessedKeys: { [names.requests]: { Keys: [{ requestId: 'req-b' }, { requestId: 'req-c' }] } } })
      .resolvesOnce({ Responses: { [names.requests]: [requestToItem(b), requestToItem(c)] } });
    const { requests } = repositories();

    const found = await requests.getMany(['req-a', 'req-b', 'req-c']);

    expect(found.map((request) => request.requestId).sort()).toEqual(['req-a', 'req-b', 'req-c']);
    expect(found.find((request) => request.requestId === 'req-b')).toEqual(b);
    expect(keysAskedFor(names.requests)).toEqual([
      [{ requestId: 'req-a' }, { requestId: 'req-b' }, { requestId: 'req-c' }],
      [{ requestId: 'req-b' }, { requestId: 'req-c' }],
    ]);
  });

  it('sends again the deletes a BatchWriteItem left unprocessed', async () => {
    const machines = ['i-1', 'i-2', 'i-3'].map((machineId) => aMachine('req-a', { machineId }));
    dynamo.on(BatchGetCommand).resolves({ Responses: { [names.machines]: machines.map(machineToItem) } });
    dynamo
      .on(BatchWriteCommand)
      .resolvesOnce({ UnprocessedItems: { [names.machines]: [{ DeleteRequest: { Key: { machineId: 'i-3' } } }] } })
      .resolvesOnce({});
    const { machines: repository } = repositories();

    expect(await repository.remove(['i-1', 'i-2', 'i-3'])).toBe(3);

    const deleted = dynamo.commandCalls(BatchWriteCommand).map((call) => call.args[0].input.RequestItems?.[names.machines]?.map((entry) => entry.DeleteRequest?.Key?.machineId));
    expect(deleted).toEqual([['i-1', 'i-2', 'i-3'], ['i-3']]);
  });

  it('fails THROTTLED after 8 tries that all leave keys unprocessed, backing off between them', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    dynamo.on(BatchGetCommand).resolves({ Responses: { [names.requests]: [] }, UnprocessedKeys: { [names.requests]: { Keys: [{ requestId: 'req-a' }] } } });
    const { requests } = repositories();

    const outcome = requests.getMany(['req-a']).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(0);
    expect(dynamo.commandCalls(BatchGetCommand)).toHaveLength(1);
    await vi.runAllTimersAsync();

    expect(await outcome).toMatchObject({
      code: 'THROTTLED',
      retryable: true,
      message: `DynamoDB BatchGetItem on table ${names.requests} left items unprocessed after 8 attempts`,
    });
    expect(dynamo.commandCalls(BatchGetCommand)).toHaveLength(8);
  });
});

describe('DynamoDB errors', () => {
  beforeEach(() => dynamo.reset());

  it.each([
    ['ProvisionedThroughputExceededException', 'THROTTLED', true],
    ['ThrottlingException', 'THROTTLED', true],
    ['AccessDeniedException', 'ACCESS_DENIED', false],
    ['UnrecognizedClientException', 'ACCESS_DENIED', false],
    ['TransactionConflictException', 'STORAGE_CONFLICT', true],
    ['ResourceNotFoundException', 'CONFIG_INVALID', false],
    ['InternalServerError', 'INTERNAL', true],
    ['ValidationException', 'INTERNAL', false],
  ])('%s becomes %s (retryable: %s), naming the call and the table', async (name, code, retryable) => {
    dynamo.on(GetCommand).rejects(awsError(name, 'refused'));
    const { requests } = repositories();

    const failure = await requests.get('req-a').catch((error: unknown) => error);

    expect(failure).toMatchObject({ code, retryable, message: expect.stringContaining(`DynamoDB GetItem on table ${names.requests} failed (${name}: refused)`) });
  });
});
