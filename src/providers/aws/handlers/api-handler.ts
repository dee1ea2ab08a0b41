import type { Clock } from '../../../domain/ports/clock.js';
import type { LaunchResult, TrackedRequest } from '../../../domain/ports/cloud-provider.js';
import type { Logger } from '../../../domain/ports/logger.js';
import type { ResourceLease } from '../../../domain/ports/resource-lease.js';
import type { Machine } from '../../../domain/machine.js';
import type { Offering } from '../../../domain/offering.js';
import type { Request } from '../../../domain/request.js';
import type { FleetType, Template } from '../../../domain/template.js';
import type { AwsConfig } from '../aws-config.js';
import type { CapacityPlan } from '../capacity-plan.js';
import type { LaunchPools } from '../launch-pools.js';
import type { AwsGateway } from '../ec2/aws-gateway.js';
import type { LaunchTemplateRef } from '../launch-template-store.js';
import type { AwsProviderData } from '../provider-data.js';

/** What every part of the AWS provider shares. */
export interface AwsContext {
  gateway: AwsGateway;
  config: AwsConfig;
  providerName: string;
  clock: Clock;
  logger: Logger;
  /** Cross-process leases around read-modify-write of fleet targets and group capacities. */
  lease: ResourceLease;
}

/** One launch, fully prepared: the plan, the launch template and the tags. */
export interface LaunchContext {
  requestId: string;
  template: Template;
  plan: CapacityPlan;
  fleetType?: FleetType;
  launchTemplate: LaunchTemplateRef;
  /** Tags of every resource and instance of the request. */
  tags: Record<string, string>;
  /** Pools remembered out of capacity (try them last) and the ones this launch finds so (note them); absent: none. */
  pools?: LaunchPools;
}

/** An outstanding request of one API with its decoded provider data. */
export interface ObservedRequest extends TrackedRequest {
  data: AwsProviderData;
  /** The pools the capacity memory holds now, read on first use (a launch during the poll: the heterogeneous fallback). */
  unavailable?: () => Promise<readonly Offering[]>;
}

/** What a handler learnt about one request from its resource describes. */
export interface Observation {
  /** Instances the owning resource lists now (stored machines are added by the provider). */
  instanceIds: string[];
  /** instance id → owning resource, for instances listed above. */
  owners: Record<string, string>;
  final: boolean;
  message?: string;
  /** Updated provider data, when it changed. */
  providerData?: AwsProviderData;
  /** Pools its fleet or group found out of capacity since the last report (read from its history). */
  unavailableOfferings?: Offering[];
}

/**
 * Machines of one acquire request to give back (or, for reclaims, that the cloud is taking back),
 * with every machine the store holds for that request: an instance of the request's fleet or
 * group that is not among them was launched behind HostFactory's back.
 */
export interface ReleaseGroup {
  owner: Request;
  data: AwsProviderData;
  machines: Machine[];
  tracked: Machine[];
}

export interface ReleaseOutcome {
  /** Launch templates we created whose users (fleet, group, instances) were just released: candidates for deletion. */
  freedLaunchTemplates: string[];
  /** Machines not released this time, with the reason; the return's next poll tries them again. */
  failed: Record<string, string>;
  /** The AWS errors behind `failed` (the provider's edge translates the first when nothing was released). */
  errors: unknown[];
}

/** One EC2 API (RunInstances, EC2 Fleet, Spot Fleet, Auto Scaling). */
export interface ApiHandler {
  launch(context: LaunchContext): Promise<LaunchResult>;
  /**
   * One describe per resource kind for all requests given, plus per-resource instance listings.
   * A call failing for one request becomes that request's message; the others are answered.
   */
  observe(requests: readonly ObservedRequest[]): Promise<Map<string, Observation>>;
  release(groups: readonly ReleaseGroup[]): Promise<ReleaseOutcome>;
  /**
   * The cloud is taking these machines back: make sure their fleet or group does not replace them
   * (lower its target; nothing to do for APIs that never replace).
   */
  stopReplacing(groups: readonly ReleaseGroup[]): Promise<void>;
}

export function unitsOfMachines(machines: readonly Machine[]): number {
  return machines.reduce((sum, machine) => sum + (machine.weight || 1), 0);
}

/** Distinct reasons, joined for a request message. */
export function joinReasons(reasons: Iterable<string>): string | undefined {
  const distinct = [...new Set([...reasons].filter((reason) => reason.trim() !== ''))];
  return distinct.length > 0 ? distinct.slice(0, 5).join('; ') : undefined;
}

/** Epoch ms after which a request's fleet/group is given up on (spotFleetRequestExpiry, default 30 min). */
export function validUntilOf(template: Template, now: number): number {
  return now + (template.spotFleetRequestExpiry ?? 30) * 60_000;
}

/** Launch templates this provider created for the requests of these groups. */
export function createdLaunchTemplates(groups: readonly ReleaseGroup[]): string[] {
  const ids = groups.flatMap((group) => (group.data.launchTemplateCreated && group.data.launchTemplateId ? [group.data.launchTemplateId] : []));
  return [...new Set(ids)];
}

/** True once a request's resources will launch nothing more for it (HostFactory has its answer). */
export function isSettled(group: ReleaseGroup): boolean {
  return group.owner.status !== 'running' || group.data.final === true;
}
