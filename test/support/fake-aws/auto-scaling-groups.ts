import { randomUUID } from 'node:crypto';
import type { FakeCloud, FakeInstance } from './fake-cloud.js';
import { hasUnfinished, reconcileCapacity, terminateAll, type CapacityOverride, type CapacityOwner } from './fleet-capacity.js';
import { element, flagParam, iso, matchesTagFilter, memberList, members, numberParam, QueryError, queryFilters, structures, wrap } from './query-protocol.js';

export interface FakeGroupTag {
  key: string;
  value: string;
  propagateAtLaunch: boolean;
}

export interface FakeScalingActivity {
  activityId: string;
  description: string;
  cause: string;
  startTime: number;
  statusCode: 'Successful' | 'Failed' | 'InProgress';
  statusMessage?: string;
}

export interface FakeAutoScalingGroup extends CapacityOwner {
  name: string;
  arn: string;
  minSize: number;
  maxSize: number;
  desiredCapacityType?: string;
  vpcZoneIdentifier: string;
  newInstancesProtectedFromScaleIn: boolean;
  launchTemplateVersion: string;
  onDemandBase: number;
  onDemandPercentAboveBase: number;
  distribution: Record<string, string>;
  tags: FakeGroupTag[];
  /** Set by DeleteAutoScalingGroup with ForceDelete: the group goes once its instances are gone. */
  deleting: boolean;
  createdTime: number;
  activities: FakeScalingActivity[];
}

const LIFECYCLE: Record<FakeInstance['state'], string> = { pending: 'Pending', running: 'InService', 'shutting-down': 'Terminating', terminated: 'Terminated' };
const DISTRIBUTION = 'MixedInstancesPolicy.InstancesDistribution';
const POLICY_TEMPLATE = 'MixedInstancesPolicy.LaunchTemplate';

