import { inject, injectable } from 'inversify';
import { applyObservation, machineChanged, newMachine, type CloudMachine, type Machine } from '../domain/machine.js';
import { Clock } from '../domain/ports/clock.js';
import { MachineRepository } from '../domain/ports/machine-repository.js';
import type { Request } from '../domain/request.js';
import { changeMachine } from './optimistic-change.js';

/** Writes what the cloud reported into the store without undoing another process's newer write. */
@injectable()
export class MachineRecorder {
  constructor(
    @inject(MachineRepository) private readonly machines: MachineRepository,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  /** Records new and changed machines of an acquire request; returns all of them as stored. */
  async record(
    request: Request,
    stored: readonly Machine[],
    seen: readonly CloudMachine[],
    failed: Record<string, string> = {},
  ): Promise<Machine[]> {
    const withFailures = seen.map((machine) =>
      failed[machine.machineId] ? { ...machine, failureMessage: failed[machine.machineId] } : machine,
    );
    const known = new Set(stored.map((machine) => machine.machineId));
    const fresh = withFailures.filter((machine) => !known.has(machine.machineId));
    const now = this.clock.now();
    const added =
      fresh.length > 0
        ? await this.machines.addIfAbsent(fresh.map((m) => newMachine(request.requestId, request.templateId ?? '', m, now)))
        : [];
    return this.observe([...stored, ...added], withFailures);
  }

  /** Applies observations to stored machines; machines the cloud did not mention stay as stored. */
  async observe(stored: readonly Machine[], seen: readonly CloudMachine[]): Promise<Machine[]> {
    const byId = new Map(seen.map((machine) => [machine.machineId, machine]));
    return Promise.all(
      stored.map(async (machine) => {
        const observation = byId.get(machine.machineId);
        if (!observation) return machine;
        const next = applyObservation(machine, observation);
        if (!machineChanged(machine, next)) return machine;
        return this.saveObservation(machine, observation);
      }),
    );
  }

  private saveObservation(machine: Machine, observation: CloudMachine): Promise<Machine> {
    return changeMachine(this.machines, machine, (current) => {
      const next = applyObservation(current, observation);
      return machineChanged(current, next) ? { ...next, updatedAt: this.clock.now() } : undefined;
    });
  }
}
