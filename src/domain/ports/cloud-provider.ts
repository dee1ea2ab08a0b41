import type { ServiceIdentifier } from 'inversify';
import type { CloudMachine, Machine, MachineRef } from '../machine.js';
import type { Offering } from '../offering.js';
import type { Request } from '../request.js';
import type { Template } from '../template.js';

/** What to launch: `units` of `template` for the acquire request `requestId`. */
export interface LaunchOrder {
  requestId: string;
  template: Template;
  /** Units asked for (instances × weight). */
  units: number;
  /**
   * Pools remembered as out of capacity (see CapacityMemory): the provider tries them last, or
   * leaves them out while other pools of the template remain.
   */
  unavailable?: readonly Offering[];
}

export interface LaunchResult {
  /** Instances the cloud already reported (may be empty: fleets fill later). */
  machines: CloudMachine[];
  /** Ids the provider needs later to find the request's resources; stored on the request. */
  providerData: Record<string, unknown>;
  /** Set when the cloud accepted the launch but already said it will be short. */
  message?: string;
  /** Pools that answered "insufficient capacity" during this launch; the caller remembers them. */
  unavailableOfferings?: Offering[];
}

/** An outstanding acquire request with what the store knows of it. */
export interface TrackedRequest {
  request: Request;
  template: Template | undefined;
  machines: Machine[];
}

/** The cloud's view of one acquire request. */
export interface FulfilmentReport {
  /** Every instance the cloud knows for the request, new ones included. */
  machines: CloudMachine[];
  /**
   * True when the cloud will add no more instances for this request (instant fleet answered,
   * fleet failed, expired or cancelled, RunInstances done). A running fleet that is still filling
   * is not final.
   */
  final: boolean;
  /** The cloud's reason when the request is or will be short (capacity, quota…). */
  message?: string;
  /** Updated provider data to store on the request, when it changed. */
  providerData?: Record<string, unknown>;
  /**
   * Machines the provider terminated because they stayed pending too long, with the reason;
   * they are reported `fail`.
   */
  failedMachines?: Record<string, string>;
  /** Pools that answered "insufficient capacity" since the last report (a relaunch, a fallback); the caller remembers them. */
  unavailableOfferings?: Offering[];
}

/** A host the cloud has, found by id or host name, with what its tags say of its owner. */
export interface CloudHost extends CloudMachine {
  /** The provider instance its tags name (`hostfactory:provider`); undefined when untagged. */
  providerName?: string;
  requestId?: string;
  templateId?: string;
}

/** A fleet, group or other resource a provider instance created, as the cloud lists it. */
export interface CloudResource {
  /** Provider-specific kind, e.g. `ec2-fleet`, `spot-fleet`, `asg`. */
  kind: string;
  id: string;
  /** The request its tags name. */
  requestId?: string;
  /** epoch ms */
  createdAt: number;
  /** Units it keeps running by itself (maintain fleets, groups); undefined for resources that keep nothing running. */
  target?: number;
  /** The cloud region it lives in (see CloudMachine.region). */
  region?: string;
}

/** Everything live that carries this provider instance's tag. */
export interface CloudInventory {
  /** Pending, running, stopping or stopped hosts. */
  hosts: CloudHost[];
  /** Fleets, groups… not deleted or cancelled. */
  resources: CloudResource[];
}

/** What a release could not do at once. */
export interface ReleaseResult {
  /** Machines not released this time, with the reason: still claimed, tried again on the return's next poll. */
  failed: Record<string, string>;
}

/** What a health probe learned from the cloud. */
export interface CloudAccess {
  /** What answered, for people: endpoint, region, zones… */
  message: string;
  /** The cloud's clock minus ours, in ms, when the cloud tells its time. */
  clockSkewMs?: number;
}

/** How one check of a template came out: `fail` means a launch would fail; `warn` that it may, or could not be checked. */
export type CheckStatus = 'pass' | 'warn' | 'fail';

/** One finding of a template check: the template field it is about and what the cloud said of it. */
export interface TemplateFinding {
  /** The template's field (`imageId`, `vmTypes`, `subnetId`…), or `launch` for the launch call itself. */
  field: string;
  status: CheckStatus;
  message: string;
}

/** What the cloud says of one template, field by field. */
export interface TemplateCheck {
  templateId: string;
  findings: TemplateFinding[];
}

/** One call a launch would make: its API, the pools in the order tried, the units and the tags. */
export interface PlannedCall {
  /** `RunInstances`, `EC2Fleet`…, or the provider's own name of its launch. */
  api: string;
  pools: Array<Offering & { units?: number }>;
  units: number;
  tags: Record<string, string>;
  /** What the cloud answered the same call made as a dry run, when the cloud has one. */
  cloudCheck?: TemplateFinding;
}

/** A launch as it would be made now, with nothing launched or recorded. */
export interface PlannedLaunch {
  calls: PlannedCall[];
  /** A note for people: how the units split, or why the launch would be short or fail. */
  message?: string;
}

/** A host the cloud is taking back. */
export interface Reclaim {
  machineId: string;
  name: string;
  /** Seconds left before the host is gone; 0 when it is already gone. */
  gracePeriod: number;
  reason: string;
}