/**
 * Auto Scaling (awsQuery protocol, version 2011-01-01) on the same endpoint:
 * CreateAutoScalingGroup, DescribeAutoScalingGroups (names, tag filters), UpdateAutoScalingGroup,
 * TerminateInstanceInAutoScalingGroup, DeleteAutoScalingGroup and DescribeScalingActivities.
 * Groups keep their desired capacity (in units with weights) by launching on the tick after they
 * are created and by replacing lost instances after the replacement delay.
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
      default:
        return undefined;
    }
  }

  private get(name: string | null): FakeAutoScalingGroup {
    const group = this.groups.get(name ?? '');
    if (!group) throw new QueryError('ValidationError', `AutoScalingGroup name not found - AutoScalingGroup '${name}' not found`);
    return group;
  }

  private create(params: URLSearchParams): void {
    const name = params.get('AutoScalingGroupName') ?? '';
    if (this.groups.has(name)) throw new QueryError('AlreadyExists', `AutoScalingGroup by this name already exists - A group with the name ${name} already exists`);
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
    let found = [...this.groups.values()].filter((group) => names.length === 0 || names.includes(group.name));
    for (const [name, values] of queryFilters(params)) {
      found = found.filter((group) => matchesTagFilter(name, values, Object.fromEntries(group.tags.map((tag) => [tag.key, tag.value]))));
    }
    return memberList('AutoScalingGroups', found, (group) => this.groupXml(group));
  }

  private groupXml(group: FakeAutoScalingGroup): string {
    const spec = wrap('LaunchTemplateSpecification', element('LaunchTemplateId', group.launchTemplate?.id) + element('LaunchTemplateName', group.launchTemplate?.name) + element('Version', group.launchTemplateVersion));
    const types = [...new Map(group.overrides.map((entry) => [entry.instanceType, entry.weight])).entries()];
    const policy = wrap(
      'MixedInstancesPolicy',
      wrap('LaunchTemplate', spec + memberList('Overrides', types, ([type, weight]) => element('InstanceType', type) + element('WeightedCapacity', weight))) +
        wrap('InstancesDistribution', Object.entries(group.distribution).map(([key, value]) => element(key, value)).join('')),
    );
    const instances = this.cloud.instancesOf(group.name).filter((instance) => instance.state !== 'terminated');
    return (
      element('AutoScalingGroupName', group.name) +
      element('AutoScalingGroupARN', group.arn) +
      policy +
      element('MinSize', group.minSize) +
      element('MaxSize', group.maxSize) +
      element('DesiredCapacity', group.target) +
      element('DesiredCapacityType', group.desiredCapacityType) +
      element('DefaultCooldown', 300) +
      memberList('AvailabilityZones', ['us-east-1a'], (zone) => zone) +
      element('HealthCheckType', 'EC2') +
      element('CreatedTime', iso(group.createdTime)) +
      memberList('Instances', instances, (instance) =>
        element('InstanceId', instance.instanceId) +
          element('InstanceType', instance.instanceType) +
          element('AvailabilityZone', 'us-east-1a') +
          element('LifecycleState', LIFECYCLE[instance.state]) +
          element('HealthStatus', 'Healthy') +
          spec +
          element('ProtectedFromScaleIn', group.newInstancesProtectedFromScaleIn) +
          element('WeightedCapacity', instance.weight),
      ) +
      memberList('Tags', group.tags, (tag) =>
        element('ResourceId', group.name) + element('ResourceType', 'auto-scaling-group') + element('Key', tag.key) + element('Value', tag.value) + element('PropagateAtLaunch', tag.propagateAtLaunch),
      ) +
      element('VPCZoneIdentifier', group.vpcZoneIdentifier) +
      element('Status', group.deleting ? 'Delete in progress' : undefined) +
      element('NewInstancesProtectedFromScaleIn', group.newInstancesProtectedFromScaleIn)
    );
  }

  private update(params: URLSearchParams): void {
    const group = this.get(params.get('AutoScalingGroupName'));
    if (group.deleting) throw new QueryError('ScalingActivityInProgress', 'An AutoScalingGroup deletion is in progress');
    const minSize = numberParam(params, 'MinSize') ?? group.minSize;
    const maxSize = numberParam(params, 'MaxSize') ?? group.maxSize;
    const desired = numberParam(params, 'DesiredCapacity') ?? Math.min(Math.max(group.target, minSize), maxSize);
    if (desired < minSize || desired > maxSize) throw new QueryError('ValidationError', `Desired capacity:${desired} must be between the specified min size:${minSize} and max size:${maxSize}`);
    Object.assign(group, { minSize, maxSize });
    this.setDesired(group, desired);
  }

  private terminateInstance(params: URLSearchParams): string {
    const id = params.get('InstanceId') ?? '';
    const instance = this.cloud.instances.get(id);
    const group = instance?.owner ? this.groups.get(instance.owner) : undefined;
    if (!instance || !group || this.cloud.refresh(instance).state === 'terminated') {
      throw new QueryError('ValidationError', `Instance Id not found - No managed instance found for instance ID: ${id}`);
    }
    const decrement = flagParam(params, 'ShouldDecrementDesiredCapacity') ?? false;
    if (instance.state !== 'shutting-down') {
      if (decrement) {
        if (group.target - instance.weight < group.minSize) {
          throw new QueryError('ValidationError', `Currently, desiredSize equals minSize (${group.minSize}). Terminating instance without replacement will violate group's min size constraint.`);
        }
        this.setDesired(group, group.target - instance.weight);
      }
      this.cloud.terminate(instance);
    }
    const activity = this.record(group, `Terminating EC2 instance: ${id}`, `an instance was taken out of service in response to a user request${decrement ? ', shrinking the capacity' : ''}`);
    return wrap('Activity', activityXml(group, activity));
  }

  private delete(params: URLSearchParams): void {
    const group = this.get(params.get('AutoScalingGroupName'));
    if (group.deleting) throw new QueryError('ScalingActivityInProgress', 'An AutoScalingGroup deletion is already in progress');
    const force = flagParam(params, 'ForceDelete') ?? false;
    if (!force && hasUnfinished(this.cloud, group.name)) {
      throw new QueryError('ResourceInUse', 'You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.');
    }
    group.launching = false;
    group.deleting = true;
    this.setDesired(group, 0);
    terminateAll(this.cloud, group.name);
    if (!hasUnfinished(this.cloud, group.name)) this.groups.delete(group.name);
  }

  private record(group: FakeAutoScalingGroup, description: string, cause: string): FakeScalingActivity {
    const activity: FakeScalingActivity = { activityId: randomUUID(), description, cause, startTime: this.cloud.now(), statusCode: 'Successful' };
    group.activities.push(activity);
    return activity;
  }

  private reconcile(): void {
    for (const group of [...this.groups.values()]) {
      if (group.deleting) {
        if (!hasUnfinished(this.cloud, group.name)) this.groups.delete(group.name);
        continue;
      }
      for (const instance of reconcileCapacity(this.cloud, group)) {
        this.record(group, `Launching a new EC2 instance: ${instance.instanceId}`, 'an instance was started in response to a difference between desired and actual capacity');
      }
    }
  }
}

function activityXml(group: FakeAutoScalingGroup, activity: FakeScalingActivity): string {
  return (
    element('ActivityId', activity.activityId) +
    element('AutoScalingGroupName', group.name) +
    element('Cause', activity.cause) +
    element('StartTime', iso(activity.startTime)) +
    element('StatusCode', activity.statusCode) +
    element('Description', activity.description) +
    element('EndTime', iso(activity.startTime)) +
    element('StatusMessage', activity.statusMessage) +
    element('Progress', 100) +
    element('AutoScalingGroupARN', group.arn)
  );
}
