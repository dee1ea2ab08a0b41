import { HostFactoryError } from '../../../domain/errors.js';
import type { Machine, MachineRef } from '../../../domain/machine.js';
import type { Clock } from '../../../domain/ports/clock.js';
import type { MachineRepository } from '../../../domain/ports/machine-repository.js';
import { itemToMachine, machineToItem } from './dynamodb-items.js';
import { LIVE_MARK, MACHINE_INDEX } from './dynamodb-table-design.js';
import { PARALLEL_CALLS, type DynamoDbTables } from './dynamodb-tables.js';
import { mapConcurrently } from './map-concurrently.js';

/**
 * Machines in DynamoDB (table `<prefix>-machines`, key machineId). Lookups by request, return
 * request and name Query their indexes (one Query per id, in parallel); `listLive` queries the
 * sparse live index. Writes are conditional on `version`.
 */
export class DynamoDbMachineRepository implements MachineRepository {
  constructor(
    private readonly tables: DynamoDbTables,
    private readonly clock: Clock,
  ) {}

  private get table(): string {
    return this.tables.names.machines;
  }

  async addIfAbsent(machines: readonly Machine[]): Promise<Machine[]> {
    const firsts = new Map<string, Machine>();
    for (const machine of machines) if (!firsts.has(machine.machineId)) firsts.set(machine.machineId, machine);
    const unique = [...firsts.values()];
    if (unique.length === 0) return [];
    const stored = await this.byIds(unique.map((machine) => machine.machineId));
    const lostRace: string[] = [];
    await mapConcurrently(
      unique.filter((machine) => !stored.has(machine.machineId)),
      PARALLEL_CALLS,
      async (machine) => {
        const fresh: Machine = { ...machine, version: 0 };
        const added = await this.tables.putIf(this.table, machineToItem(fresh), {
          expression: 'attribute_not_exists(machineId)',
        });
        if (added) stored.set(machine.machineId, fresh);
        else lostRace.push(machine.machineId);
      },
    );
    if (lostRace.length > 0) for (const [id, machine] of await this.byIds(lostRace)) stored.set(id, machine);
    return unique.flatMap((machine) => stored.get(machine.machineId) ?? []);
  }

  async listByRequests(requestIds: readonly string[]): Promise<Machine[]> {
    return this.queryEach(MACHINE_INDEX.requestId, 'requestId', requestIds);
  }

  async listByReturnRequests(returnRequestIds: readonly string[]): Promise<Machine[]> {
    return this.queryEach(MACHINE_INDEX.returnRequestId, 'returnRequestId', returnRequestIds);
  }

  /**
   * Ids go through BatchGetItem; names are queried on the name index, except names already
   * answered by a machine found by id (HostFactory usually sends both).
   */
  async findByRefs(refs: readonly MachineRef[]): Promise<Machine[]> {
    const ids = refs.flatMap((ref) => (ref.machineId ? [ref.machineId] : []));
    const found = await this.byIds(ids);
    const namesFound = new Set([...found.values()].map((machine) => machine.name));
    const names = refs.flatMap((ref) => (ref.name && !namesFound.has(ref.name) ? [ref.name] : []));
    for (const machine of await this.queryEach(MACHINE_INDEX.name, 'nameKey', names)) {
      found.set(machine.machineId, machine);
    }
    return [...found.values()];
  }

  async listLive(): Promise<Machine[]> {
    const items = await this.tables.query({
      TableName: this.table,
      IndexName: MACHINE_INDEX.live,
      KeyConditionExpression: '#live = :mark',
      ExpressionAttributeNames: { '#live': 'live' },
      ExpressionAttributeValues: { ':mark': LIVE_MARK },
    });
    return items.map(itemToMachine);
  }

  async update(machine: Machine): Promise<Machine> {
    const next: Machine = { ...machine, version: machine.version + 1, updatedAt: this.clock.now() };
    const stored = await this.tables.putIf(this.table, machineToItem(next), {
      expression: '#version = :expected',
      names: { '#version': 'version' },
      values: { ':expected': machine.version },
    });
    if (stored) return next;
    const current = await this.tables.get(this.table, { machineId: machine.machineId });
    throw new HostFactoryError(
      'STORAGE_CONFLICT',
      current
        ? `Machine ${machine.machineId} was updated by another process (version ${String(current.version)}, not ${machine.version})`
        : `Machine ${machine.machineId} is no longer in the store`,
    );
  }

  async remove(machineIds: readonly string[]): Promise<number> {
    const found = [...(await this.byIds(machineIds)).keys()];
    await this.tables.batchDelete(
      this.table,
      found.map((machineId) => ({ machineId })),
    );
    return found.length;
  }

  private async byIds(machineIds: readonly string[]): Promise<Map<string, Machine>> {
    const keys = [...new Set(machineIds)].map((machineId) => ({ machineId }));
    const items = keys.length === 0 ? [] : await this.tables.batchGet(this.table, keys);
    return new Map(items.map((item) => [item.machineId as string, itemToMachine(item)]));
  }

  private async queryEach(indexName: string, attribute: string, values: readonly string[]): Promise<Machine[]> {
    const unique = [...new Set(values)].filter((value) => value !== '');
    const pages = await mapConcurrently(unique, PARALLEL_CALLS, (value) =>
      this.tables.query({
        TableName: this.table,
        IndexName: indexName,
        KeyConditionExpression: '#key = :value',
        ExpressionAttributeNames: { '#key': attribute },
        ExpressionAttributeValues: { ':value': value },
      }),
    );
    const machines = new Map<string, Machine>();
    for (const item of pages.flat()) machines.set(item.machineId as string, itemToMachine(item));
    return [...machines.values()];
  }
}
