import type { Machine } from '../../../domain/machine.js';
import { unitsOf } from '../../../domain/template.js';
import type { FleetGateway, FleetInstance, FleetView } from '../ec2/fleet-gateway.js';
import type { AwsProviderData } from '../provider-data.js';
import {
  createdLaunchTemplates,
  isSettled,
  type AwsContext,
  type ObservedRequest,
  type ReleaseGroup,
  type ReleaseOutcome,
} from './api-handler.js';
import { requestUnitsOf, sameTarget, targetWithout } from './fleet-target.js';
import { ReleaseFailures, terminateMachines } from './instance-release.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** How long a return waits for a fleet to leave `modifying` (it shows the old target until then). */
const MODIFYING_WAIT_MS = 10_000;

/**
 * Gives back hosts of EC2 Fleets and Spot Fleets so that nothing replaces them: a maintain fleet's
 * target drops with the hosts leaving (under a store lease, so two returns never read the same
 * target), a request fleet is deleted once empty, and an instance of the fleet that the store does
 * not know (a replacement launched behind HostFactory's back) is terminated and logged.
 */
export class FleetReleaser {
  constructor(
    private readonly context: AwsContext,
    private readonly gateway: FleetGateway,
  ) {}

  async release(groups: readonly ReleaseGroup[], idOf: (data: AwsProviderData) => string | undefined): Promise<ReleaseOutcome> {
    const byFleet = new Map<string, ReleaseGroup[]>();
    const direct: Machine[] = [];
    for (const group of groups) {
      const id = group.data.fleetType === 'instant' ? undefined : idOf(group.data);
      if (id) byFleet.set(id, [...(byFleet.get(id) ?? []), group]);
      else direct.push(...group.machines);
    }
    const failures = new ReleaseFailures();
    try {
      failures.add(await terminateMachines(this.context, direct));
    } catch (error) {
      failures.addError([{ machines: direct }], error);
    }
    for (const [id, list] of byFleet) {
      try {
        failures.add(await this.context.lease.withLease(`${this.gateway.kind}:${id}`, () => this.releaseFrom(id, list, true)));
      } catch (error) {
        failures.addError(list, error);
      }
    }
    return { freedLaunchTemplates: createdLaunchTemplates(groups), failed: failures.failed, errors: failures.errors };
  }

  /** Maintain fleets of hosts the cloud is taking back lower their target so they replace none of them. */
  async stopReplacing(groups: readonly ReleaseGroup[], idOf: (data: AwsProviderData) => string | undefined): Promise<void> {
    const byFleet = new Map<string, ReleaseGroup[]>();
    for (const group of groups) {
      const id = group.data.fleetType === 'maintain' ? idOf(group.data) : undefined;
      if (id) byFleet.set(id, [...(byFleet.get(id) ?? []), group]);
    }
    for (const [id, list] of byFleet) {
      await this.context.lease.withLease(`${this.gateway.kind}:${id}`, () => this.releaseFrom(id, list, false));
    }
  }

  /** A fleet that ended short stops launching: a maintain fleet keeps what runs, a request fleet is cancelled keeping its hosts. */
  async stopGrowing(fleet: FleetView, listed: readonly FleetInstance[], request: ObservedRequest): Promise<void> {
    if (listed.length === 0) {
      await this.gateway.remove([fleet.id], true);
      this.context.logger.info({ resourceId: fleet.id, requestId: request.request.requestId }, 'fleet ended short with no host: deleted');
      return;
    }
    if (fleet.type !== 'maintain') {
      await this.gateway.remove([fleet.id], false);
      return;
    }
    await this.context.lease.withLease(`${this.gateway.kind}:${fleet.id}`, async () => {
      const runs = listed.reduce((sum, instance) => sum + unitsOf(request.template, instance.instanceType), 0);
      await this.gateway.setTarget(fleet.id, Math.min(fleet.total, runs), Math.min(fleet.onDemand, runs));
    });
  }

  /**
   * Under the fleet's lease: lowers a maintain fleet's target by the machines leaving, terminates
   * untracked instances of a settled request, and (when `terminate`) the leaving machines; a request
   * fleet left with nothing is deleted. Returns the machines that could not be terminated.
   */
  private async releaseFrom(id: string, groups: readonly ReleaseGroup[], terminate: boolean): Promise<Record<string, string>> {
    const leaving = groups.flatMap((group) => group.machines);
    const fleet = await this.settledView(id);
    if (!fleet || fleet.ended) return terminate ? terminateMachines(this.context, leaving) : {};
    const active = await this.gateway.instances(id);
    const tracked = new Map(groups.flatMap((group) => [...group.tracked, ...group.machines]).filter((machine) => machine.status !== 'terminated').map((machine) => [machine.machineId, machine]));
    const settled = groups.every(isSettled);
    const untracked = settled ? active.filter((instance) => !tracked.has(instance.instanceId)).map((instance) => instance.instanceId) : [];
    const trackedActive = active.flatMap((instance) => tracked.get(instance.instanceId) ?? []);
    const leavingIds = new Set(leaving.map((machine) => machine.machineId));
    const target = targetWithout(fleet, trackedActive, leavingIds, settled, requestUnitsOf(groups, fleet.onDemand));
    if (fleet.type === 'maintain' && target.total === 0 && terminate) {
      const failed = await terminateMachines(this.context, leaving);
      await this.gateway.remove([id], true);
      this.logUntracked(id, untracked);
      return failed;
    }
    if (fleet.type === 'maintain' && !sameTarget(fleet, target)) {
      await this.gateway.setTarget(id, target.total, target.onDemand);
      this.context.logger.info({ resourceId: id, from: fleet.total, to: target.total, onDemand: target.onDemand, leaving: [...leavingIds] }, 'fleet target lowered');
    }
    if (untracked.length > 0) {
      await this.context.gateway.instances.terminate(untracked);
      this.logUntracked(id, untracked);
    }
    if (!terminate) return {};
    const failed = await terminateMachines(this.context, leaving);
    const left = active.filter((instance) => !leavingIds.has(instance.instanceId) && !untracked.includes(instance.instanceId));
    if (fleet.type === 'request' && left.length === 0) await this.gateway.remove([id], true);
    return failed;
  }

  private logUntracked(id: string, instanceIds: readonly string[]): void {
    for (const instanceId of instanceIds) {
      this.context.logger.warn({ resourceId: id, instanceId, reason: 'instance of our fleet that the store does not know (a replacement)' }, 'untracked instance terminated');
    }
  }

  /** The fleet once it has left `modifying` (re-read; a modifying fleet still shows its old target). */
  private async settledView(id: string): Promise<FleetView | undefined> {
    const interval = Math.max(250, this.context.config.describeRequestIntervalMs);
    for (let waited = 0; ; waited += interval) {
      const fleet = (await this.gateway.describe([id])).get(id);
      if (!fleet?.modifying) return fleet;
      if (waited >= MODIFYING_WAIT_MS) throw new Error(`${this.gateway.kind} ${id} is still modifying; retried on the next poll`);
      await sleep(interval);
    }
  }
}

