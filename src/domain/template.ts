import { holdsCapacity, type Machine } from './machine.js';
import type { Request } from './request.js';

export type AttributeType = 'String' | 'Numeric' | 'Boolean';
/** HostFactory attributes as `[type, value]` pairs, values as the administrator wrote them. */
export type TemplateAttributes = Record<string, [AttributeType, string]>;

export type PriceType = 'ondemand' | 'spot' | 'heterogeneous';
export type ProviderApi = 'RunInstances' | 'EC2Fleet' | 'SpotFleet' | 'ASG';
export type FleetType = 'instant' | 'request' | 'maintain';
export type AllocationStrategy =
  | 'capacityOptimized'
  | 'capacityOptimizedPrioritized'
  | 'diversified'
  | 'lowestPrice'
  | 'priceCapacityOptimized';
export type OnDemandAllocationStrategy = 'lowestPrice' | 'prioritized';
export type VolumeType = 'gp2' | 'gp3' | 'io1' | 'io2' | 'standard';

export const UNLIMITED = -1;

/** A HostFactory template: IBM's fields, validated, plus where it was read from. */
export interface Template {
  templateId: string;
  /** -1 = unlimited, 0 = none may be provisioned; in weighted units. */
  maxNumber: number;
  attributes: TemplateAttributes;
  priceType: PriceType;
  providerApi?: ProviderApi;
  fleetType?: FleetType;
  imageId?: string;
  subnetIds: string[];
  vmType?: string;
  /** instance type → weight in units */
  vmTypes?: Record<string, number>;
  vmTypesOnDemand?: Record<string, number>;
  vmTypesPriority?: Record<string, number>;
  fleetRole?: string;
  maxSpotPrice?: number;
  /** minutes */
  spotFleetRequestExpiry?: number;
  allocationStrategy?: AllocationStrategy;
  allocationStrategyOnDemand?: OnDemandAllocationStrategy;
  percentOnDemand?: number;
  poolsCount?: number;
  rootDeviceVolumeSize?: number;
  volumeType?: VolumeType;
  iops?: number;
  instanceTags: Record<string, string>;
  keyName?: string;
  securityGroupIds: string[];
  instanceProfile?: string;
  userDataScript?: string;
  launchTemplateId?: string;
  /** The cloud region to launch in (AWS); undefined: the provider's default region (AWS_REGION). */
  region?: string;
  /** The template object exactly as read from its file (keys this project does not interpret are echoed from it). */
  raw: Record<string, unknown>;
  /** Absolute path of the file the template was taken from. */
  sourceFile: string;
}

/** Instance types the template may launch, with their weight in units. */
export function weightedTypes(template: Template): Record<string, number> {
  if (template.vmTypes && Object.keys(template.vmTypes).length > 0) return template.vmTypes;
  if (template.vmType) return { [template.vmType]: 1 };
  return {};
}

/** Units one instance of `instanceType` counts for under this template (1 when not weighted). */
export function unitsOf(template: Template | undefined, instanceType: string | undefined): number {
  if (!template || !instanceType) return 1;
  return weightedTypes(template)[instanceType] ?? template.vmTypesOnDemand?.[instanceType] ?? 1;
}

export function isUnlimited(template: Template): boolean {
  return template.maxNumber === UNLIMITED;
}

/** How many more units may be provisioned now, given the units already held. */
export function availableUnits(template: Template, unitsHeld: number): number {
  if (isUnlimited(template)) return Number.MAX_SAFE_INTEGER;
  return Math.max(0, template.maxNumber - unitsHeld);
}

/** Units each template holds: live machines, plus what outstanding requests still wait for. */
export function unitsHeldByTemplate(live: readonly Machine[], outstanding: readonly Request[]): Map<string, number> {
  const held = new Map<string, number>();
  const add = (templateId: string, units: number) => held.set(templateId, (held.get(templateId) ?? 0) + units);
  const liveUnitsByRequest = new Map<string, number>();
  for (const machine of live) {
    if (!holdsCapacity(machine)) continue;
    add(machine.templateId, machine.weight);
    liveUnitsByRequest.set(machine.requestId, (liveUnitsByRequest.get(machine.requestId) ?? 0) + machine.weight);
  }
  for (const request of outstanding) {
    if (request.kind !== 'acquire' || !request.templateId) continue;
    add(request.templateId, Math.max(0, request.machineCount - (liveUnitsByRequest.get(request.requestId) ?? 0)));
  }
  return held;
}

export function parseInstanceTags(value: string | undefined): Record<string, string> {
  const tags: Record<string, string> = {};
  if (!value) return tags;
  for (const pair of value.split(';')) {
    const index = pair.indexOf('=');
    if (index <= 0) continue;
    tags[pair.slice(0, index).trim()] = pair.slice(index + 1).trim();
  }
  return tags;
}

export function formatInstanceTags(tags: Record<string, string>): string {
  return Object.entries(tags)
    .map(([key, value]) => `${key}=${value}`)
    .join(';');
}
