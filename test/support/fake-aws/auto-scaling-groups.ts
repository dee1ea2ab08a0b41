import { randomUUID } from 'node:crypto';
import { activityXml, groupXml, PROCESSES, type FakeAutoScalingGroup, type FakeGroupTag, type FakeScalingActivity } from './asg-model.js';
import { reconcileGroup } from './asg-processes.js';
import type { FakeCloud } from './fake-cloud.js';
import { terminateAll, type CapacityOverride } from './fleet-capacity.js';
import { flagParam, iso, matchesTagFilter, memberList, members, numberParam, QueryError, queryFilters, structures, wrap } from './query-protocol.js';

export type { FakeAutoScalingGroup, FakeGroupTag, FakeScalingActivity, GroupMember } from './asg-model.js';

const DISTRIBUTION = 'MixedInstancesPolicy.InstancesDistribution';
const POLICY_TEMPLATE = 'MixedInstancesPolicy.LaunchTemplate';
/** AWS's message for ScalingActivityInProgress on DeleteAutoScalingGroup (hashicorp/terraform#1512, cloud-custodian#1689). */
const ACTIVITIES_IN_PROGRESS = 'You cannot delete an AutoScalingGroup while there are scaling activities in progress for that group.';

/**
 * Auto Scaling (awsQuery protocol, version 2011-01-01) on the same endpoint:
 * CreateAutoScalingGroup, DescribeAutoScalingGroups (names, tag filters), UpdateAutoScalingGroup,
 * TerminateInstanceInAutoScalingGroup, DeleteAutoScalingGroup, DescribeScalingActivities,
 * SuspendProcesses, ResumeProcesses, SetInstanceProtection and SetInstanceHealth. What a group does
 * between calls (health checks, replacing unhealthy members, launching, scaling in) is in
 * asg-processes.ts.
 *
 * Errors:
 * - DeleteAutoScalingGroup: "If the group has instances or scaling activities in progress, you must
 *   specify the option to force the deletion in order for it to succeed" (API Reference,
 *   "DeleteAutoScalingGroup", https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DeleteAutoScalingGroup.html).
 *   Without ForceDelete: instances in the group → `ResourceInUse`; only instances still terminating or a
 *   launch about to happen → `ScalingActivityInProgress` (HTTP 400, "The operation can't be performed
 *   because there are scaling activities in progress", same page's Errors). UpdateAutoScalingGroup
 *   lists ScalingActivityInProgress among its errors too but the docs never say when; the fake answers
 *   it only through `failNext`.
 * - UpdateAutoScalingGroup on a group being deleted: `ValidationError` "The AutoScaling group may not be
 *   modified while it is pending delete" (AWS's answer, kubernetes/kops#844; not in the docs).
 * - CreateAutoScalingGroup with the name of a group being deleted: `AlreadyExists` with AWS's
 *   pending-delete message (hashicorp/terraform#1105).
 * - A group created under a visibility lag is omitted by DescribeAutoScalingGroups and unknown to the
 *   other calls until the lag has passed (the Auto Scaling docs say nothing of eventual consistency;
 *   the fake applies the EC2 rule).
 */
export class FakeAutoScaling {
  readonly groups = new Map<string, FakeAutoScalingGroup>();

  constructor(private readonly cloud: FakeCloud) {
    cloud.onTick(() => this.reconcile());
  }

