import type { FleetType, ProviderApi } from '../../domain/template.js';

/** What the AWS provider stores on an acquire request to find its resources again. */
export interface AwsProviderData {
  api: ProviderApi;
  /** The region it launched in (the template's then, else AWS_REGION): every later call goes there. */
  region?: string;
  fleetType?: FleetType;
  /** EC2 Fleet id (EC2Fleet). */
  fleetId?: string;
  /** Spot Fleet request id (SpotFleet). */
  spotFleetRequestId?: string;
  /** Auto Scaling group name (ASG). */
  asgName?: string;
  /** RunInstances reservations. */
  reservationIds?: string[];
  /** Instances known at launch (RunInstances, instant fleets). */
  instanceIds?: string[];
  /** Heterogeneous Spot Fleet: instances launched on demand after the fleet expired short. */
  fallbackInstanceIds?: string[];
  /** instance id → owning resource, when a request spans several (RunInstances reservations). */
  owners?: Record<string, string>;
  launchTemplateId?: string;
  launchTemplateVersion?: string;
  /** True when this provider created the launch template (and so may delete it). */
  launchTemplateCreated?: boolean;
  /** Units asked for. */
  units?: number;
  /** Of those, the on-demand units (fleets). */
  onDemandUnits?: number;
  /** Epoch ms after which the fleet/group is given up on (spotFleetRequestExpiry). */
  validUntil?: number;
  /** The cloud's reason the launch was short, known at launch. */
  launchMessage?: string;
  /** Set once the provider has decided the request is final (and why, when short). */
  finalMessage?: string;
  final?: boolean;
  /** Request/maintain fleets and groups: epoch ms up to which their history was read for pools out of capacity (capacity-events.ts). */
  historyReadUntil?: number;
  /** ASG: `Launch` and `AZRebalance` are suspended (the group replaces nothing any more). */
  processesSuspended?: boolean;
}

const APIS = new Set<ProviderApi>(['RunInstances', 'EC2Fleet', 'SpotFleet', 'ASG']);

/** Reads provider data stored on a request; undefined when it is not the AWS provider's. */
export function readProviderData(data: Record<string, unknown> | undefined): AwsProviderData | undefined {
  if (!data || typeof data.api !== 'string' || !APIS.has(data.api as ProviderApi)) return undefined;
  return data as unknown as AwsProviderData;
}

export function toRecord(data: AwsProviderData): Record<string, unknown> {
  return Object.fromEntries(Object.entries(data).filter(([, value]) => value !== undefined));
}

/** The resource id machines of this request are owned by. */
export function resourceIdOf(data: AwsProviderData, instanceId?: string): string | undefined {
  if (instanceId && data.owners?.[instanceId]) return data.owners[instanceId];
  return data.fleetId ?? data.spotFleetRequestId ?? data.asgName ?? data.reservationIds?.[0];
}
