import { randomUUID } from 'node:crypto';
import { QueryError } from './query-protocol.js';
import { DEFAULT_SUBNET, FakeSubnets, type SubnetConfig } from './subnets.js';

export type FakeInstanceState = 'pending' | 'running' | 'shutting-down' | 'terminated';
export type Lifecycle = 'on-demand' | 'spot';

export interface FakeInstance {
  instanceId: string;
  imageId: string;
  instanceType: string;
  subnetId: string;
  /** The subnet's Availability Zone (placement). */
  zone: string;
  privateIp: string;
  launchTime: number;
  state: FakeInstanceState;
  /** When the instance entered its current state (the fake's clock). */
  since: number;
  tags: Record<string, string>;
  lifecycle: Lifecycle;
  reservationId: string;
  spotInstanceRequestId?: string;
  /** The EC2 Fleet, Spot Fleet request or Auto Scaling group that launched it. */
  owner?: string;
  /** Units the instance counts for in its owner (its override's WeightedCapacity). */
  weight: number;
  launchTemplateId?: string;
  stateReason?: string;
  /** When EC2 gave a spot interruption notice, and the spot request status code it set then. */
  interruptionNoticeAt?: number;
  interruptionCode?: string;
  /** Eventual consistency drill: Describe/Terminate calls do not see the instance before this time. */
  visibleAt?: number;
}

export interface FakeLaunchTemplate {
  id: string;
  name: string;
  imageId: string;
  /** Tags the template puts on instances (its `instance` TagSpecification). */
  tags: Record<string, string>;
  /** The launch template's own tags (CreateLaunchTemplate's `launch-template` TagSpecification). */
  ownTags: Record<string, string>;
  /** epoch ms */
  createdAt: number;
  clientToken?: string;
}

export interface LaunchSpec {
  instanceType: string;
  subnetId?: string;
  count: number;
  lifecycle: Lifecycle;
  imageId?: string;
  launchTemplate?: FakeLaunchTemplate;
  /** Tags on top of the launch template's. */
  tags?: Record<string, string>;
  owner?: string;
  weight?: number;
  reservationId?: string;
}

export interface FakeCloudOptions {
  /** Time pending→running and shutting-down→terminated take, on the fake's clock. Default 5000 ms. */
  transitionMs?: number;
  /**
   * How long a maintain fleet or Auto Scaling group stays below its target before it launches
   * replacements (AWS's evaluation lag). Default: transitionMs.
   */
  replacementDelayMs?: number;
  /** How long an interrupted spot instance keeps running after its notice. Default 120000 ms (two minutes). */
  spotNoticeMs?: number;
  /** Eventual consistency: how long new instances, fleets and groups stay invisible. Default 0. */
  visibilityLagMs?: number;
  /** The subnets that exist; when absent every `subnet-*` id exists, in a zone derived from its id. */
  subnets?: Record<string, SubnetConfig>;
  /** The region this cloud is (zones, ARNs, events, host names). Default us-east-1. */
  region?: string;
  /** The counter new ids start from, so two regions' clouds never make the same instance id. Default 0. */
  firstId?: number;
}

export const LIVE_STATES: ReadonlySet<FakeInstanceState> = new Set(['pending', 'running']);

/** An event as EventBridge delivers it to a target (an SQS target receives it as the message body). */
export interface FakeEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/**
 * StateReason of an interrupted spot instance: code and message as the EC2 API Reference, "StateReason"
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_StateReason.html) documents them.
 */
export const SPOT_TERMINATION_REASON =
  'Server.SpotInstanceTermination: The instance was terminated because the number of Spot requests with a maximum price equal to or higher than the Spot price exceeded available capacity or because of an increase in the Spot price.';

/**
 * The state every fake API shares: instances and launch templates, subnets, capacity, ids, the clock
 * and the transitions. Fleets and groups register a reconciler that runs on every tick (every call
 * the endpoint receives, and whenever a test asks), like AWS's own background loops.
 */
export class FakeCloud {
  readonly instances = new Map<string, FakeInstance>();
  readonly launchTemplates = new Map<string, FakeLaunchTemplate>();
  readonly transitionMs: number;
  readonly replacementDelayMs: number;
  readonly spotNoticeMs: number;
  readonly subnets: FakeSubnets;
  readonly region: string;
  /** AMI id → architecture, for the images that are not x86_64. */
  readonly imageArchitectures = new Map<string, string>();
  visibilityLagMs: number;
  private readonly reconcilers: Array<() => void> = [];
  private readonly eventTargets: Array<(event: FakeEvent) => void> = [];
  private readonly noCapacity: Array<{ instanceType: string; zone?: string }> = [];
  private counter = 0;
  private readonly firstId: number;

  constructor(
    readonly now: () => number,
    options: FakeCloudOptions = {},
    /** Images that exist (AMI id → root device name). */
    readonly images: Record<string, string> = {},
  ) {
    this.transitionMs = options.transitionMs ?? 5000;
    this.replacementDelayMs = options.replacementDelayMs ?? this.transitionMs;
    this.spotNoticeMs = options.spotNoticeMs ?? 120_000;
    this.visibilityLagMs = options.visibilityLagMs ?? 0;
    this.region = options.region ?? 'us-east-1';
    this.subnets = new FakeSubnets(options.subnets, this.region);
    this.firstId = options.firstId ?? 0;
    this.counter = this.firstId;
  }

