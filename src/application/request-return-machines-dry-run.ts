import { inject, injectable } from 'inversify';
import { HostFactoryError } from '../domain/errors.js';
import { refersTo, type Machine, type MachineRef } from '../domain/machine.js';
import { MachineRepository } from '../domain/ports/machine-repository.js';

/** Machines of one owner (request and the fleet, group or reservation holding them) that one release call gives back. */
export interface PlannedRelease {
  requestId: string;
  resourceId?: string;
  machines: Array<Pick<Machine, 'machineId' | 'name' | 'status'>>;
}

export interface ReturnPlan {
  releases: PlannedRelease[];
  /** Machines the return would leave alone, with why. */
  skipped: Array<{ machineId: string; name: string; reason: string }>;
  /** Refs the store does not know: the return would look them up in the cloud. */
  unknown: MachineRef[];
}

/**
 * `machines return --dry-run`: which machines a return would release, grouped as the provider
 * releases them (by owner), and which it would leave; nothing is claimed, recorded or released.
 */
@injectable()
export class RequestReturnMachinesDryRun {
  constructor(@inject(MachineRepository) private readonly machines: MachineRepository) {}

  async execute(refs: readonly MachineRef[]): Promise<ReturnPlan> {
    const usable = refs.filter((ref) => ref.machineId || ref.name);
    if (usable.length === 0) throw new HostFactoryError('INVALID_INPUT', 'no machines given: each needs a name or a machineId');
    const known = await this.machines.findByRefs(usable);
    const groups = new Map<string, PlannedRelease>();
    const skipped: ReturnPlan['skipped'] = [];
    for (const machine of known) {
      if (machine.returnRequestId) skipped.push({ machineId: machine.machineId, name: machine.name, reason: `already returned by ${machine.returnRequestId}` });
      else if (machine.status === 'terminated') skipped.push({ machineId: machine.machineId, name: machine.name, reason: 'already terminated' });
      else {
        const key = `${machine.requestId}|${machine.resourceId ?? ''}`;
        const group = groups.get(key) ?? { requestId: machine.requestId, ...(machine.resourceId ? { resourceId: machine.resourceId } : {}), machines: [] };
        group.machines.push({ machineId: machine.machineId, name: machine.name, status: machine.status });
        groups.set(key, group);
      }
    }
    const unknown = usable.filter((ref) => !known.some((machine) => refersTo(ref, machine)));
    return { releases: [...groups.values()], skipped, unknown };
  }
}
