import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeAutoScaling } from './fake-aws/auto-scaling-groups.js';
import { CallFaults, toError, type InjectedFailure, type InjectedStall } from './fake-aws/call-faults.js';
import type { FakeEc2Fleets } from './fake-aws/ec2-fleets.js';
import type { FakeCloud, FakeCloudOptions, FakeInstance, FakeLaunchTemplate } from './fake-aws/fake-cloud.js';
import { FakeRegion, regionNotEnabled, signedRegion, type FakeRegionOptions } from './fake-aws/fake-region.js';
import { FakeIam, type IamConfig } from './fake-aws/iam.js';
import type { FakeInstanceCatalog } from './fake-aws/instance-catalog.js';
import { FakePermissions } from './fake-aws/permissions.js';
import { answerJson11, FakePricing, PRICING_TARGET_PREFIX } from './fake-aws/pricing.js';
import type { SecurityResourcesConfig } from './fake-aws/security-resources.js';
import type { FakeSpotFleets } from './fake-aws/spot-fleets.js';
import {
  AUTOSCALING_VERSION,
  awsQueryErrorResponse,
  awsQueryResponse,
  ec2ErrorResponse,
  ec2Response,
  IAM_VERSION,
  QueryError,
} from './fake-aws/query-protocol.js';
import type { RequestResources } from './fake-aws/request-resources.js';
import { FakeSqsQueue, SQS_TARGET_PREFIX } from './fake-aws/sqs-queue.js';

export type { FakeInstance, FakeLaunchTemplate } from './fake-aws/fake-cloud.js';
export type { FakeEc2Fleet } from './fake-aws/ec2-fleets.js';
export type { FakeSpotFleet } from './fake-aws/spot-fleets.js';
export type { FakeAutoScalingGroup, GroupMember } from './fake-aws/auto-scaling-groups.js';
export type { RequestResources } from './fake-aws/request-resources.js';
export type { SubnetConfig } from './fake-aws/subnets.js';
export type { FakeRegion, FakeRegionOptions } from './fake-aws/fake-region.js';
export type { InjectedFailure, InjectedStall } from './fake-aws/call-faults.js';

/**
 * transitionMs, replacementDelayMs, spotNoticeMs (default 120000), visibilityLagMs (default 0) and
 * subnets (`Record<subnetId, { zone, freeAddresses?, vpcId? }>`; when absent every `subnet-*` id
 * exists in a zone derived from the id). See FakeCloudOptions; securityGroups and keyPairs
 * (security-resources.ts) and iam (iam.ts) list what exists, everything by default. `region`
 * (default us-east-1) is the home region; `regions` the account's other enabled regions, each with
 * its own AMIs and subnets (fake-region.ts); a call signed for any other region answers AuthFailure.
 */
export type FakeEc2ServerOptions = Omit<FakeCloudOptions, 'firstId'> & SecurityResourcesConfig & { iam?: IamConfig; regions?: Record<string, FakeRegionOptions> };