  /** `prefix-` + `digits` hex digits (17 by default), unique in this cloud. */
  nextId(prefix: string, digits = 17): string {
    this.counter += 1;
    return `${prefix}-${this.counter.toString(16).padStart(digits, '0')}`;
  }

  uuidId(prefix: string): string {
    return `${prefix}-${randomUUID()}`;
  }

  onTick(reconciler: () => void): void {
    this.reconcilers.push(reconciler);
  }

  /** Routes every event the cloud emits to `target`, as an EventBridge rule matching them would. */
  onEvent(target: (event: FakeEvent) => void): void {
    this.eventTargets.push(target);
  }

  /** Emits an event at `at` (the fake's clock) to every target. */
  emit(source: string, detailType: string, detail: Record<string, unknown>, resources: string[] = [], at = this.now()): void {
    const event: FakeEvent = { version: '0', id: randomUUID(), 'detail-type': detailType, source, account: '123456789012', time: new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z'), region: this.region, resources, detail };
    for (const target of this.eventTargets) target(event);
  }

  /**
   * EC2 User Guide, "State change events for Amazon EC2 instances"
   * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/monitoring-instance-state-changes.html):
   * `EC2 Instance State-change Notification` with `instance-id` and `state`, on every change.
   */
  private emitStateChange(instance: FakeInstance): void {
    this.emit('aws.ec2', 'EC2 Instance State-change Notification', { 'instance-id': instance.instanceId, state: instance.state }, [this.arnOf(instance)], instance.since);
  }

  /** Moves every instance along its transitions, then lets fleets and groups act. */
  tick(): void {
    for (const instance of this.instances.values()) this.refresh(instance);
    for (const reconciler of this.reconcilers) reconciler();
  }

  /**
   * When a resource created now becomes visible, under the current lag. EC2 API, "Eventual
   * consistency in the Amazon EC2 API" (https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html):
   * an ID just returned may not have propagated, and calls naming it answer that it does not exist.
   */
  visibleAtForNew(): number | undefined {
    return this.visibilityLagMs > 0 ? this.now() + this.visibilityLagMs : undefined;
  }

  isVisible(resource: { visibleAt?: number }): boolean {
    return resource.visibleAt === undefined || this.now() >= resource.visibleAt;
  }

  knowsImage(imageId: string): boolean {
    return imageId in this.images;
  }

  setNoCapacity(instanceType: string, zone?: string): void {
    this.noCapacity.push({ instanceType, zone });
  }

  clearNoCapacity(): void {
    this.noCapacity.length = 0;
  }

  hasCapacity(instanceType: string, zone: string): boolean {
    return !this.noCapacity.some((pool) => pool.instanceType === instanceType && (pool.zone === undefined || pool.zone === zone));
  }

  /** Addresses the subnet's instances hold (released when an instance is terminated). */
  usedAddresses(subnetId: string): number {
    return [...this.instances.values()].filter((instance) => instance.subnetId === subnetId && this.refresh(instance).state !== 'terminated').length;
  }

  /**
   * Why `count` instances of a type cannot launch in a subnet now, as the error RunInstances answers:
   * `InvalidSubnetID.NotFound`; `InsufficientInstanceCapacity` (a server error, HTTP 500 — EC2 API
   * Reference, "Error codes for the Amazon EC2 API", "Server error codes",
   * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html; the message is AWS's as
   * quoted in galaxyproject/cloudman#64 and skyplane-project/skyplane#299); or
   * `InsufficientFreeAddressesInSubnet` ("The specified subnet does not contain enough free private IP
   * addresses to fulfill your request", same page; the message text is not documented).
   */
  launchProblem(instanceType: string, subnetId: string | undefined, count: number): QueryError | undefined {
    const subnet = subnetId ?? DEFAULT_SUBNET;
    let zone: string;
    try {
      zone = this.subnets.zoneOf(subnet);
    } catch (error) {
      return error as QueryError;
    }
    if (!this.hasCapacity(instanceType, zone)) {
      const others = this.subnets.zones().filter((other) => other !== zone && this.hasCapacity(instanceType, other));
      const alternatives = others.length > 0 ? ` You can currently get ${instanceType} capacity by not specifying an Availability Zone in your request or choosing ${others.join(', ')}.` : '';
      return new QueryError(
        'InsufficientInstanceCapacity',
        `We currently do not have sufficient ${instanceType} capacity in the Availability Zone you requested (${zone}). Our system will be working on provisioning additional capacity.${alternatives}`,
        500,
      );
    }
    if (this.subnets.freeAddresses(subnet) - this.usedAddresses(subnet) < count) {
      return new QueryError('InsufficientFreeAddressesInSubnet', `There are not enough free addresses in subnet '${subnet}' to satisfy the requested number of instances.`);
    }
    return undefined;
  }

  launch(spec: LaunchSpec): FakeInstance[] {
    const imageId = spec.imageId ?? spec.launchTemplate?.imageId;
    if (!imageId) throw new Error('launch without an image');
    const subnetId = spec.subnetId ?? DEFAULT_SUBNET;
    const zone = this.subnets.zoneOf(subnetId);
    const reservationId = spec.reservationId ?? this.nextId('r');
    const launched: FakeInstance[] = [];
    for (let index = 0; index < spec.count; index += 1) {
      const n = this.instances.size + 1;
      const instance: FakeInstance = {
        instanceId: `i-${(0xa0000 + this.firstId + n).toString(16).padStart(17, '0')}`,
        imageId,
        instanceType: spec.instanceType,
        subnetId,
        zone,
        privateIp: `10.0.${Math.floor(n / 250)}.${(n % 250) + 1}`,
        launchTime: this.now(),
        state: 'pending',
        since: this.now(),
        tags: {
          ...(spec.launchTemplate?.tags ?? {}),
          ...(spec.tags ?? {}),
          ...(spec.launchTemplate ? { 'aws:ec2launchtemplate:id': spec.launchTemplate.id } : {}),
        },
        lifecycle: spec.lifecycle,
        reservationId,
        spotInstanceRequestId: spec.lifecycle === 'spot' ? this.nextId('sir', 8) : undefined,
        owner: spec.owner,
        weight: spec.weight ?? 1,
        launchTemplateId: spec.launchTemplate?.id,
        visibleAt: this.visibleAtForNew(),
      };
      this.instances.set(instance.instanceId, instance);
      this.emitStateChange(instance);
      launched.push(instance);
    }
    return launched;
  }

  /** Starts shutting an instance down; returns its state before. */
  terminate(instance: FakeInstance, reason = 'Client.UserInitiatedShutdown: User initiated shutdown'): FakeInstanceState {
    const previous = this.refresh(instance).state;
    if (previous !== 'terminated' && previous !== 'shutting-down') {
      instance.state = 'shutting-down';
      instance.since = this.now();
      instance.stateReason = reason;
      this.emitStateChange(instance);
    }
    return previous;
  }

  /**
   * Gives a spot instance its interruption notice. EC2 User Guide, "Get the status of a Spot Instance
   * request" (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-request-status.html), note † under
   * the Fulfilled-terminal table: with interruption behaviour terminate the status is set at once to
   * `instance-terminated-no-capacity` while the instance stays `running` for the two-minute notice,
   * then it is terminated. `code` may give another status (`marked-for-termination`, `instance-terminated-by-price`).
   */
  interrupt(instance: FakeInstance, code = 'instance-terminated-no-capacity'): void {
    if (instance.interruptionNoticeAt !== undefined || !LIVE_STATES.has(this.refresh(instance).state)) return;
    instance.interruptionNoticeAt = this.now();
    instance.interruptionCode = code;
    // "EC2 Spot Instance Interruption Warning" (EC2 User Guide, "Spot Instance interruption notices",
    // https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-instance-termination-notices.html): emitted
    // two minutes before the interruption, with `instance-id` and `instance-action`.
    this.emit('aws.ec2', 'EC2 Spot Instance Interruption Warning', { 'instance-id': instance.instanceId, 'instance-action': 'terminate' }, [this.arnOf(instance)]);
  }

  refresh(instance: FakeInstance): FakeInstance {
    if (instance.state === 'pending' && this.now() - instance.since >= this.transitionMs) {
      Object.assign(instance, { state: 'running', since: instance.since + this.transitionMs });
      this.emitStateChange(instance);
    }
    const noticeEnds = instance.interruptionNoticeAt === undefined ? undefined : instance.interruptionNoticeAt + this.spotNoticeMs;
    if (noticeEnds !== undefined && LIVE_STATES.has(instance.state) && this.now() >= noticeEnds) {
      Object.assign(instance, { state: 'shutting-down', since: Math.max(noticeEnds, instance.since), stateReason: SPOT_TERMINATION_REASON });
      this.emitStateChange(instance);
    }
    if (instance.state === 'shutting-down' && this.now() - instance.since >= this.transitionMs) {
      Object.assign(instance, { state: 'terminated', since: instance.since + this.transitionMs });
      this.emitStateChange(instance);
    }
    return instance;
  }

  /** Instances launched by `owner`, refreshed. */
  instancesOf(owner: string): FakeInstance[] {
    return [...this.instances.values()].filter((instance) => instance.owner === owner).map((instance) => this.refresh(instance));
  }

  arnOf(instance: FakeInstance): string {
    return `arn:aws:ec2:${this.region}:123456789012:instance/${instance.instanceId}`;
  }

  /** Units of `owner`'s pending or running instances (of one lifecycle when given). */
  liveUnits(owner: string, lifecycle?: Lifecycle): number {
    return this.instancesOf(owner)
      .filter((instance) => LIVE_STATES.has(instance.state) && (!lifecycle || instance.lifecycle === lifecycle))
      .reduce((sum, instance) => sum + instance.weight, 0);
  }
}