  answer(action: string, params: URLSearchParams): string | undefined {
    switch (action) {
      case 'CreateAutoScalingGroup':
        this.create(params);
        return '';
      case 'DescribeAutoScalingGroups':
        return this.describe(params);
      case 'UpdateAutoScalingGroup':
        this.update(params);
        return '';
      case 'TerminateInstanceInAutoScalingGroup':
        return this.terminateInstance(params);
      case 'DeleteAutoScalingGroup':
        this.delete(params);
        return '';
      case 'DescribeScalingActivities': {
        const group = this.get(params.get('AutoScalingGroupName'));
        const limit = numberParam(params, 'MaxRecords') ?? 100;
        return memberList('Activities', [...group.activities].reverse().slice(0, limit), (activity) => activityXml(group, activity));
      }
      case 'SuspendProcesses':
      case 'ResumeProcesses':
        this.suspendOrResume(this.get(params.get('AutoScalingGroupName')), members(params, 'ScalingProcesses'), action === 'SuspendProcesses');
        return '';
      case 'SetInstanceProtection': {
        const group = this.get(params.get('AutoScalingGroupName'));
        const ids = members(params, 'InstanceIds');
        const missing = ids.filter((id) => !group.members.has(id));
        if (missing.length > 0) throw new QueryError('ValidationError', `The instance ${missing[0]} is not part of Auto Scaling group ${group.name}.`);
        for (const id of ids) group.members.get(id)!.protectedFromScaleIn = flagParam(params, 'ProtectedFromScaleIn') ?? false;
        return '';
      }
      case 'SetInstanceHealth':
        this.markUnhealthy(params.get('InstanceId') ?? '', params.get('HealthStatus') === 'Healthy' ? 'Healthy' : 'Unhealthy');
        return '';
      default:
        return undefined;
    }
  }

  /** Sets a member's health as SetInstanceHealth does; throws a ValidationError when no group holds it. */
  markUnhealthy(instanceId: string, health: 'Healthy' | 'Unhealthy' = 'Unhealthy'): void {
    const group = [...this.groups.values()].find((entry) => entry.members.has(instanceId));
    if (!group) throw new QueryError('ValidationError', `Instance Id not found - No managed instance found for instance ID: ${instanceId}`);
    group.members.get(instanceId)!.health = health;
  }

  private get(name: string | null): FakeAutoScalingGroup {
    const group = this.groups.get(name ?? '');
    if (!group || !this.cloud.isVisible(group)) throw new QueryError('ValidationError', `AutoScalingGroup name not found - AutoScalingGroup '${name}' not found`);
    return group;
  }

  /**
   * SuspendProcesses / ResumeProcesses; no ScalingProcesses means all. SuspensionReason: the docs do
   * not give its text ("SuspendedProcess", API Reference); the fake writes "User suspended at <time>".
   */
  private suspendOrResume(group: FakeAutoScalingGroup, named: string[], suspend: boolean): void {
    const unknown = named.filter((name) => !PROCESSES.includes(name));
    if (unknown.length > 0) throw new QueryError('ValidationError', `Invalid processes: ${unknown.join(', ')}`);
    for (const name of named.length > 0 ? named : PROCESSES) {
      if (!suspend) group.suspended.delete(name);
      else if (!group.suspended.has(name)) group.suspended.set(name, `User suspended at ${iso(this.cloud.now())}`);
    }
  }

