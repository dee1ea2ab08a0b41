import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { StoreHealth } from '../../../src/application/health-checks.js';
import type { Machine } from '../../../src/domain/machine.js';
import type { Request } from '../../../src/domain/request.js';
import { createDynamoDbClient, createDynamoDbDocumentClient } from '../../../src/infrastructure/storage/dynamodb/dynamodb-client.js';
import { DynamoDbMachineRepository } from '../../../src/infrastructure/storage/dynamodb/dynamodb-machine-repository.js';
import { DynamoDbRequestRepository } from '../../../src/infrastructure/storage/dynamodb/dynamodb-request-repository.js';
import { DynamoDbResourceLease } from '../../../src/infrastructure/storage/dynamodb/dynamodb-resource-lease.js';
import { tableNames } from '../../../src/infrastructure/storage/dynamodb/dynamodb-table-design.js';
import { DynamoDbTables } from '../../../src/infrastructure/storage/dynamodb/dynamodb-tables.js';
import { createDynamoDbTables, openDynamoDbStore } from '../../../src/infrastructure/storage/dynamodb/open-dynamodb-store.js';
import { startDynalite, type DynaliteServer } from '../../support/dynalite-server.js';
import { aMachine, anAcquireRequest } from '../../support/mothers.js';

/** This file's requests and machines: the mothers' with fixed ids and small timestamps. */
function request(requestId: string, overrides: Partial<Request> = {}): Request {
  return anAcquireRequest({ requestId, templateId: 'tpl-a', machineCount: 1, providerName: 'aws', providerData: {}, createdAt: 1_000, updatedAt: 1_000, ...overrides });
}

function machine(machineId: string, requestId: string, overrides: Partial<Machine> = {}): Machine {
  return aMachine(requestId, {
    machineId,
    name: `${machineId}.ec2.internal`,
    templateId: 'tpl-a',
    privateIpAddress: null,
    launchTime: 100,
    instanceType: 't3.micro',
    instanceTags: {},
    updatedAt: 1_000,
    ...overrides,
  });
}