export interface FakeCall {
  service: 'ec2' | 'autoscaling' | 'iam' | 'sqs' | 'pricing';
  action: string;
  params: URLSearchParams;
  /** Which of the server's listeners got the call: 0 for start()'s URL, 1… for startExtraListener()'s. */
  listener: number;
  /** The region the call was signed for (the home region when unsigned). */
  region: string;
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
 * Prices: the Price List Query API's GetProducts (pricing.ts, AWS JSON 1.1 routed by its
 * X-Amz-Target) and DescribeSpotPriceHistory (instance-catalog.ts).
 *
 * Regions: EC2 and Auto Scaling answer from the region each call is signed for, each with state of
 * its own (fake-region.ts: `region(name)`, `FakeCall.region`); IAM, SQS and Pricing are global here.
 *
 * Not modelled: pagination (no answer carries a NextToken, but GetProducts'), SSM, the
 * `pending_termination` fleet state, AWS's choice of which unprotected group member to scale in,
 * rejection of ModifyFleet on `request` fleets, and RunInstances with an unknown AMI (accepted).
 */
export class FakeEc2Server {
  /** The home region (where unsigned calls go); `cloud`, `ec2Fleets`… below are its state. */
  readonly home: FakeRegion;
  readonly cloud: FakeCloud;
  readonly ec2Fleets: FakeEc2Fleets;
  readonly spotFleets: FakeSpotFleets;
  readonly autoScaling: FakeAutoScaling;
  /** Instance types, offerings and spot prices (notOffered, setSpotPrice). */
  readonly catalog: FakeInstanceCatalog;
  /** What the credentials may do (deny) and DryRun. */
  readonly permissions: FakePermissions;
  /** The Price List Query API's GetProducts (setOnDemandPrice; inputs in `requests`), JSON 1.1 on the same URL. */
  readonly pricing = new FakePricing();
  private readonly regions = new Map<string, FakeRegion>();
  private readonly iam: FakeIam;
  /** Every call received, in order. */
  readonly calls: FakeCall[] = [];
  /** SQS queues by name (see createInterruptionQueue). */
  readonly queues = new Map<string, FakeSqsQueue>();
  private readonly faults = new CallFaults();
  private readonly servers: Server[] = [];
  private readonly urls: string[] = [];
  private requestCounter = 0;

  constructor(now: () => number, images: Record<string, string> = {}, options: FakeEc2ServerOptions = {}) {
    const { regions = {}, ...shared } = options;
    this.home = new FakeRegion(options.region ?? 'us-east-1', 0, now, images, shared);
    this.regions.set(this.home.name, this.home);
    ({ cloud: this.cloud, ec2Fleets: this.ec2Fleets, spotFleets: this.spotFleets, autoScaling: this.autoScaling, catalog: this.catalog } = this.home);
    for (const [name, own] of Object.entries(regions)) {
      this.regions.set(name, new FakeRegion(name, this.regions.size, now, own.images ?? {}, { ...shared, subnets: own.subnets }));
    }
    this.permissions = new FakePermissions();
    this.iam = new FakeIam(options.iam);
  }

  /** One enabled region's state; throws for a region the account does not have. */
  region(name: string): FakeRegion {
    const region = this.regions.get(name);
    if (!region) throw new Error(`${name} is not a region of this fake account`);
    return region;
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
    for (const region of this.regions.values()) region.cloud.tick();
  }

  /** See CallFaults.failNext. */
  failNext(action: string, failure: InjectedFailure): void {
    this.faults.failNext(action, failure);
  }

  /** See CallFaults.stallNext. */
  stallNext(action: string, options: InjectedStall = {}): void {
    this.faults.stallNext(action, options);
  }

  /** See CallFaults.gatherNext. */
  gatherNext(action: string, count: number, timeoutMs = 20_000): Promise<boolean> {
    return this.faults.gatherNext(action, count, timeoutMs);
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
    for (const region of this.regions.values()) region.revealHidden();
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
    return this.home.resourcesOf(requestId);
  }

  private async handle(request: IncomingMessage, response: ServerResponse, listener: number): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const target = request.headers['x-amz-target'];
    if (typeof target === 'string' && target.startsWith(SQS_TARGET_PREFIX)) {
      this.answerSqs(target.slice(SQS_TARGET_PREFIX.length), Buffer.concat(chunks).toString('utf8'), response, listener, signedRegion(request.headers.authorization) ?? this.home.name);
      return;
    }
    if (typeof target === 'string' && target.startsWith(PRICING_TARGET_PREFIX)) {
      const action = target.slice(PRICING_TARGET_PREFIX.length);
      this.calls.push({ service: 'pricing', action, params: new URLSearchParams(), listener, region: signedRegion(request.headers.authorization) ?? this.home.name });
      const failure = this.faults.takeFailure(action);
      answerJson11(response, () => {
        if (failure) throw toError(failure);
        return this.pricing.answer(action, JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>);
      });
      return;
    }
    const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const action = params.get('Action') ?? '';
    const version = params.get('Version');
    const service = version === AUTOSCALING_VERSION ? 'autoscaling' : version === IAM_VERSION ? 'iam' : 'ec2';
    const region = signedRegion(request.headers.authorization) ?? this.home.name;
    this.calls.push({ service, action, params, listener, region });
    const requestId = `fake-${(this.requestCounter += 1)}`;
    const stall = this.faults.takeStall(action);
    if (stall) {
      if (stall.afterApplying) {
        try {
          this.tick();
          this.answer(service, action, params, region);
        } catch {
          // The answer is never sent anyway.
        }
      }
      return;
    }
    await this.faults.gather(action);
    const failure = this.faults.takeFailure(action);
    try {
      if (failure && !failure.afterApplying) throw toError(failure);
      this.tick();
      const body = this.answer(service, action, params, region);
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
  private answerSqs(action: string, text: string, response: ServerResponse, listener: number, region: string): void {
    const input = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    this.calls.push({ service: 'sqs', action, params: new URLSearchParams(), listener, region });
    const json = { 'content-type': 'application/x-amz-json-1.0' };
    const failure = this.faults.takeFailure(action);
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

  /** IAM is global; EC2 and Auto Scaling answer from the region the call was signed for. */
  private answer(service: Exclude<FakeCall['service'], 'sqs' | 'pricing'>, action: string, params: URLSearchParams, region: string): string {
    const regional = service === 'iam' ? undefined : this.regions.get(region);
    if (service !== 'iam' && !regional) throw regionNotEnabled();
    this.permissions.authorize(service, action, params);
    const body = service === 'iam' ? this.iam.answer(action, params) : regional!.answer(service, action, params);
    if (body === undefined) throw new QueryError('InvalidAction', `The action ${action} is not valid for this web service.`);
    return body;
  }
}
