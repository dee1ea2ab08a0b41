import type { FakeCloud, FakeInstance } from './fake-cloud.js';
import type { CapacityOwner } from './fleet-capacity.js';
import { element, iso, memberList, wrap } from './query-protocol.js';

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
  /**
   * JSON naming the subnet and zone of the instance the activity launched or failed to launch, as
   * AWS writes it: `{"Subnet ID":"subnet-5ea0c127","Availability Zone":"us-west-2b"}` (AWS CLI
   * Command Reference, "describe-scaling-activities", examples; Amazon EC2 Auto Scaling API
   * Reference, "Activity": Details, "The details about the activity").
   */
  details?: string;
}

/** An instance in a group: its Auto Scaling health, scale-in protection, and whether it is leaving. */
export interface GroupMember {
  health: 'Healthy' | 'Unhealthy';
  protectedFromScaleIn: boolean;
  /** Being terminated by the group (LifecycleState Terminating): no longer counts towards capacity. */
  leaving: boolean;
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
  members: Map<string, GroupMember>;
  /** Suspended process → suspension reason. */
  suspended: Map<string, string>;
}

/**
 * The processes SuspendProcesses / ResumeProcesses accept. Amazon EC2 Auto Scaling API Reference,
 * "SuspendProcesses" (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_SuspendProcesses.html):
 * ScalingProcesses.member.N — Launch, Terminate, AddToLoadBalancer, AlarmNotification, AZRebalance,
 * HealthCheck, InstanceRefresh, ReplaceUnhealthy, ScheduledActions; "If you omit this property, all
 * processes are specified."
 */
export const PROCESSES = ['Launch', 'Terminate', 'AddToLoadBalancer', 'AlarmNotification', 'AZRebalance', 'HealthCheck', 'InstanceRefresh', 'ReplaceUnhealthy', 'ScheduledActions'];

const LIFECYCLE: Record<FakeInstance['state'], string> = { pending: 'Pending', running: 'InService', 'shutting-down': 'Terminating', terminated: 'Terminated' };

export function activityXml(group: FakeAutoScalingGroup, activity: FakeScalingActivity): string {
  return (
    element('ActivityId', activity.activityId) +
    element('AutoScalingGroupName', group.name) +
    element('Cause', activity.cause) +
    element('StartTime', iso(activity.startTime)) +
    element('StatusCode', activity.statusCode) +
    element('Description', activity.description) +
    element('EndTime', iso(activity.startTime)) +
    element('StatusMessage', activity.statusMessage) +
    element('Details', activity.details) +
    element('Progress', 100) +
    element('AutoScalingGroupARN', group.arn)
  );
}

/** One group of DescribeAutoScalingGroups. */
export function groupXml(cloud: FakeCloud, group: FakeAutoScalingGroup): string {
  const spec = wrap('LaunchTemplateSpecification', element('LaunchTemplateId', group.launchTemplate?.id) + element('LaunchTemplateName', group.launchTemplate?.name) + element('Version', group.launchTemplateVersion));
  const types = [...new Map(group.overrides.map((entry) => [entry.instanceType, entry.weight])).entries()];
  const policy = wrap(
    'MixedInstancesPolicy',
    wrap('LaunchTemplate', spec + memberList('Overrides', types, ([type, weight]) => element('InstanceType', type) + element('WeightedCapacity', weight))) +
      wrap('InstancesDistribution', Object.entries(group.distribution).map(([key, value]) => element(key, value)).join('')),
  );
  const zones = [...new Set(group.vpcZoneIdentifier.split(',').filter(Boolean).map((subnet) => cloud.subnets.find(subnet)?.zone).filter((zone): zone is string => !!zone))].sort();
  const members = [...group.members.entries()].map(([id, member]) => ({ member, instance: cloud.refresh(cloud.instances.get(id)!) }));
  return (
    element('AutoScalingGroupName', group.name) +
    element('AutoScalingGroupARN', group.arn) +
    policy +
    element('MinSize', group.minSize) +
    element('MaxSize', group.maxSize) +
    element('DesiredCapacity', group.target) +
    element('DesiredCapacityType', group.desiredCapacityType) +
    element('DefaultCooldown', 300) +
    memberList('AvailabilityZones', zones.length > 0 ? zones : ['us-east-1a'], (zone) => zone) +
    element('HealthCheckType', 'EC2') +
    element('CreatedTime', iso(group.createdTime)) +
    memberList('Instances', members, ({ member, instance }) =>
      element('InstanceId', instance.instanceId) +
        element('InstanceType', instance.instanceType) +
        element('AvailabilityZone', instance.zone) +
        element('LifecycleState', member.leaving ? 'Terminating' : LIFECYCLE[instance.state]) +
        element('HealthStatus', member.health) +
        spec +
        element('ProtectedFromScaleIn', member.protectedFromScaleIn) +
        element('WeightedCapacity', instance.weight),
    ) +
    memberList('SuspendedProcesses', [...group.suspended.entries()], ([name, reason]) => element('ProcessName', name) + element('SuspensionReason', reason)) +
    memberList('Tags', group.tags, (tag) =>
      element('ResourceId', group.name) + element('ResourceType', 'auto-scaling-group') + element('Key', tag.key) + element('Value', tag.value) + element('PropagateAtLaunch', tag.propagateAtLaunch),
    ) +
    element('VPCZoneIdentifier', group.vpcZoneIdentifier) +
    element('Status', group.deleting ? 'Delete in progress' : undefined) +
    element('NewInstancesProtectedFromScaleIn', group.newInstancesProtectedFromScaleIn)
  );
}
