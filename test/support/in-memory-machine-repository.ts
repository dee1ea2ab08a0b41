import { HostFactoryError } from '../../src/domain/errors.js';
import { holdsCapacity, type Machine, type MachineRef } from '../../src/domain/machine.js';
import type { MachineRepository } from '../../src/domain/ports/machine-repository.js';
import { copy, type InMemoryStoreState } from './in-memory-store-state.js';

/** MachineRepository for unit tests, with the stores' semantics: versions, conflicts, copies. */
export class InMemoryMachineRepository implements MachineRepository {
  constructor(private readonly state: InMemoryStoreState) {}

  async addIfAbsent(machines: readonly Machine[]): Promise<Machine[]> {
    const ids: string[] = [];
    for (const machine of machines) {
      if (ids.includes(machine.machineId)) continue;
      ids.push(machine.machineId);
      if (!this.state.machines.has(machine.machineId)) {
        this.state.machines.set(machine.machineId, copy({ ...machine, version: 0 }));
      }
    }
    return ids.map((id) => copy(this.state.machines.get(id) as Machine));
  }

  async listByRequests(requestIds: readonly string[]): Promise<Machine[]> {
    const wanted = new Set(requestIds);
    return this.filter((machine) => wanted.has(machine.requestId));
  }

  async listByReturnRequests(returnRequestIds: readonly string[]): Promise<Machine[]> {
    const wanted = new Set(returnRequestIds);
    return this.filter((machine) => machine.returnRequestId !== undefined && wanted.has(machine.returnRequestId));
  }

  async findByRefs(refs: readonly MachineRef[]): Promise<Machine[]> {
    const ids = new Set(refs.flatMap((ref) => (ref.machineId ? [ref.machineId] : [])));
    const names = new Set(refs.flatMap((ref) => (ref.name ? [ref.name] : [])));
    return this.filter((machine) => ids.has(machine.machineId) || (machine.name !== '' && names.has(machine.name)));
  }

  async listLive(): Promise<Machine[]> {
    return this.filter(holdsCapacity);
  }

  async update(machine: Machine): Promise<Machine> {
    const stored = this.state.machines.get(machine.machineId);
    if (stored === undefined || stored.version !== machine.version) {
      const why =
        stored === undefined
          ? 'is no longer in the store'
          : `was updated by another process (version ${stored.version}, not ${machine.version})`;
      throw new HostFactoryError('STORAGE_CONFLICT', `Machine ${machine.machineId} ${why}`);
    }
    const next: Machine = { ...copy(machine), version: stored.version + 1, updatedAt: this.state.clock.now() };
    this.state.machines.set(machine.machineId, next);
    return copy(next);
  }

  async remove(machineIds: readonly string[]): Promise<number> {
    return new Set(machineIds.filter((machineId) => this.state.machines.delete(machineId))).size;
  }

  private filter(keep: (machine: Machine) => boolean): Machine[] {
    return [...this.state.machines.values()].filter(keep).map(copy);
  }
}