  private create(params: URLSearchParams): void {
    const name = params.get('AutoScalingGroupName') ?? '';
    const existing = this.groups.get(name);
    if (existing?.deleting) {
      throw new QueryError('AlreadyExists', `AutoScalingGroup by this name already exists - A group with the name ${name} already exists and is pending delete.  Please wait until Autoscaling completes the deletion process before creating another group with the same name.`);
    }
    if (existing) throw new QueryError('AlreadyExists', `AutoScalingGroup by this name already exists - A group with the name ${name} already exists`);
    const spec = params.has(`${POLICY_TEMPLATE}.LaunchTemplateSpecification.LaunchTemplateId`) ? `${POLICY_TEMPLATE}.LaunchTemplateSpecification` : 'LaunchTemplate';
    const launchTemplate = this.cloud.launchTemplates.get(params.get(`${spec}.LaunchTemplateId`) ?? '');
    if (!launchTemplate) throw new QueryError('ValidationError', `You must use a valid fully-formed launch template. The specified launch template does not exist.`);
    const vpcZoneIdentifier = params.get('VPCZoneIdentifier') ?? '';
    const subnets = vpcZoneIdentifier.split(',').filter(Boolean);
    const types = structures(params, `${POLICY_TEMPLATE}.Overrides.member`).map((base) => ({
      instanceType: params.get(`${base}.InstanceType`) ?? 'm5.large',
      weight: numberParam(params, `${base}.WeightedCapacity`) ?? 1,
    }));
    const overrides: CapacityOverride[] = types.flatMap((type, priority) =>
      (subnets.length > 0 ? subnets : [undefined]).map((subnetId) => ({ ...type, priority, subnetId })),
    );
    const tags: FakeGroupTag[] = structures(params, 'Tags.member').map((base) => ({
      key: params.get(`${base}.Key`) ?? '',
      value: params.get(`${base}.Value`) ?? '',
      propagateAtLaunch: params.get(`${base}.PropagateAtLaunch`) === 'true',
    }));
    const distribution: Record<string, string> = {};
    for (const [key, value] of params) if (key.startsWith(`${DISTRIBUTION}.`)) distribution[key.slice(DISTRIBUTION.length + 1)] = value;
    const group: FakeAutoScalingGroup = {
      id: name,
      name,
      arn: `arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:${randomUUID()}:autoScalingGroupName/${name}`,
      type: 'maintain',
      target: numberParam(params, 'DesiredCapacity') ?? numberParam(params, 'MinSize') ?? 0,
      onDemandTarget: 0,
      overrides,
      launchTemplate,
      launchTemplateVersion: params.get(`${spec}.Version`) ?? '$Default',
      instanceTags: {
        ...Object.fromEntries(tags.filter((tag) => tag.propagateAtLaunch).map((tag) => [tag.key, tag.value])),
        'aws:autoscaling:groupName': name,
      },
      launching: true,
      filledOnce: false,
      history: [],
      minSize: numberParam(params, 'MinSize') ?? 0,
      maxSize: numberParam(params, 'MaxSize') ?? 0,
      desiredCapacityType: params.get('DesiredCapacityType') ?? undefined,
      vpcZoneIdentifier,
      newInstancesProtectedFromScaleIn: flagParam(params, 'NewInstancesProtectedFromScaleIn') ?? false,
      onDemandBase: Number(distribution.OnDemandBaseCapacity ?? 0),
      onDemandPercentAboveBase: Number(distribution.OnDemandPercentageAboveBaseCapacity ?? 100),
      distribution,
      tags,
      deleting: false,
      createdTime: this.cloud.now(),
      activities: [],
      members: new Map(),
      suspended: new Map(),
      visibleAt: this.cloud.visibleAtForNew(),
    };
    if (group.target < group.minSize || group.target > group.maxSize) {
      throw new QueryError('ValidationError', `Desired capacity:${group.target} must be between the specified min size:${group.minSize} and max size:${group.maxSize}`);
    }
    this.setDesired(group, group.target);
    this.groups.set(name, group);
  }

  private setDesired(group: FakeAutoScalingGroup, desired: number): void {
    group.target = desired;
    const above = Math.max(0, desired - group.onDemandBase);
    group.onDemandTarget = Math.min(desired, group.onDemandBase) + Math.ceil((above * group.onDemandPercentAboveBase) / 100);
  }

  private describe(params: URLSearchParams): string {
    const names = members(params, 'AutoScalingGroupNames');
    let found = [...this.groups.values()].filter((group) => (names.length === 0 || names.includes(group.name)) && this.cloud.isVisible(group));
    for (const [name, values] of queryFilters(params)) {
      found = found.filter((group) => matchesTagFilter(name, values, Object.fromEntries(group.tags.map((tag) => [tag.key, tag.value]))));
    }
    return memberList('AutoScalingGroups', found, (group) => groupXml(this.cloud, group));
  }

