import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeAutoScaling } from './fake-aws/auto-scaling-groups.js';
import { FakeEc2Fleets } from './fake-aws/ec2-fleets.js';
import { FakeEc2Instances } from './fake-aws/ec2-instances.js';
import { FakeCloud, type FakeCloudOptions, type FakeInstance, type FakeLaunchTemplate } from './fake-aws/fake-cloud.js';
import { FakeIam, type IamConfig } from './fake-aws/iam.js';
import { FakeInstanceCatalog } from './fake-aws/instance-catalog.js';
import { FakePermissions } from './fake-aws/permissions.js';
import { FakeSecurityResources, type SecurityResourcesConfig } from './fake-aws/security-resources.js';
import { FakeSpotFleets } from './fake-aws/spot-fleets.js';
import {
  AUTOSCALING_VERSION,
  awsQueryErrorResponse,
  awsQueryResponse,
  ec2ErrorResponse,
  ec2Response,
  IAM_VERSION,
  QueryError,
} from './fake-aws/query-protocol.js';
import { resourcesOfRequest, type RequestResources } from './fake-aws/request-resources.js';
import { FakeSqsQueue, SQS_TARGET_PREFIX } from './fake-aws/sqs-queue.js';

export type { FakeInstance, FakeLaunchTemplate } from './fake-aws/fake-cloud.js';
export type { FakeEc2Fleet } from './fake-aws/ec2-fleets.js';
export type { FakeSpotFleet } from './fake-aws/spot-fleets.js';
export type { FakeAutoScalingGroup, GroupMember } from './fake-aws/auto-scaling-groups.js';
export type { RequestResources } from './fake-aws/request-resources.js';
export type { SubnetConfig } from './fake-aws/subnets.js';

/**
 * transitionMs, replacementDelayMs, spotNoticeMs (default 120000), visibilityLagMs (default 0) and
 * subnets (`Record<subnetId, { zone, freeAddresses?, vpcId? }>`; when absent every `subnet-*` id
 * exists in a zone derived from the id). See FakeCloudOptions; securityGroups and keyPairs
 * (security-resources.ts) and iam (iam.ts) list what exists, everything by default.
 */
export type FakeEc2ServerOptions = FakeCloudOptions & SecurityResourcesConfig & { iam?: IamConfig };

export interface FakeCall {
  service: 'ec2' | 'autoscaling' | 'iam' | 'sqs';
  action: string;
  params: URLSearchParams;
  /** Which of the server's listeners got the call: 0 for start()'s URL, 1… for startExtraListener()'s. */
  listener: number;
}

/** A call to receive but never answer (until stop()). */
export interface InjectedStall {
  /** Carry the call out first, then never answer. Default: the call is not carried out. */
  afterApplying?: boolean;
}

/** Calls of one action held until `count` of them have arrived (see gatherNext). */
interface Gathering {
  count: number;
  held: Array<() => void>;
  done: (gathered: boolean) => void;
}

/** A failure to inject into the next call of an action. */
export interface InjectedFailure {
  code: string;
  message?: string;
  status?: number;
  /** Carry the call out first, then answer with the error (a lost answer: the client retries). */
  afterApplying?: boolean;
}

