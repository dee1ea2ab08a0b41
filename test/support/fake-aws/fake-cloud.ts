import { randomUUID } from 'node:crypto';

export type FakeInstanceState = 'pending' | 'running' | 'shutting-down' | 'terminated';
export type Lifecycle = 'on-demand' | 'spot';

export interface FakeInstance {
  instanceId: string;
  imageId: string;
  instanceType: string;
  subnetId: string;
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
  /** When EC2 gave a spot interruption notice (DescribeSpotInstanceRequests shows `marked-for-termination`). */
  interruptionNoticeAt?: number;
}

export interface FakeLaunchTemplate {
  id: string;
  name: string;
  imageId: string;
  /** Tags the template puts on instances (its `instance` TagSpecification). */
  tags: Record<string, string>;
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
}

export const LIVE_STATES: ReadonlySet<FakeInstanceState> = new Set(['pending', 'running']);

/**
 * The state every fake API shares: instances and launch templates, ids, the clock and the
 * transitions. Fleets and groups register a reconciler that runs on every tick (every call the
 * endpoint receives, and whenever a test asks), like AWS's own background loops.
 */
export class FakeCloud {
  readonly instances = new Map<string, FakeInstance>();
  readonly launchTemplates = new Map<string, FakeLaunchTemplate>();
  readonly transitionMs: number;
  readonly replacementDelayMs: number;
  private readonly reconcilers: Array<() => void> = [];
  private counter = 0;

  constructor(
    readonly now: () => number,
    options: FakeCloudOptions = {},
  ) {
    this.transitionMs = options.transitionMs ?? 5000;
    this.replacementDelayMs = options.replacementDelayMs ?? this.transitionMs;
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

  /** Moves every instance along its transitions, then lets fleets and groups act. */
  tick(): void {
    for (const instance of this.instances.values()) this.refresh(instance);
    for (const reconciler of this.reconcilers) reconciler();
  }

  launch(spec: LaunchSpec): FakeInstance[] {
    const imageId = spec.imageId ?? spec.launchTemplate?.imageId;
    if (!imageId) throw new Error('launch without an image');
    const reservationId = spec.reservationId ?? this.nextId('r');
    const launched: FakeInstance[] = [];
    for (let index = 0; index < spec.count; index += 1) {
      const n = this.instances.size + 1;
      const instance: FakeInstance = {
        instanceId: `i-${(0xa0000 + n).toString(16).padStart(17, '0')}`,
        imageId,
        instanceType: spec.instanceType,
        subnetId: spec.subnetId ?? 'subnet-default',
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
      };
      this.instances.set(instance.instanceId, instance);
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
    }
    return previous;
  }

  refresh(instance: FakeInstance): FakeInstance {
    const elapsed = this.now() - instance.since;
    if (instance.state === 'pending' && elapsed >= this.transitionMs) Object.assign(instance, { state: 'running', since: instance.since + this.transitionMs });
    if (instance.state === 'shutting-down' && this.now() - instance.since >= this.transitionMs) {
      Object.assign(instance, { state: 'terminated', since: instance.since + this.transitionMs });
    }
    return instance;
  }

  /** Instances launched by `owner`, refreshed. */
  instancesOf(owner: string): FakeInstance[] {
    return [...this.instances.values()].filter((instance) => instance.owner === owner).map((instance) => this.refresh(instance));
  }

  /** Units of `owner`'s pending or running instances (of one lifecycle when given). */
  liveUnits(owner: string, lifecycle?: Lifecycle): number {
    return this.instancesOf(owner)
      .filter((instance) => LIVE_STATES.has(instance.state) && (!lifecycle || instance.lifecycle === lifecycle))
      .reduce((sum, instance) => sum + instance.weight, 0);
  }
}
