import type { Clock } from '../../domain/ports/clock.js';
import type { LaunchResult, TrackedRequest } from '../../domain/ports/cloud-provider.js';
import type { Logger } from '../../domain/ports/logger.js';
import type { Machine } from '../../domain/machine.js';
import type { Request } from '../../domain/request.js';
import type { FleetType, Template } from '../../domain/template.js';
import type { AwsClients } from './aws-clients.js';
import type { AwsConfig } from './aws-config.js';
import type { CapacityPlan } from './capacity-plan.js';
import type { LaunchTemplateRef } from './launch-template-store.js';
import type { AwsProviderData } from './provider-data.js';

/** What every API handler shares. */
export interface AwsContext {
  clients: AwsClients;
  config: AwsConfig;
  providerName: string;
  clock: Clock;
  logger: Logger;
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
}

/** An outstanding request of one API with its decoded provider data. */
export interface ObservedRequest extends TrackedRequest {
  data: AwsProviderData;
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
}

/** Machines to give back that belong to one acquire request. */
export interface ReleaseGroup {
  owner: Request;
  data: AwsProviderData;
  machines: Machine[];
}

export interface ReleaseOutcome {
  /** Launch templates we created whose users (fleet, group, instances) were just released: candidates for deletion. */
  freedLaunchTemplates: string[];
}

/** One EC2 API (RunInstances, EC2 Fleet, Spot Fleet, Auto Scaling). */
export interface ApiHandler {
  launch(context: LaunchContext): Promise<LaunchResult>;
  /** One describe per resource kind for all requests given, plus per-resource instance listings. */
  observe(requests: readonly ObservedRequest[]): Promise<Map<string, Observation>>;
  release(groups: readonly ReleaseGroup[]): Promise<ReleaseOutcome>;
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