/**
 * An EC2-compatible endpoint for tests, over loopback: the EC2 query protocol for instances,
 * launch templates, subnets, EC2 Fleet and Spot Fleet, and the Auto Scaling query protocol on the
 * same URL (routed by the `Version` parameter, as every SDK client shares AWS_ENDPOINT_URL). Every
 * call first moves the fake cloud along (transitions, fleet and group reconciliation), like AWS's
 * own background work; `tick()` does the same between calls. Time comes from `now`: a stepping clock
 * for unit-speed tests, `Date.now` with a short `transitionMs` for end-to-end runs.
 *
 * Drills, each modelled on AWS's documentation (the pages are cited where each is modelled, under
 * fake-aws/): interruptSpot (spot interruption notice), markUnhealthy (Auto Scaling health
 * replacement; SuspendProcesses / ResumeProcesses / SetInstanceProtection go through the API),
 * setVisibilityLag (eventual consistency), setNoCapacity / clearNoCapacity (InsufficientInstanceCapacity),
 * subnetZone (subnets and zones), failNext (an error answer), stallNext (no answer) and
 * startExtraListener — more URLs onto the same cloud, for AWS_ENDPOINT_URL_<SERVICE> versus
 * AWS_ENDPOINT_URL ("Service-specific endpoints", AWS SDKs and Tools Reference Guide,
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html: the service-specific
 * endpoint "overrides any global endpoint set in AWS_ENDPOINT_URL").
 *
 * What `templates validate --cloud` asks: instance types, their offerings and spot prices
 * (instance-catalog.ts: notOffered, setSpotPrice), security groups and key pairs
 * (security-resources.ts), IAM instance profiles and roles (iam.ts, awsQuery routed by Version
 * 2010-05-08), and what the credentials may do, DryRun included (permissions.ts: deny).
 *
 * Not modelled: pagination (no answer carries a NextToken), SSM, the
 * `pending_termination` fleet state, AWS's choice of which unprotected group member to scale in,
 * rejection of ModifyFleet on `request` fleets, and RunInstances with an unknown AMI (accepted).
 */
export class FakeEc2Server {
  readonly cloud: FakeCloud;
  readonly ec2Fleets: FakeEc2Fleets;
  readonly spotFleets: FakeSpotFleets;
  readonly autoScaling: FakeAutoScaling;
  /** Instance types, offerings and spot prices (notOffered, setSpotPrice). */
  readonly catalog: FakeInstanceCatalog;
  /** What the credentials may do (deny) and DryRun. */
  readonly permissions: FakePermissions;
  private readonly security: FakeSecurityResources;
  private readonly iam: FakeIam;
  /** Every call received, in order. */
  readonly calls: FakeCall[] = [];
  /** SQS queues by name (see createInterruptionQueue). */
  readonly queues = new Map<string, FakeSqsQueue>();
  private readonly ec2Instances: FakeEc2Instances;
  private readonly failures = new Map<string, InjectedFailure[]>();
  private readonly stalls = new Map<string, InjectedStall[]>();
  private readonly gatherings = new Map<string, Gathering>();
  private readonly servers: Server[] = [];
  private readonly urls: string[] = [];
  private requestCounter = 0;

  constructor(now: () => number, images: Record<string, string> = {}, options: FakeEc2ServerOptions = {}) {
    this.cloud = new FakeCloud(now, options, images);
    this.ec2Instances = new FakeEc2Instances(this.cloud, images);
    this.ec2Fleets = new FakeEc2Fleets(this.cloud);
    this.spotFleets = new FakeSpotFleets(this.cloud);
    this.autoScaling = new FakeAutoScaling(this.cloud);
    this.catalog = new FakeInstanceCatalog(now, () => this.cloud.subnets.zones());
    this.permissions = new FakePermissions();
    this.security = new FakeSecurityResources(options);
    this.iam = new FakeIam(options.iam);
  }

  get instances(): Map<string, FakeInstance> {
    return this.cloud.instances;
  }

  get launchTemplates(): Map<string, FakeLaunchTemplate> {
    return this.cloud.launchTemplates;
  }

  /** Opens the server's first listener (listener 0) on a free loopback port; returns its URL. */
  async start(): Promise<string> {
    return this.listen();
  }

  /**
   * Opens another URL served by the same cloud (listener 1, 2…), so a test can point a per-service
   * endpoint (AWS_ENDPOINT_URL_EC2) at one URL and AWS_ENDPOINT_URL at another and check, through
   * `FakeCall.listener`, which URL each service's calls reached.
   */
  async startExtraListener(): Promise<string> {
    if (this.servers.length === 0) throw new Error('start() the server before opening an extra listener');
    return this.listen();
  }

