import { HostFactoryError } from '../../../domain/errors.js';
import type { Machine, MachineRef } from '../../../domain/machine.js';
import type { Clock } from '../../../domain/ports/clock.js';
import type { MachineRepository } from '../../../domain/ports/machine-repository.js';
import type { KnexDatabase } from './knex-database.js';
import { chunk } from '../../../shared/chunk.js';
import { machineToRow, rowToMachine, type MachineRow } from './knex-rows.js';
import { translated } from './storage-error.js';

const IDS_PER_QUERY = 500;
/** 20 columns a row: stays under SQLite's historical limit of 999 bound parameters. */
const ROWS_PER_INSERT = 50;

/** Machines in the `machines` table (SQLite or PostgreSQL); updates are optimistic on `version`. */
export class KnexMachineRepository implements MachineRepository {
  constructor(
    private readonly db: KnexDatabase,
    private readonly clock: Clock,
  ) {}

  addIfAbsent(machines: readonly Machine[]): Promise<Machine[]> {
    return translated('adding machines', async () => {
      const firstOfEach = new Map<string, Machine>();
      for (const machine of machines) if (!firstOfEach.has(machine.machineId)) firstOfEach.set(machine.machineId, machine);
      const unique = [...firstOfEach.keys()];
      for (const batch of chunk([...firstOfEach.values()], ROWS_PER_INSERT)) {
        const rows = batch.map((machine) => machineToRow({ ...machine, version: 0 }));
        await this.db<MachineRow>('machines').insert(rows).onConflict('machine_id').ignore();
      }
      const stored = new Map((await this.whereIn('machine_id', unique)).map((machine) => [machine.machineId, machine]));
      return unique.flatMap((id) => stored.get(id) ?? []);
    });
  }

  listByRequests(requestIds: readonly string[]): Promise<Machine[]> {
    return translated('listing machines of requests', () => this.whereIn('request_id', requestIds));
  }

  listByReturnRequests(returnRequestIds: readonly string[]): Promise<Machine[]> {
    return translated('listing machines of return requests', () => this.whereIn('return_request_id', returnRequestIds));
  }

  findByRefs(refs: readonly MachineRef[]): Promise<Machine[]> {
    return translated('finding machines', async () => {
      const ids = refs.flatMap((ref) => (ref.machineId ? [ref.machineId] : []));
      const names = refs.flatMap((ref) => (ref.name ? [ref.name] : []));
      const found = new Map<string, Machine>();
      for (const machine of [...(await this.whereIn('machine_id', ids)), ...(await this.whereIn('name', names))]) {
        found.set(machine.machineId, machine);
      }
      return [...found.values()];
    });
  }

  listLive(): Promise<Machine[]> {
    return translated('listing live machines', async () => {
      const rows = await this.db<MachineRow>('machines').whereRaw(`status <> 'terminated'`).orderBy('machine_id');
      return rows.map(rowToMachine);
    });
  }

  update(machine: Machine): Promise<Machine> {
    return translated(`updating machine ${machine.machineId}`, async () => {
      const next: Machine = { ...machine, version: machine.version + 1, updatedAt: this.clock.now() };
      const { machine_id: machineId, ...changes } = machineToRow(next);
      const updated = await this.db<MachineRow>('machines')
        .where({ machine_id: machineId, version: machine.version })
        .update(changes);
      if (updated === 1) return next;
      const stored = await this.db<MachineRow>('machines').where('machine_id', machineId).first('version');
      const why =
        stored === undefined
          ? 'is no longer in the store'
          : `was updated by another process (version ${Number(stored.version)}, not ${machine.version})`;
      throw new HostFactoryError('STORAGE_CONFLICT', `Machine ${machineId} ${why}`);
    });
  }

  remove(machineIds: readonly string[]): Promise<number> {
    return translated('removing machines', async () => {
      let removed = 0;
      for (const ids of chunk([...new Set(machineIds)], IDS_PER_QUERY)) {
        removed += await this.db<MachineRow>('machines').whereIn('machine_id', ids).delete();
      }
      return removed;
    });
  }

  private async whereIn(column: 'machine_id' | 'name' | 'request_id' | 'return_request_id', values: readonly string[]): Promise<Machine[]> {
    const found: Machine[] = [];
    for (const batch of chunk([...new Set(values)], IDS_PER_QUERY)) {
      const rows = await this.db<MachineRow>('machines').whereIn(column, batch).orderBy('machine_id');
      found.push(...rows.map(rowToMachine));
    }
    return found;
  }
}
