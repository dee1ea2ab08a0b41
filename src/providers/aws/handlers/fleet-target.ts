import type { Machine } from '../../../domain/machine.js';
import type { FleetView } from '../ec2/fleet-gateway.js';
import { unitsOfMachines, type ReleaseGroup } from './api-handler.js';

export interface FleetTarget {
  total: number;
  onDemand: number;
}

/** What a fleet or group was asked for, and every machine the store holds for its request. */
export interface RequestUnits {
  units: number;
  onDemandUnits: number;
  tracked: readonly Machine[];
}

const onDemandOf = (machines: readonly Machine[]) => machines.filter((machine) => machine.priceType === 'ondemand');

/**
 * The target a maintain fleet (or the desired capacity a group) should have once `leaving`
 * machines are gone, so that it replaces none of them. Computed from facts, never decremented, so
 * asking again for the same machines changes nothing:
 * - settled request (HostFactory has its answer): the units of the tracked machines it still runs
 *   and keeps, never above the current target;
 * - still filling: what the request asked for, less every machine of it that was returned or is
 *   leaving, never above the current target.
 * Per market: the on-demand target drops by the on-demand units gone, the total by all.
 */
export function targetWithout(fleet: FleetTarget, trackedActive: readonly Machine[], leaving: ReadonlySet<string>, settled: boolean, request: RequestUnits): FleetTarget {
  if (settled) {
    const kept = trackedActive.filter((machine) => !leaving.has(machine.machineId));
    const total = Math.min(fleet.total, unitsOfMachines(kept));
    return { total: Math.floor(total), onDemand: Math.floor(Math.min(fleet.onDemand, unitsOfMachines(onDemandOf(kept)), total)) };
  }
  const gone = request.tracked.filter((machine) => machine.returnRequestId !== undefined || leaving.has(machine.machineId));
  const total = Math.max(0, Math.min(fleet.total, request.units - unitsOfMachines(gone)));
  const onDemand = Math.max(0, Math.min(fleet.onDemand, request.onDemandUnits - unitsOfMachines(onDemandOf(gone)), total));
  return { total: Math.floor(total), onDemand: Math.floor(onDemand) };
}

export function sameTarget(fleet: FleetView, target: FleetTarget): boolean {
  return fleet.total === target.total && fleet.onDemand === target.onDemand;
}

/** What the groups' request asked for, and every machine the store holds for it (released ones included). */
export function requestUnitsOf(groups: readonly ReleaseGroup[], onDemandFallback: number): RequestUnits {
  const [first] = groups;
  const tracked = new Map(groups.flatMap((group) => [...group.tracked, ...group.machines]).map((machine) => [machine.machineId, machine]));
  return {
    units: first?.data.units ?? first?.owner.machineCount ?? 0,
    onDemandUnits: first?.data.onDemandUnits ?? onDemandFallback,
    tracked: [...tracked.values()],
  };
}