  /** Closes every listener at once, dropping open connections (stalled calls included). */
  async stop(): Promise<void> {
    const servers = this.servers.splice(0);
    await Promise.all(
      servers.map((server) => {
        server.closeAllConnections();
        return new Promise<void>((resolve) => server.close(() => resolve()));
      }),
    );
  }

  private async listen(): Promise<string> {
    const listener = this.servers.length;
    const server = createServer((request, response) => void this.handle(request, response, listener));
    this.servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.urls.push(url);
    return url;
  }

  /** Actions received, in order. */
  actions(): string[] {
    return this.calls.map((call) => call.action);
  }

  /** Calls of one action. */
  callsOf(action: string): FakeCall[] {
    return this.calls.filter((call) => call.action === action);
  }

  /** Moves the cloud along now: transitions, fleets and groups filling or replacing capacity. */
  tick(): void {
    this.cloud.tick();
  }

  /** Makes the next call of `action` fail once (queue several for several calls). */
  failNext(action: string, failure: InjectedFailure): void {
    this.failures.set(action, [...(this.failures.get(action) ?? []), failure]);
  }

  /**
   * Makes the next call of `action` be received (it is in `calls`) but never answered; the client
   * waits until its own timeout or until stop(). Queue several for several calls.
   */
  stallNext(action: string, options: InjectedStall = {}): void {
    this.stalls.set(action, [...(this.stalls.get(action) ?? []), options]);
  }

