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
  eventType: string;
  eventSubType: string;
  description: string;
  instanceId?: string;
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
 * Launches `units` of capacity of one lifecycle from the preferred override (lowest priority
 * number), spread over the subnets listed for that type: ⌈units ÷ weight⌉ instances.
 */
export function fill(cloud: FakeCloud, owner: CapacityOwner, units: number, lifecycle: Lifecycle): FakeInstance[] {
  if (units <= 0 || owner.overrides.length === 0) return [];
  const best = [...owner.overrides].sort((a, b) => a.priority - b.priority)[0];
  const subnets = owner.overrides.filter((entry) => entry.instanceType === best.instanceType).map((entry) => entry.subnetId);
  const count = Math.ceil(units / best.weight);
  const reservationId = cloud.nextId('r');
  const launched: FakeInstance[] = [];
  for (let index = 0; index < count; index += 1) {
    launched.push(
      ...cloud.launch({
        instanceType: best.instanceType,
        subnetId: subnets[index % subnets.length],
        count: 1,
        lifecycle,
        launchTemplate: owner.launchTemplate,
        tags: owner.instanceTags,
        owner: owner.id,
        weight: best.weight,
        reservationId,
      }),
    );
  }
  for (const instance of launched) {
    owner.history.push({ timestamp: cloud.now(), eventType: 'instanceChange', eventSubType: 'launched', description: instance.instanceType, instanceId: instance.instanceId });
  }
  return launched;
}

/** Brings an owner up to its target according to its type (see CapacityOwner). */
export function reconcileCapacity(cloud: FakeCloud, owner: CapacityOwner): FakeInstance[] {
  if (!owner.launching || owner.type === 'instant') return [];
  const onDemand = cloud.liveUnits(owner.id, 'on-demand');
  const spot = cloud.liveUnits(owner.id, 'spot');
  const missing = owner.target - onDemand - spot;
  if (missing <= 0) {
    owner.filledOnce = true;
    owner.shortSince = undefined;
    return [];
  }
  if (owner.type === 'request' && owner.filledOnce) return [];
  if (owner.filledOnce) {
    owner.shortSince ??= cloud.now();
    if (cloud.now() - owner.shortSince < cloud.replacementDelayMs) return [];
  }
  const onDemandUnits = Math.min(missing, Math.max(0, owner.onDemandTarget - onDemand));
  const launched = [...fill(cloud, owner, onDemandUnits, 'on-demand'), ...fill(cloud, owner, missing - onDemandUnits, 'spot')];
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