  private update(params: URLSearchParams): void {
    const group = this.get(params.get('AutoScalingGroupName'));
    if (group.deleting) throw new QueryError('ValidationError', 'The AutoScaling group may not be modified while it is pending delete');
    const minSize = numberParam(params, 'MinSize') ?? group.minSize;
    const maxSize = numberParam(params, 'MaxSize') ?? group.maxSize;
    const desired = numberParam(params, 'DesiredCapacity') ?? Math.min(Math.max(group.target, minSize), maxSize);
    if (desired < minSize || desired > maxSize) throw new QueryError('ValidationError', `Desired capacity:${desired} must be between the specified min size:${minSize} and max size:${maxSize}`);
    Object.assign(group, { minSize, maxSize });
    const protectNew = flagParam(params, 'NewInstancesProtectedFromScaleIn');
    if (protectNew !== undefined) group.newInstancesProtectedFromScaleIn = protectNew;
    this.setDesired(group, desired);
  }

  private terminateInstance(params: URLSearchParams): string {
    const id = params.get('InstanceId') ?? '';
    const instance = this.cloud.instances.get(id);
    const group = [...this.groups.values()].find((entry) => entry.members.has(id) && this.cloud.isVisible(entry));
    if (!instance || !group || !this.cloud.isVisible(instance) || this.cloud.refresh(instance).state === 'terminated') {
      throw new QueryError('ValidationError', `Instance Id not found - No managed instance found for instance ID: ${id}`);
    }
    const decrement = flagParam(params, 'ShouldDecrementDesiredCapacity') ?? false;
    const member = group.members.get(id)!;
    if (!member.leaving && instance.state !== 'shutting-down') {
      if (decrement) {
        if (group.target - instance.weight < group.minSize) {
          throw new QueryError('ValidationError', `Currently, desiredSize equals minSize (${group.minSize}). Terminating instance without replacement will violate group's min size constraint.`);
        }
        this.setDesired(group, group.target - instance.weight);
      }
      this.cloud.terminate(instance);
    }
    member.leaving = true;
    const activity = this.record(group, `Terminating EC2 instance: ${id}`, `an instance was taken out of service in response to a user request${decrement ? ', shrinking the capacity' : ''}`);
    return wrap('Activity', activityXml(group, activity));
  }

  private delete(params: URLSearchParams): void {
    const group = this.get(params.get('AutoScalingGroupName'));
    if (group.deleting) throw new QueryError('ScalingActivityInProgress', 'An AutoScalingGroup deletion is already in progress');
    const force = flagParam(params, 'ForceDelete') ?? false;
    if (!force) {
      const present = [...group.members.values()].some((member) => !member.leaving);
      if (present) throw new QueryError('ResourceInUse', 'You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.');
      const launching = group.target > 0 && !group.suspended.has('Launch');
      if (group.members.size > 0 || launching) throw new QueryError('ScalingActivityInProgress', ACTIVITIES_IN_PROGRESS);
    }
    group.launching = false;
    group.deleting = true;
    this.setDesired(group, 0);
    for (const [id, member] of group.members) {
      this.cloud.terminate(this.cloud.instances.get(id)!);
      member.leaving = true;
    }
    terminateAll(this.cloud, group.name);
    this.dropWhenEmpty(group);
  }

  private dropWhenEmpty(group: FakeAutoScalingGroup): void {
    for (const [id] of group.members) if (this.cloud.refresh(this.cloud.instances.get(id)!).state === 'terminated') group.members.delete(id);
    if (group.members.size === 0) this.groups.delete(group.name);
  }

  private record(group: FakeAutoScalingGroup, description: string, cause: string, failed?: string, details?: string): FakeScalingActivity {
    const activity: FakeScalingActivity = {
      activityId: randomUUID(),
      description,
      cause: `At ${iso(this.cloud.now())} ${cause}.`.replace(/\.\.$/, '.'),
      startTime: this.cloud.now(),
      statusCode: failed ? 'Failed' : 'Successful',
      statusMessage: failed,
      details,
    };
    group.activities.push(activity);
    return activity;
  }

  private reconcile(): void {
    for (const group of [...this.groups.values()]) {
      if (group.deleting) this.dropWhenEmpty(group);
      else reconcileGroup(this.cloud, group, (target, description, cause, failed, details) => void this.record(target, description, cause, failed, details));
    }
  }
}
