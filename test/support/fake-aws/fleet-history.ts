import type { FakeCloud } from './fake-cloud.js';
import type { CapacityOwner, HistoryRecord, PoolFailure } from './fleet-capacity.js';
import { element, iso, itemSet, wrap } from './query-protocol.js';

/**
 * Fleet history, as EC2 Fleet and Spot Fleet record it.
 *
 * Event types and sub-types: EC2 API Reference, "EventInformation"
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EventInformation.html), and the EC2 User
 * Guide pages "EC2 Fleet event types" / "Spot Fleet event types"
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-fleet-event-types.html,
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-fleet-event-types.html):
 * - error (blocks the fleet from fulfilling): iamFleetRoleInvalid, allLaunchSpecsTemporarilyBlacklisted,
 *   spotInstanceCountLimitExceeded, spotFleetRequestConfigurationInvalid — the documented example of
 *   the last one has the description "<type>, <ami>, Linux/UNIX: <reason>";
 * - information (does not block): fleetProgressHalted, launchSpecTemporarilyBlacklisted,
 *   launchSpecUnusable (a price below the Spot price — not modelled), registerWithLoadBalancersFailed;
 * - fleetRequestChange: submitted, active, modify_in_progress, modify_succeeded, expired, deleted…;
 * - instanceChange: launched, terminated, termination_notified.
 * Records are kept with Spot Fleet's event type names (DescribeSpotFleetRequestHistory answers
 * them as they are). DescribeFleetHistory's EventType is FleetEventType — `instance-change |
 * fleet-change | service-error` (EC2 API Reference, "DescribeFleetHistory",
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeFleetHistory.html) — so EC2 Fleet
 * answers error and information events as `service-error` (the docs do not say where EC2 Fleet puts
 * information events; service-error is the only type left for them).
 */
export const EC2_FLEET_EVENT_TYPES: Record<string, string> = {
  fleetRequestChange: 'fleet-change',
  instanceChange: 'instance-change',
  error: 'service-error',
  information: 'service-error',
};

/** The history records since `since` (of one type when asked), as DescribeFleetHistory / DescribeSpotFleetRequestHistory answer them. */
export function historyXml(records: readonly HistoryRecord[], since: number, now: number, eventType: string | null, ec2Fleet: boolean): string {
  const typeOf = (record: HistoryRecord) => (ec2Fleet ? EC2_FLEET_EVENT_TYPES[record.eventType] ?? record.eventType : record.eventType);
  const found = records.filter((record) => record.timestamp >= since && (!eventType || typeOf(record) === eventType));
  return (
    itemSet('historyRecordSet', found, (record) =>
      wrap('eventInformation', element('eventDescription', record.description) + element('eventSubType', record.eventSubType) + element('instanceId', record.instanceId)) +
        element('eventType', typeOf(record)) +
        element('timestamp', iso(record.timestamp)),
    ) + element('lastEvaluatedTime', iso(now))
  );
}

const CONFIGURATION_ERRORS = new Set(['InvalidAMIID.NotFound', 'InvalidSubnetID.NotFound']);

/**
 * Records what a request/maintain fleet's launch attempt could not do:
 * - a configuration error (unknown image or subnet) → one `error` event
 *   `spotFleetRequestConfigurationInvalid` described as the docs' example ("<type>, <ami>, Linux/UNIX:
 *   <reason>"), and the fleet is blocked (an error event "blocks the fleet from attempting to fulfil its
 *   target capacity");
 * - a pool without capacity or free addresses → `information` `launchSpecTemporarilyBlacklisted`
 *   ("<type>, <ami>, Linux/UNIX, <zone>, <reason>", the shape of the documented `EC2 Fleet
 *   Information` example "c4.xlarge, ami-0947d2ba12ee1ff75, Linux/UNIX, us-east-1a, Spot price in …",
 *   https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-fleet-event-types.html#ec2-fleet-info;
 *   the reason is EC2's `<code>: <message>`, e.g. "InsufficientInstanceCapacity: We currently do not
 *   have sufficient m5.large capacity in the Availability Zone you requested (us-east-1a). …", which
 *   the provider's capacity memory reads) — information events "do not block the fleet", it
 *   keeps trying; when no pool could launch anything, also an `error`
 *   `allLaunchSpecsTemporarilyBlacklisted`.
 * The docs give no exact description texts beyond those examples. The same event is recorded at most
 * once per replacement delay, so a fleet that keeps failing does not flood its history.
 */
export function recordPoolFailures(cloud: FakeCloud, owner: CapacityOwner, failures: readonly PoolFailure[], launched: number): void {
  if (failures.length === 0) {
    if (launched > 0) owner.starved = false;
    return;
  }
  const imageId = owner.launchTemplate?.imageId ?? '';
  const configuration = failures.find((failure) => CONFIGURATION_ERRORS.has(failure.code));
  if (configuration) {
    record(cloud, owner, 'error', 'spotFleetRequestConfigurationInvalid', `${configuration.override.instanceType}, ${imageId}, Linux/UNIX: ${configuration.message}`);
    owner.blocked = true;
    return;
  }
  for (const failure of failures) {
    const zone = failure.override.subnetId ? (cloud.subnets.find(failure.override.subnetId)?.zone ?? '') : '';
    record(cloud, owner, 'information', 'launchSpecTemporarilyBlacklisted', `${failure.override.instanceType}, ${imageId}, Linux/UNIX, ${zone}, ${failure.code}: ${failure.message}`);
  }
  owner.starved = launched === 0;
  if (owner.starved) {
    record(cloud, owner, 'error', 'allLaunchSpecsTemporarilyBlacklisted', `None of the launch specifications could be launched: ${failures[0].code}: ${failures[0].message}`);
  }
}

function record(cloud: FakeCloud, owner: CapacityOwner, eventType: string, eventSubType: string, description: string): void {
  const last = [...owner.history].reverse().find((entry) => entry.eventSubType === eventSubType && entry.description === description);
  if (last && cloud.now() - last.timestamp < Math.max(1, cloud.replacementDelayMs)) return;
  owner.history.push({ timestamp: cloud.now(), eventType, eventSubType, description });
}

/**
 * ActivityStatus of a request/maintain fleet: `fulfilled` at target, else `error` when an error
 * blocked it or its last attempt launched nothing, else `pending_fulfillment`. EC2 API Reference,
 * "SpotFleetRequestConfig" (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_SpotFleetRequestConfig.html):
 * "If there is an error, the status is error. After all requests are placed, the status is
 * pending_fulfillment. If the size of the fleet is equal to or greater than its target capacity, the
 * status is fulfilled."; "FleetData" (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_FleetData.html)
 * says the same for request/maintain EC2 Fleets, and that an `instant` fleet is always `fulfilled`.
 * `pending_termination` is not modelled.
 */
export function activityStatus(cloud: FakeCloud, owner: CapacityOwner): string {
  if (cloud.liveUnits(owner.id) >= owner.target) return 'fulfilled';
  return owner.blocked || owner.starved ? 'error' : 'pending_fulfillment';
}