describe('DynamoDB store', () => {
  let server: DynaliteServer;
  const opened: Array<{ close(): Promise<void> }> = [];

  beforeAll(async () => {
    server = await startDynalite();
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((handle) => handle.close()));
  });

  afterAll(async () => {
    await server.stop();
  });

  async function freshLocation() {
    const location = { tablePrefix: server.uniquePrefix(), endpoint: server.endpoint };
    await createDynamoDbTables(location);
    return location;
  }

  /** Repositories over a document client whose calls are recorded, plus raw item access. */
  async function instrumented() {
    const location = await freshLocation();
    const client = createDynamoDbDocumentClient(createDynamoDbClient(location));
    const send = vi.spyOn(client, 'send');
    const tables = new DynamoDbTables(client, tableNames(location.tablePrefix));
    opened.push({ close: async () => tables.destroy() });
    const clock = { now: () => 7_000 };
    const rawItem = async (table: string, key: Record<string, string>) =>
      (await client.send(new GetCommand({ TableName: table, Key: key }))).Item;
    const commandsSent = () => send.mock.calls.map(([command]) => command.constructor.name);
    return {
      tables,
      requests: new DynamoDbRequestRepository(tables, clock),
      machines: new DynamoDbMachineRepository(tables, clock),
      leases: new DynamoDbResourceLease(tables, clock),
      rawItem,
      commandsSent,
    };
  }

  it('creates the tables and their indexes, and creating them again is harmless', async () => {
    const location = await freshLocation();
    await createDynamoDbTables(location);

    const client = new DynamoDBClient({ endpoint: server.endpoint, region: 'us-east-1' });
    const names = tableNames(location.tablePrefix);
    const indexes = async (table: string) =>
      ((await client.send(new DescribeTableCommand({ TableName: table }))).Table?.GlobalSecondaryIndexes ?? [])
        .map((index) => index.IndexName)
        .sort();
    expect(await indexes(names.requests)).toEqual(['kind-createdAt-index', 'outstanding-index']);
    expect(await indexes(names.machines)).toEqual(['live-index', 'name-index', 'requestId-index', 'returnRequestId-index']);
    expect(await indexes(names.leases)).toEqual([]);
    expect(await indexes(names.unavailableOfferings)).toEqual([]);
    client.destroy();
  });

  it('names the tables after the prefix', () => {
    expect(tableNames('hostfactory')).toEqual({
      requests: 'hostfactory-requests',
      machines: 'hostfactory-machines',
      leases: 'hostfactory-leases',
      unavailableOfferings: 'hostfactory-unavailable-offerings',
    });
    expect(tableNames('hf_prod_')).toEqual({
      requests: 'hf_prod_requests',
      machines: 'hf_prod_machines',
      leases: 'hf_prod_leases',
      unavailableOfferings: 'hf_prod_unavailable-offerings',
    });
  });

  it('refuses an existing table that lacks the indexes the store queries', async () => {
    const prefix = server.uniquePrefix();
    const client = new DynamoDBClient({ endpoint: server.endpoint, region: 'us-east-1' });
    await client.send(
      new CreateTableCommand({
        TableName: tableNames(prefix).requests,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'requestId', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'requestId', AttributeType: 'S' }],
      }),
    );
    client.destroy();

    await expect(createDynamoDbTables({ tablePrefix: prefix, endpoint: server.endpoint })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('outstanding-index'),
    });
  });

  it('tells the administrator to run `store init` when the tables do not exist', async () => {
    const store = await openDynamoDbStore({ tablePrefix: server.uniquePrefix(), endpoint: server.endpoint });
    opened.push(store);

    await expect(store.requests.listOutstanding()).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('hostfactory store init'),
    });
  });

  it('health: a store upgraded without `store init` (no unavailable-offerings table) fails, naming the table and the command', async () => {
    const location = await freshLocation();
    const client = new DynamoDBClient({ endpoint: server.endpoint, region: 'us-east-1' });
    await client.send(new DeleteTableCommand({ TableName: tableNames(location.tablePrefix).unavailableOfferings }));
    client.destroy();
    const store = await openDynamoDbStore(location);
    opened.push(store);

    const [finding] = await new StoreHealth(store.requests, store.capacity, { now: () => 7_000 }).run();

    expect(finding.status).toBe('fail');
    expect(finding.message).toContain(`${location.tablePrefix}unavailable-offerings`);
    expect(finding.message).toContain('hostfactory store init');
  });

  it('keeps the outstanding and live markers only while a request runs and a machine holds capacity', async () => {
    const store = await instrumented();
    await store.requests.create(request('req-1'));
    await store.machines.addIfAbsent([machine('i-1', 'req-1', { status: 'running' })]);
    expect(await store.rawItem(store.tables.names.requests, { requestId: 'req-1' })).toMatchObject({ outstanding: 'running' });
    expect(await store.rawItem(store.tables.names.machines, { machineId: 'i-1' })).toMatchObject({ live: 'live' });

    await store.requests.update({ ...request('req-1'), status: 'complete' });
    await store.machines.update({ ...machine('i-1', 'req-1'), status: 'terminated' });

    expect(await store.rawItem(store.tables.names.requests, { requestId: 'req-1' })).not.toHaveProperty('outstanding');
    expect(await store.rawItem(store.tables.names.machines, { machineId: 'i-1' })).not.toHaveProperty('live');
    expect(await store.requests.listOutstanding()).toEqual([]);
    expect(await store.machines.listLive()).toEqual([]);
    expect(await store.requests.get('req-1')).toEqual({ ...request('req-1'), status: 'complete', version: 1, updatedAt: 7_000 });
  });

  it('stores a machine that has no host name yet and finds it by id', async () => {
    const store = await instrumented();
    const nameless = machine('i-nameless', 'req-1', { name: '' });

    await store.machines.addIfAbsent([nameless]);

    expect(await store.machines.findByRefs([{ machineId: 'i-nameless' }])).toEqual([nameless]);
    expect(await store.machines.findByRefs([{ name: '' }])).toEqual([]);
  });

  it('answers HostFactory polls without scanning a table', async () => {
    const store = await instrumented();
    await store.requests.create(request('req-1'));
    await store.requests.create(request('ret-1', { kind: 'return', templateId: undefined, createdAt: 2_000 }));
    await store.machines.addIfAbsent([machine('i-1', 'req-1'), machine('i-2', 'req-1', { returnRequestId: 'ret-1' })]);

    await store.requests.listOutstanding();
    await store.requests.getMany(['req-1', 'ret-1']);
    await store.machines.listByRequests(['req-1']);
    await store.machines.listByReturnRequests(['ret-1']);
    await store.machines.findByRefs([{ name: 'i-1.ec2.internal' }, { machineId: 'i-2' }]);
    await store.machines.listLive();
    expect(await store.requests.list({ limit: 1 })).toEqual([expect.objectContaining({ requestId: 'ret-1' })]);
    await store.requests.pruneFinished(10_000);

    const reads = new Set(store.commandsSent().filter((name) => name !== 'PutCommand'));
    expect(reads).toEqual(new Set(['QueryCommand', 'BatchGetCommand']));
  });

  it('holds a lease as one item of the leases table: a conditional PutItem, then a conditional DeleteItem', async () => {
    const store = await instrumented();

    const held = await store.leases.withLease('ec2-fleet:fleet-1', () => store.rawItem(store.tables.names.leases, { resource: 'ec2-fleet:fleet-1' }));

    expect(held).toEqual({ resource: 'ec2-fleet:fleet-1', holder: expect.any(String), expiresAt: 37_000 });
    expect(await store.rawItem(store.tables.names.leases, { resource: 'ec2-fleet:fleet-1' })).toBeUndefined();
    expect(store.commandsSent()).toEqual(['PutCommand', 'GetCommand', 'DeleteCommand', 'GetCommand']);
  });

  it('lets exactly one of two processes win a race on the same version', async () => {

    const location = await freshLocation();
    const first = await openDynamoDbStore(location);
    const second = await openDynamoDbStore(location);
    opened.push(first, second);
    await first.requests.create(request('req-1'));

    const outcomes = await Promise.allSettled([
      first.requests.update({ ...request('req-1'), message: 'from first' }),
      second.requests.update({ ...request('req-1'), message: 'from second' }),
    ]);

    const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const lost = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toEqual([expect.objectContaining({ reason: expect.objectContaining({ code: 'STORAGE_CONFLICT', retryable: true }) })]);
    expect((await first.requests.get('req-1'))?.version).toBe(1);
  });

  it('uses AWS_REGION when no region is given, else us-east-1', async () => {
    const saved = process.env.AWS_REGION;
    try {
      process.env.AWS_REGION = 'eu-west-3';
      expect(await createDynamoDbClient({ tablePrefix: 'x' }).config.region()).toBe('eu-west-3');
      expect(await createDynamoDbClient({ tablePrefix: 'x', region: 'ap-south-1' }).config.region()).toBe('ap-south-1');
      delete process.env.AWS_REGION;
      expect(await createDynamoDbClient({ tablePrefix: 'x' }).config.region()).toBe('us-east-1');
    } finally {
      if (saved === undefined) delete process.env.AWS_REGION;
      else process.env.AWS_REGION = saved;
    }
  });
});
