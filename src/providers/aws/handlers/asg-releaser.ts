import type { AutoScalingGroup, Instance as GroupMember } from '@aws-sdk/client-auto-scaling';
import type { Machine } from '../../../domain/machine.js';
import { awsReason, isNotFound, isScalingActivityInProgress } from '../ec2/aws-errors.js';
import { createdLaunchTemplates, isSettled, unitsOfMachines, type AwsContext, type ReleaseGroup, type ReleaseOutcome } from './api-handler.js';
import { requestUnitsOf, targetWithout } from './fleet-target.js';
import { ReleaseFailures, terminateMachines } from './instance-release.js';

const LEAVING = /^(Terminating|Terminated|Detaching|Detached|Standby)/;

/** Members that are or will be in service (not leaving the group). */
export function liveMembers(group: AutoScalingGroup): GroupMember[] {
  return (group.Instances ?? []).filter((member) => member.InstanceId && !LEAVING.test(member.LifecycleState ?? ''));
}

export function unitsOfMembers(members: readonly GroupMember[]): number {
  return members.reduce((sum, member) => sum + Number(member.WeightedCapacity ?? 1), 0);
}

/**
 * Gives back hosts of Auto Scaling groups so the group replaces none of them, under a store lease
 * per group: members leave with TerminateInstanceInAutoScalingGroup (decrementing the desired
 * capacity), hosts no longer in the group are terminated through EC2 and the desired capacity is
 * lowered for them, members the store does not know are terminated and logged, and a group left
 * with no member is deleted.
 */
export class AsgReleaser {
  constructor(private readonly context: AwsContext) {}

  async release(groups: readonly ReleaseGroup[]): Promise<ReleaseOutcome> {
    const failures = new ReleaseFailures();
    for (const [name, list] of byGroup(groups)) {
      try {
        failures.add(await this.context.lease.withLease(`asg:${name}`, () => this.releaseFrom(name, list, true)));
      } catch (error) {
        failures.addError(list, error);
      }
    }
    return { freedLaunchTemplates: createdLaunchTemplates(groups), failed: failures.failed, errors: failures.errors };
  }

  /** Lowers the desired capacity of the groups of hosts the cloud is taking back. */
  async stopReplacing(groups: readonly ReleaseGroup[]): Promise<void> {
    for (const [name, list] of byGroup(groups)) await this.context.lease.withLease(`asg:${name}`, () => this.releaseFrom(name, list, false));
  }

  /** A group given up on launches nothing more: desired capacity = what runs; deleted when nothing runs. */
  async stopGrowing(group: AutoScalingGroup, units: number, requestId: string): Promise<void> {
    const name = group.AutoScalingGroupName!;
    if (liveMembers(group).length === 0) {
      await this.context.gateway.groups.delete(name);
      this.context.logger.info({ resourceId: name, requestId }, 'Auto Scaling group ended short with no host: deleted');
      return;
    }
    await this.context.gateway.groups.update({ AutoScalingGroupName: name, DesiredCapacity: units, MinSize: 0, MaxSize: Math.max(units, 0) });
  }

  private async releaseFrom(name: string, list: readonly ReleaseGroup[], terminate: boolean): Promise<Record<string, string>> {
    const leaving = list.flatMap((group) => group.machines);
    const group = (await this.context.gateway.groups.describe([name])).get(name);
    if (!group) return terminate ? terminateMachines(this.context, leaving) : {};
    const members = liveMembers(group);
    const memberIds = new Set(members.map((member) => member.InstanceId!));
    const tracked = new Set(list.flatMap((entry) => [...entry.tracked, ...entry.machines]).map((machine) => machine.machineId));
    const untracked = list.every(isSettled) ? members.filter((member) => !tracked.has(member.InstanceId!)).map((member) => member.InstanceId!) : [];
    const failed: Record<string, string> = {};
    const outside: Machine[] = [];
    let desired = group.DesiredCapacity ?? 0;
    const leave = async (instanceId: string, units: number) => {
      await this.context.gateway.groups.terminateInstance(instanceId, true);
      desired -= units;
    };
    for (const machine of terminate ? leaving : []) {
      if (!memberIds.has(machine.machineId)) {
        outside.push(machine);
        continue;
      }
      try {
        await leave(machine.machineId, machine.weight || 1);
      } catch (error) {
        if (isNotFound(error)) outside.push(machine);
        else failed[machine.machineId] = awsReason(error);
      }
    }
    for (const instanceId of untracked) {
      await leave(instanceId, Number(members.find((member) => member.InstanceId === instanceId)?.WeightedCapacity ?? 1));
      this.context.logger.warn({ resourceId: name, instanceId, reason: 'member of our group that the store does not know (a replacement)' }, 'untracked instance terminated');
    }
    Object.assign(failed, await terminateMachines(this.context, outside));
    const gone = new Set([...leaving.map((machine) => machine.machineId).filter((id) => !failed[id]), ...untracked]);
    const kept = members.filter((member) => !gone.has(member.InstanceId!));
    if (kept.length === 0 && terminate) {
      await this.deleteGroup(name);
      return failed;
    }
    // Settled: the desired capacity is what the tracked members left run. Still filling: what the
    // request asked for less every host of it returned or leaving (see targetWithout).
    const keptUnits = unitsOfMachines(list.flatMap((entry) => entry.tracked).filter((machine) => kept.some((member) => member.InstanceId === machine.machineId)));
    const target = list.every(isSettled)
      ? keptUnits
      : targetWithout({ total: desired, onDemand: 0 }, [], new Set(leaving.map((machine) => machine.machineId)), false, requestUnitsOf(list, 0)).total;
    if (target < desired) await this.lowerDesired(name, Math.max(0, target));
    return failed;
  }

  private async lowerDesired(name: string, units: number): Promise<void> {
    try {
      await this.context.gateway.groups.update({ AutoScalingGroupName: name, DesiredCapacity: units, MinSize: 0 });
      this.context.logger.info({ resourceId: name, desiredCapacity: units }, 'group desired capacity lowered');
    } catch (error) {
      if (!isScalingActivityInProgress(error)) throw error;
      this.context.logger.warn({ resourceId: name, error: awsReason(error) }, 'desired capacity not lowered yet: a scaling activity is in progress; retried next time');
    }
  }

  private async deleteGroup(name: string): Promise<void> {
    try {
      await this.context.gateway.groups.delete(name);
    } catch (error) {
      if (!isNotFound(error) && !isScalingActivityInProgress(error)) throw error;
    }
  }
}

function byGroup(groups: readonly ReleaseGroup[]): Map<string, ReleaseGroup[]> {
  const named = new Map<string, ReleaseGroup[]>();
  for (const group of groups) {
    const name = group.data.asgName ?? '';
    named.set(name, [...(named.get(name) ?? []), group]);
  }
  return named;
}
