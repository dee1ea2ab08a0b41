import type { FakeEc2Fleet } from './ec2-fleets.js';
import type { FakeCloud } from './fake-cloud.js';
import type { CapacityOverride } from './fleet-capacity.js';
import { ec2TagSet, element, iso, itemSet, wrap } from './query-protocol.js';

function specXml(fleet: FakeEc2Fleet): string {
  return wrap('launchTemplateSpecification', element('launchTemplateId', fleet.launchTemplate?.id) + element('version', fleet.launchTemplateVersion));
}

function overrideFields(cloud: FakeCloud, override: CapacityOverride, imageId?: string): string {
  const zone = override.subnetId ? cloud.subnets.find(override.subnetId)?.zone : undefined;
  return (
    element('instanceType', override.instanceType) +
    element('subnetId', override.subnetId) +
    element('availabilityZone', zone) +
    element('weightedCapacity', override.weight) +
    element('priority', override.priority) +
    element('imageId', imageId)
  );
}

/**
 * The CreateFleet answer: FleetId, and for `instant` fleets the instances launched (grouped by
 * type, lifecycle and subnet) and one `Errors` entry per pool that could not launch. EC2 API
 * Reference, "CreateFleet" (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateFleet.html):
 * Errors — "Information about the instances that could not be launched by the fleet. Supported only
 * for fleets of type instant." — CreateFleetError: LaunchTemplateAndOverrides, Lifecycle, ErrorCode,
 * ErrorMessage. The call succeeds with a FleetId even when nothing launched. The shape of an entry
 * (overrides with subnetId, imageId, instanceType, availabilityZone) is as AWS answers in
 * aws/karpenter-provider-aws#5850.
 */
export function createdXml(cloud: FakeCloud, fleet: FakeEc2Fleet): string {
  let instances = '';
  let errors = '';
  if (fleet.type === 'instant') {
    const groups = new Map<string, string[]>();
    for (const instance of cloud.instancesOf(fleet.id)) {
      const key = `${instance.instanceType}|${instance.lifecycle}|${instance.subnetId}`;
      groups.set(key, [...(groups.get(key) ?? []), instance.instanceId]);
    }
    instances = itemSet('fleetInstanceSet', [...groups.entries()], ([key, ids]) => {
      const [instanceType, lifecycle, subnetId] = key.split('|');
      const override = fleet.overrides.find((entry) => entry.instanceType === instanceType && (entry.subnetId ?? '') === subnetId) ??
        fleet.overrides.find((entry) => entry.instanceType === instanceType) ?? { instanceType, weight: 1, priority: 0, subnetId };
      return (
        wrap('launchTemplateAndOverrides', specXml(fleet) + wrap('overrides', overrideFields(cloud, { ...override, subnetId }))) +
        element('lifecycle', lifecycle) +
        itemSet('instanceIds', ids, (id) => id) +
        element('instanceType', instanceType)
      );
    });
    errors = itemSet('errorSet', fleet.errors, (failure) =>
      wrap('launchTemplateAndOverrides', specXml(fleet) + wrap('overrides', overrideFields(cloud, failure.override, fleet.launchTemplate?.imageId))) +
        element('lifecycle', failure.lifecycle) +
        element('errorCode', failure.code) +
        element('errorMessage', failure.message),
    );
  }
  return element('fleetId', fleet.id) + (errors || '<errorSet/>') + instances;
}

/**
 * One fleet of DescribeFleets. While `modifying` it shows the target it had before the
 * modification (see fleet-modify.ts).
 */
export function fleetXml(cloud: FakeCloud, fleet: FakeEc2Fleet): string {
  const overrides = itemSet('overrides', fleet.overrides, (entry) => overrideFields(cloud, entry));
  const target = wrap(
    'targetCapacitySpecification',
    element('totalTargetCapacity', fleet.target) +
      element('onDemandTargetCapacity', fleet.onDemandTarget) +
      element('spotTargetCapacity', Math.max(0, fleet.target - fleet.onDemandTarget)) +
      element('defaultTargetCapacityType', fleet.defaultTargetCapacityType),
  );
  return (
    element('activityStatus', fleet.activityStatus) +
    element('createTime', iso(fleet.createTime)) +
    element('fleetId', fleet.id) +
    element('fleetState', fleet.state) +
    element('clientToken', fleet.clientToken) +
    element('excessCapacityTerminationPolicy', fleet.excessCapacityTerminationPolicy) +
    element('fulfilledCapacity', cloud.liveUnits(fleet.id).toFixed(1)) +
    element('fulfilledOnDemandCapacity', cloud.liveUnits(fleet.id, 'on-demand').toFixed(1)) +
    itemSet('launchTemplateConfigs', [fleet], () => specXml(fleet) + overrides) +
    target +
    element('terminateInstancesWithExpiration', fleet.terminateInstancesWithExpiration) +
    element('type', fleet.type) +
    element('validUntil', fleet.validUntil === undefined ? undefined : iso(fleet.validUntil)) +
    ec2TagSet(fleet.tags)
  );
}
