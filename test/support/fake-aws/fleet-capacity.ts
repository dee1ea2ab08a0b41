import type { FakeCloud, FakeInstance, FakeLaunchTemplate, Lifecycle } from './fake-cloud.js';
import { LIVE_STATES } from './fake-cloud.js';
import { numberParam, structures } from './query-protocol.js';

/** One launch template override of a fleet or group: a type (in a subnet) and its weight. */
export interface CapacityOverride {
  instanceType: string;
  weight: number;
  priority: number;
  subnetId?: string;
}

export interface HistoryRecord {
  timestamp: number;
  /** Spot Fleet's event types: fleetRequestChange | instanceChange | information | error. */
  eventType: string;
  eventSubType: string;
  description: string;
  instanceId?: string;
}

/** A capacity pool (instance type × subnet) that could not launch, and AWS's error for it. */
export interface PoolFailure {
  override: CapacityOverride;
  lifecycle: Lifecycle;
  code: string;
  message: string;
}

/**
 * What EC2 Fleets, Spot Fleets and Auto Scaling groups share: a target in units split into
 * on-demand and spot, overrides to launch from, and the rule of each fleet type. `request`
 * fleets fill once and never top up; `maintain` fleets (and groups) replace lost capacity once it
 * has been missing for the cloud's replacement delay.
 */
export interface CapacityOwner {
  id: string;
  type: 'instant' | 'request' | 'maintain';
  target: number;
  onDemandTarget: number;
  overrides: CapacityOverride[];
  launchTemplate?: FakeLaunchTemplate;
  /** Tags every instance of this owner gets (besides the launch template's). */
  instanceTags: Record<string, string>;
  /** False once deleted, cancelled or expired: it launches nothing more. */
  launching: boolean;
  filledOnce: boolean;
  shortSince?: number;
  history: HistoryRecord[];
  /** An error event (configuration not valid) blocks the fleet from fulfilling its target. */
  blocked?: boolean;
  /** The last launch attempt launched nothing and some pools failed. */
  starved?: boolean;
  /** `request` fleets: spot units held open in a pool without capacity, launched when it returns. */
  waiting?: Array<{ override: CapacityOverride; lifecycle: Lifecycle }>;
  /** While a ModifyFleet / ModifySpotFleetRequest is being processed the fleet launches nothing. */
  modifying?: boolean;
  /** Eventual consistency drill: unknown to Describe calls before this time. */
  visibleAt?: number;
}

/** Reads `prefix.N.InstanceType/WeightedCapacity/Priority/SubnetId` overrides. */
export function readOverrides(params: URLSearchParams, prefix: string): CapacityOverride[] {
  return structures(params, prefix).map((base, index) => ({
    instanceType: params.get(`${base}.InstanceType`) ?? 'm5.large',
    weight: numberParam(params, `${base}.WeightedCapacity`) ?? 1,
    priority: numberParam(params, `${base}.Priority`) ?? index,
    subnetId: params.get(`${base}.SubnetId`) ?? undefined,
  }));
}

/**
 * True when two overrides name the same instance type in one Availability Zone (duplicate instance
 * pools). EC2 User Guide, "EC2 Fleet and Spot Fleet quotas"
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/fleet-quotas.html): "An EC2 Fleet request or a
 * Spot Fleet request can't span different subnets from the same Availability Zone." Subnets that do
 * not exist are left to the launch (they fail there).
 */
export function hasDuplicatePools(cloud: FakeCloud, overrides: readonly CapacityOverride[]): boolean {
  const pools = overrides.map((entry) => `${entry.instanceType}|${entry.subnetId === undefined ? '' : (cloud.subnets.find(entry.subnetId)?.zone ?? entry.subnetId)}`);
  return new Set(pools).size < pools.length;
}

/** Overrides grouped by instance type, preferred type (lowest priority number) first. */
function poolsByType(overrides: readonly CapacityOverride[]): CapacityOverride[][] {
  const byType = new Map<string, CapacityOverride[]>();
  for (const entry of [...overrides].sort((a, b) => a.priority - b.priority)) byType.set(entry.instanceType, [...(byType.get(entry.instanceType) ?? []), entry]);
  return [...byType.values()];
}

function launchOne(cloud: FakeCloud, owner: CapacityOwner, pool: CapacityOverride, lifecycle: Lifecycle, reservationId: string): FakeInstance {
  const [instance] = cloud.launch({
    instanceType: pool.instanceType,
    subnetId: pool.subnetId,
    count: 1,
    lifecycle,
    launchTemplate: owner.launchTemplate,
    tags: owner.instanceTags,
    owner: owner.id,
    weight: pool.weight,
    reservationId,
  });
  owner.history.push({ timestamp: cloud.now(), eventType: 'instanceChange', eventSubType: 'launched', description: instance.instanceType, instanceId: instance.instanceId });
  return instance;
}

/**
 * Launches `units` of capacity of one lifecycle: ⌈units ÷ weight⌉ instances of the preferred type,
 * spread over the subnets listed for it. Pools that cannot launch (unknown image, no capacity, no
 * free address, unknown subnet) go into `failures`. With `fallback` the units a pool could not take
 * go to the type's other pools, then to the next type (maintain and instant fleets, groups); without
 * it (spot in `request` fleets: "nor does it submit requests in alternative Spot capacity pools if
 * capacity is unavailable", EC2 User Guide, "EC2 Fleet and Spot Fleet request types",
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-fleet-request-type.html) they wait in their
 * pool, like a spot request held with `capacity-not-available` until capacity returns.
 */
