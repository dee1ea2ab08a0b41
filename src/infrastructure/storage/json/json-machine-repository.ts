import { HostFactoryError } from '../../../domain/errors.js';
import { holdsCapacity, type Machine, type MachineRef } from '../../../domain/machine.js';
import type { Clock } from '../../../domain/ports/clock.js';
import type { MachineRepository } from '../../../domain/ports/machine-repository.js';
import type { JsonStoreFile } from './json-store-file.js';

/** Machines in the JSON store file; reads parse the whole file (see JsonRequestRepository). */
export class JsonMachineRepository implements MachineRepository {
  constructor(
    private readonly store: JsonStoreFile,
    private readonly clock: Clock,
  ) {}

  async addIfAbsent(machines: readonly Machine[]): Promise<Machine[]> {
    if (machines.length === 0) return [];
    return this.store.mutate((document) => {
      const stored = new Map<string, Machine>();
      for (const machine of machines) {
        if (stored.has(machine.machineId)) continue;
        if (!Object.hasOwn(document.machines, machine.machineId)) {
          document.machines[machine.machineId] = { ...machine, version: 0 };
        }
        stored.set(machine.machineId, document.machines[machine.machineId]);
      }
      return [...stored.values()];
    });
  }

  async listByRequests(requestIds: readonly string[]): Promise<Machine[]> {
    const wanted = new Set(requestIds);
    if (wanted.size === 0) return [];
    return this.filter((machine) => wanted.has(machine.requestId));
  }

  async listByReturnRequests(returnRequestIds: readonly string[]): Promise<Machine[]> {
    const wanted = new Set(returnRequestIds);
    if (wanted.size === 0) return [];
    return this.filter((machine) => machine.returnRequestId !== undefined && wanted.has(machine.returnRequestId));
  }

  async findByRefs(refs: readonly MachineRef[]): Promise<Machine[]> {
    const ids = new Set(refs.flatMap((ref) => (ref.machineId ? [ref.machineId] : [])));
    const names = new Set(refs.flatMap((ref) => (ref.name ? [ref.name] : [])));
    if (ids.size === 0 && names.size === 0) return [];
    return this.filter((machine) => ids.has(machine.machineId) || (machine.name !== '' && names.has(machine.name)));
  }

  async listLive(): Promise<Machine[]> {
    return this.filter(holdsCapacity);
  }

  async update(machine: Machine): Promise<Machine> {
    return this.store.mutate((document) => {
      if (!Object.hasOwn(document.machines, machine.machineId)) {
        throw new HostFactoryError('STORAGE_CONFLICT', `Machine ${machine.machineId} is no longer in the store`);
      }
      const stored = document.machines[machine.machineId];
      if (stored.version !== machine.version) {
        throw new HostFactoryError(
          'STORAGE_CONFLICT',
          `Machine ${machine.machineId} was updated by another process (version ${stored.version}, not ${machine.version})`,
        );
      }
      const next: Machine = { ...machine, version: stored.version + 1, updatedAt: this.clock.now() };
      document.machines[machine.machineId] = next;
      return next;
    });
  }

  async remove(machineIds: readonly string[]): Promise<number> {
    return this.store.mutate((document) => {
      const removed = new Set(machineIds.filter((machineId) => Object.hasOwn(document.machines, machineId)));
      for (const machineId of removed) delete document.machines[machineId];
      return removed.size;
    });
  }

  private async filter(keep: (machine: Machine) => boolean): Promise<Machine[]> {
    const document = await this.store.read();
    return Object.values(document.machines).filter(keep);
  }
}