  /**
   * Holds the next `count` calls of `action` until all of them have arrived, then answers them
   * together, each as of that moment: processes racing on a step are made to overlap there, instead
   * of by luck. Resolves true once they did; false if fewer came within `timeoutMs` (those that
   * came are answered then).
   */
  gatherNext(action: string, count: number, timeoutMs = 20_000): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => release(false), timeoutMs);
      const gathering: Gathering = { count, held: [], done: (gathered) => release(gathered) };
      const release = (gathered: boolean) => {
        clearTimeout(timer);
        if (this.gatherings.get(action) === gathering) this.gatherings.delete(action);
        for (const answer of gathering.held.splice(0)) answer();
        resolve(gathered);
      };
      this.gatherings.set(action, gathering);
    });
  }

  /**
   * Gives a spot instance EC2's interruption notice: its spot request status becomes `options.code`
   * (default `instance-terminated-no-capacity`) at once, it keeps running for `spotNoticeMs`, then
   * shuts down with StateReason Server.SpotInstanceTermination. See FakeCloud.interrupt.
   */
  interruptSpot(instanceId: string, options: { code?: string } = {}): void {
    const instance = this.cloud.instances.get(instanceId);
    if (!instance || instance.lifecycle !== 'spot') throw new Error(`${instanceId} is not a spot instance of this cloud`);
    this.cloud.interrupt(instance, options.code);
  }

  /**
   * An SQS queue fed with the four event types docs/aws.md's EventBridge rules route (spot
   * interruption warnings, rebalance recommendations, AWS Health scheduled changes, instance state
   * changes), as the rules would; returns its URL (on the first listener).
   */
  createInterruptionQueue(name = 'hostfactory-interruptions'): FakeSqsQueue {
    const base = this.urls[0];
    if (!base) throw new Error('start() the server before creating a queue');
    const queue = new FakeSqsQueue(`${base}/123456789012/${name}`, this.cloud.now);
    this.queues.set(name, queue);
    this.cloud.onEvent((event) => queue.send(JSON.stringify(event)));
    return queue;
  }

  /**
   * EC2 User Guide, "EC2 instance rebalance recommendations"
   * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/rebalance-recommendations.html): the
   * `EC2 Instance Rebalance Recommendation` event, with `instance-id`; the instance keeps running.
   */
  recommendRebalance(instanceId: string): void {
    this.cloud.emit('aws.ec2', 'EC2 Instance Rebalance Recommendation', { 'instance-id': instanceId }, [`arn:aws:ec2:us-east-1:123456789012:instance/${instanceId}`]);
  }

  /**
   * AWS Health User Guide, "Reference: AWS Health events Amazon EventBridge schema"
   * (https://docs.aws.amazon.com/health/latest/ug/aws-health-events-eventbridge-schema.html): an
   * `AWS Health Event` of service EC2, category `scheduledChange`, naming the instances in
   * `affectedEntities` and the change's start in `startTime` (RFC 1123, as the sample payloads).
   */
  scheduleChange(instanceIds: string[], startTime: number, eventTypeCode = 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED'): void {
    this.cloud.emit('aws.health', 'AWS Health Event', {
      eventArn: `arn:aws:health:us-east-1::event/EC2/${eventTypeCode}/${eventTypeCode}_${this.cloud.nextId('evt', 8)}`,
      service: 'EC2',
      eventTypeCode,
      eventTypeCategory: 'scheduledChange',
      startTime: new Date(startTime).toUTCString(),
      affectedEntities: instanceIds.map((entityValue) => ({ entityValue })),
    });
  }

  /** Sets an Auto Scaling group member's health to Unhealthy, as SetInstanceHealth would (see asg-processes.ts). */
  markUnhealthy(instanceId: string): void {
    this.tick();
    this.autoScaling.markUnhealthy(instanceId);
  }

  /** From now on, new instances, fleets, spot fleet requests and groups stay invisible for `ms` (0: off). */
  setVisibilityLag(ms: number): void {
    this.cloud.visibilityLagMs = ms;
  }

  /** Ends the lag now: every hidden instance, fleet and group becomes visible (a test need not bet on time). */
  revealHidden(): void {
    this.cloud.visibilityLagMs = 0;
    const hidden = [...this.cloud.instances.values(), ...this.ec2Fleets.fleets.values(), ...this.spotFleets.fleets.values(), ...this.autoScaling.groups.values()];
    for (const resource of hidden) resource.visibleAt = undefined;
  }

  /** No capacity for `instanceType` in `zone` (every zone when absent): launches there fail InsufficientInstanceCapacity. */
  setNoCapacity(instanceType: string, zone?: string): void {
    this.cloud.setNoCapacity(instanceType, zone);
  }

  /** Capacity everywhere again. */
  clearNoCapacity(): void {
    this.cloud.clearNoCapacity();
  }

  /** The Availability Zone of a subnet (configured or derived); throws for a subnet that does not exist. */
  subnetZone(subnetId: string): string {
    return this.cloud.subnets.zoneOf(subnetId);
  }

  /** Terminates an instance behind HostFactory's back (the console, a retirement, an interruption that ran out). */
  terminateOutside(instanceId: string, reason = 'Client.UserInitiatedShutdown: User initiated shutdown'): void {
    const instance = this.cloud.instances.get(instanceId);
    if (!instance) throw new Error(`${instanceId} is not an instance of this cloud`);
    this.cloud.terminate(instance, reason);
  }

  /** Everything the cloud holds for a HostFactory request (by its tags and its resources' tags). */
  resourcesOf(requestId: string): RequestResources {
    this.tick();
    return resourcesOfRequest(this, requestId);
  }

  private async handle(request: IncomingMessage, response: ServerResponse, listener: number): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const target = request.headers['x-amz-target'];
    if (typeof target === 'string' && target.startsWith(SQS_TARGET_PREFIX)) {
      this.answerSqs(target.slice(SQS_TARGET_PREFIX.length), Buffer.concat(chunks).toString('utf8'), response, listener);
      return;
    }
    const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const action = params.get('Action') ?? '';
    const version = params.get('Version');
    const service = version === AUTOSCALING_VERSION ? 'autoscaling' : version === IAM_VERSION ? 'iam' : 'ec2';
    this.calls.push({ service, action, params, listener });
    const requestId = `fake-${(this.requestCounter += 1)}`;
    const stall = this.stalls.get(action)?.shift();
    if (stall) {
      if (stall.afterApplying) {
        try {
          this.tick();
          this.answer(service, action, params);
        } catch {
          // The answer is never sent anyway.
        }
      }
      return;
    }
    const gathering = this.gatherings.get(action);
    if (gathering) {
      await new Promise<void>((release) => {
        gathering.held.push(release);
        if (gathering.held.length === gathering.count) gathering.done(true);
      });
    }
    const failure = this.takeFailure(action);
    try {
      if (failure && !failure.afterApplying) throw toError(failure);
      this.tick();
      const body = this.answer(service, action, params);
      if (failure) throw toError(failure);
      // The Date header tells the fake's clock, as AWS's tells its own (what clock-skew checks read).
      response.writeHead(200, { 'content-type': 'text/xml', date: new Date(this.cloud.now()).toUTCString() });
      response.end(service === 'ec2' ? ec2Response(action, requestId, body) : awsQueryResponse(action, requestId, body, version ?? undefined));
    } catch (error) {
      const failed = error instanceof QueryError ? error : new QueryError('InternalError', (error as Error).message, 500);
      response.writeHead(failed.status, { 'content-type': 'text/xml' });
      response.end(service === 'ec2' ? ec2ErrorResponse(failed, requestId) : awsQueryErrorResponse(failed, requestId, version ?? undefined));
    }
  }

  /**
   * The AWS JSON 1.0 protocol SQS speaks (SQS API Reference, "Making query API requests using AWS
   * JSON protocol", https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-making-api-requests-json.html):
   * POST, `X-Amz-Target: AmazonSQS.<Action>`, a JSON body naming QueueUrl; errors as `__type`.
   */
  private answerSqs(action: string, text: string, response: ServerResponse, listener: number): void {
    const input = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    this.calls.push({ service: 'sqs', action, params: new URLSearchParams(), listener });
    const json = { 'content-type': 'application/x-amz-json-1.0' };
    const failure = this.takeFailure(action);
    try {
      if (failure) throw toError(failure);
      this.tick();
      const name = String(input.QueueUrl ?? '').split('/').pop() ?? '';
      const queue = this.queues.get(name);
      if (!queue) throw new QueryError('QueueDoesNotExist', 'The specified queue does not exist.');
      response.writeHead(200, json);
      response.end(JSON.stringify(queue.answer(action, input)));
    } catch (error) {
      const failed = error instanceof QueryError ? error : new QueryError('InternalError', (error as Error).message, 500);
      response.writeHead(failed.status, { ...json, 'x-amzn-query-error': `${failed.code};Sender` });
      response.end(JSON.stringify({ __type: `com.amazonaws.sqs#${failed.code}`, message: failed.message }));
    }
  }

  private answer(service: Exclude<FakeCall['service'], 'sqs'>, action: string, params: URLSearchParams): string {
    this.permissions.authorize(service, action, params);
    const ec2 = () =>
      this.ec2Instances.answer(action, params) ??
      this.ec2Fleets.answer(action, params) ??
      this.spotFleets.answer(action, params) ??
      this.catalog.answer(action, params) ??
      this.security.answer(action, params);
    const body = service === 'autoscaling' ? this.autoScaling.answer(action, params) : service === 'iam' ? this.iam.answer(action, params) : ec2();
    if (body === undefined) throw new QueryError('InvalidAction', `The action ${action} is not valid for this web service.`);
    return body;
  }

  private takeFailure(action: string): InjectedFailure | undefined {
    const queue = this.failures.get(action);
    return queue?.shift();
  }
}

function toError(failure: InjectedFailure): QueryError {
  return new QueryError(failure.code, failure.message ?? `injected ${failure.code}`, failure.status ?? (failure.code === 'InternalError' ? 500 : 400));
}