export function fill(cloud: FakeCloud, owner: CapacityOwner, units: number, lifecycle: Lifecycle, failures: PoolFailure[] = [], fallback = true): FakeInstance[] {
  if (units <= 0 || owner.overrides.length === 0) return [];
  const imageId = owner.launchTemplate?.imageId ?? '';
  if (!cloud.knowsImage(imageId)) {
    // EC2 API Reference, "Error codes": InvalidAMIID.NotFound, "The specified AMI doesn't exist";
    // the message is AWS's RunInstances text (e.g. coreos/tectonic-installer#1265).
    for (const override of owner.overrides) failures.push({ override, lifecycle, code: 'InvalidAMIID.NotFound', message: `The image id '[${imageId}]' does not exist` });
    return [];
  }
  const reservationId = cloud.nextId('r');
  const launched: FakeInstance[] = [];
  let remaining = units;
  for (const pools of poolsByType(owner.overrides)) {
    const problems = new Map(pools.map((pool) => [pool, cloud.launchProblem(pool.instanceType, pool.subnetId, 1)]));
    for (const [override, problem] of problems) if (problem) failures.push({ override, lifecycle, code: problem.code, message: problem.message });
    const usable = pools.filter((pool) => !problems.get(pool));
    const targets = fallback ? usable : pools;
    if (targets.length === 0) continue;
    const count = Math.ceil(remaining / pools[0].weight);
    for (let index = 0; index < count; index += 1) {
      const pool = targets[index % targets.length];
      if (problems.get(pool) || cloud.launchProblem(pool.instanceType, pool.subnetId, 1)) {
        if (!fallback) {
          owner.waiting = [...(owner.waiting ?? []), { override: pool, lifecycle }];
          remaining -= pool.weight;
        }
        continue;
      }
      launched.push(launchOne(cloud, owner, pool, lifecycle, reservationId));
      remaining -= pool.weight;
    }
    if (remaining <= 0 || !fallback) break;
  }
  return launched;
}

/** A `request` fleet's held spot units, launched in their pool once it has capacity again. */
function launchWaiting(cloud: FakeCloud, owner: CapacityOwner): FakeInstance[] {
  const launched: FakeInstance[] = [];
  const still: NonNullable<CapacityOwner['waiting']> = [];
  for (const entry of owner.waiting ?? []) {
    if (cloud.launchProblem(entry.override.instanceType, entry.override.subnetId, 1)) still.push(entry);
    else launched.push(launchOne(cloud, owner, entry.override, entry.lifecycle, cloud.nextId('r')));
  }
  owner.waiting = still;
  return launched;
}

/** Brings an owner up to its target according to its type (see CapacityOwner); failed pools go into `failures`. */
export function reconcileCapacity(cloud: FakeCloud, owner: CapacityOwner, failures: PoolFailure[] = []): FakeInstance[] {
  if (!owner.launching || owner.type === 'instant' || owner.blocked || owner.modifying) return [];
  if (owner.type === 'request' && owner.filledOnce) return launchWaiting(cloud, owner);
  const onDemand = cloud.liveUnits(owner.id, 'on-demand');
  const spot = cloud.liveUnits(owner.id, 'spot');
  const missing = owner.target - onDemand - spot;
  if (missing <= 0) {
    owner.filledOnce = true;
    owner.shortSince = undefined;
    return [];
  }
  if (owner.filledOnce) {
    owner.shortSince ??= cloud.now();
    if (cloud.now() - owner.shortSince < cloud.replacementDelayMs) return [];
  }
  const onDemandUnits = Math.min(missing, Math.max(0, owner.onDemandTarget - onDemand));
  const launched = [
    ...fill(cloud, owner, onDemandUnits, 'on-demand', failures),
    ...fill(cloud, owner, missing - onDemandUnits, 'spot', failures, owner.type !== 'request'),
  ];
  owner.filledOnce = true;
  owner.shortSince = undefined;
  return launched;
}

/** Pending or running instances of an owner. */
export function activeInstances(cloud: FakeCloud, ownerId: string): FakeInstance[] {
  return cloud.instancesOf(ownerId).filter((instance) => LIVE_STATES.has(instance.state));
}

/** Terminates every live instance of an owner; true when some were still live. */
export function terminateAll(cloud: FakeCloud, ownerId: string): boolean {
  const live = cloud.instancesOf(ownerId).filter((instance) => instance.state !== 'terminated');
  for (const instance of live) cloud.terminate(instance);
  return live.length > 0;
}

export function hasUnfinished(cloud: FakeCloud, ownerId: string): boolean {
  return cloud.instancesOf(ownerId).some((instance) => instance.state !== 'terminated');
}

/** Lowering a fleet's target with the `termination`/`default` excess policy: newest hosts go first. */
export function terminateExcess(cloud: FakeCloud, ownerId: string, target: number): void {
  let excess = cloud.liveUnits(ownerId) - target;
  for (const instance of activeInstances(cloud, ownerId).reverse()) {
    if (excess < instance.weight) break;
    cloud.terminate(instance, 'Service.FleetTargetLowered');
    excess -= instance.weight;
  }
}