/**
 * A cloud that launches and releases hosts. Implementations translate their own errors into
 * HostFactoryError codes: INSUFFICIENT_CAPACITY, ACCESS_DENIED, THROTTLED (retryable),
 * INVALID_INPUT (template rejected by the cloud), CLOUD_ERROR.
 */
export interface CloudProvider {
  /**
   * Starts capacity for a request and returns without waiting for hosts to run. Idempotent per
   * requestId: calling it again for the same request never launches twice, it returns the same
   * resources. Throws when nothing could be started: a LaunchFailedError when some pools answered
   * "insufficient capacity" on the way (they are listed in it), else a HostFactoryError.
   */
  launch(order: LaunchOrder): Promise<LaunchResult>;
  /**
   * The cloud's view of many acquire requests in one batched set of calls (never one call per
   * request). Returns a report for every request given, keyed by requestId. `unavailable` gives the
   * pools the capacity memory holds (read only when called): a launch the poll makes (a relaunch, a
   * fallback) tries them last, as `launch` does with LaunchOrder.unavailable.
   */
  describeRequests(requests: readonly TrackedRequest[], unavailable?: () => Promise<readonly Offering[]>): Promise<Map<string, FulfilmentReport>>;
  /**
   * The current state of these machines in one batched set of calls. Machines the cloud no longer
   * knows come back with status `terminated`; a cloud that is eventually consistent may leave out
   * a machine it does not show yet (launched moments ago), which then keeps its stored state.
   */
  describeMachines(machines: readonly Machine[]): Promise<CloudMachine[]>;
  /**
   * Gives machines back, grouped by the resource that owns them, so nothing replaces them.
   * `tracked` is every machine the store holds for the `owners` (requests of the machines): a
   * host of their fleet or group that is not among them was launched behind HostFactory's back
   * and is terminated too. Machines already gone count as released. Idempotent: releasing a
   * machine again changes nothing more. Returns the machines it could not release yet; throws
   * only when nothing could be released.
   */
  release(machines: readonly Machine[], owners: readonly Request[], tracked?: readonly Machine[]): Promise<ReleaseResult>;
  /**
   * Among these hosts, the ones the cloud will take back soon or has taken already (spot
   * interruption, rebalance, scheduled retirement, stopped or terminated outside HostFactory).
   */
  listReclaims(machines: readonly Machine[]): Promise<Reclaim[]>;
  /**
   * Hosts the cloud knows among `refs`, looked up by machineId, else by host name, in one batched
   * set of calls, whatever their state and whoever tagged them; refs the cloud does not know are
   * left out. For hosts the store does not know (lost records, replacements, a migration).
   */
  findHosts(refs: readonly MachineRef[]): Promise<CloudHost[]>;
  /**
   * Every live host and resource tagged with this provider instance (and no other), from one
   * batched set of tag-filtered describe calls (per region, for a cloud spread over several: every
   * region its templates name, its default one, and those of the `live` machines the store holds).
   */
  inventory(live?: readonly Machine[]): Promise<CloudInventory>;
  /** Terminates these hosts and deletes these resources with their hosts (leaks no request owns, as inventory listed them); gone ones are fine. */
  removeLeaks(hosts: readonly Pick<CloudHost, 'machineId' | 'region'>[], resources: readonly CloudResource[]): Promise<void>;
  /**
   * These machines are being reclaimed (see listReclaims): make sure the fleet or group owning
   * them does not replace them (lower its target; idempotent). `owners` and `tracked` as for
   * release; with no machines, every owner's fleet or group is brought in line with `tracked`
   * (target = what the store holds; hosts it does not know terminated). Clouds whose resources
   * never replace hosts leave it out.
   */
  stopReplacing?(machines: readonly Machine[], owners: readonly Request[], tracked: readonly Machine[]): Promise<void>;
  /**
   * The pools a launch of `template` may use, from what the provider knows without calling the
   * cloud; undefined when it cannot tell (then the template is never judged out of capacity).
   * Never throws.
   */
  offeringsOf?(template: Template): Promise<Offering[] | undefined>;
  /** One cheap call proving the cloud answers with these credentials in this region; throws (translated) when it does not. */
  checkAccess?(): Promise<CloudAccess>;
  /**
   * Checks templates against the cloud with the provider's own credentials, launching nothing:
   * the image, instance types and their zones, subnets, security groups, key pair, roles, the
   * permission of the very launch call (a dry run) and the spot price limit, as far as the cloud
   * models them. Returns one check per template, in the order given; a lookup the credentials may
   * not make is a `warn` finding. Throws (translated) only when the cloud cannot be asked at all.
   * Never called on a HostFactory call's path.
   */
  checkTemplates?(templates: readonly Template[]): Promise<TemplateCheck[]>;
  /**
   * The calls `launch(order)` would make now, with nothing launched and nothing changed in the
   * provider's state; where the cloud has a dry run of the launch call it is made (`cloudCheck`).
   * Throws as launch would for an order it refuses (INVALID_INPUT).
   */
  planLaunch?(order: LaunchOrder): Promise<PlannedLaunch>;
}

export const CloudProvider: ServiceIdentifier<CloudProvider> = Symbol.for('CloudProvider');
