import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeAutoScaling } from './fake-aws/auto-scaling-groups.js';
import { FakeEc2Fleets } from './fake-aws/ec2-fleets.js';
import { FakeEc2Instances } from './fake-aws/ec2-instances.js';
import { FakeCloud, type FakeCloudOptions, type FakeInstance, type FakeLaunchTemplate } from './fake-aws/fake-cloud.js';
import { FakeSpotFleets } from './fake-aws/spot-fleets.js';
import {
  AUTOSCALING_VERSION,
  awsQueryErrorResponse,
  awsQueryResponse,
  ec2ErrorResponse,
  ec2Response,
  QueryError,
} from './fake-aws/query-protocol.js';
import { resourcesOfRequest, type RequestResources } from './fake-aws/request-resources.js';

export type { FakeInstance, FakeLaunchTemplate } from './fake-aws/fake-cloud.js';
export type { FakeEc2Fleet } from './fake-aws/ec2-fleets.js';
export type { FakeSpotFleet } from './fake-aws/spot-fleets.js';
export type { FakeAutoScalingGroup } from './fake-aws/auto-scaling-groups.js';
export type { RequestResources } from './fake-aws/request-resources.js';

export type FakeEc2ServerOptions = FakeCloudOptions;

export interface FakeCall {
  service: 'ec2' | 'autoscaling';
  action: string;
  params: URLSearchParams;
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
 * launch templates, EC2 Fleet and Spot Fleet, and the Auto Scaling query protocol on the same
 * URL (routed by the `Version` parameter, as every SDK client shares AWS_ENDPOINT_URL). Every call
 * first moves the fake cloud along (transitions, fleet and group reconciliation), like AWS's own
 * background work; `tick()` does the same between calls. Time comes from `now`: a stepping clock
 * for unit-speed tests, `Date.now` with a short `transitionMs` for end-to-end runs.
 */
export class FakeEc2Server {
  readonly cloud: FakeCloud;
  readonly ec2Fleets: FakeEc2Fleets;
  readonly spotFleets: FakeSpotFleets;
  readonly autoScaling: FakeAutoScaling;
  /** Every call received, in order. */
  readonly calls: FakeCall[] = [];
  private readonly ec2Instances: FakeEc2Instances;
  private readonly failures = new Map<string, InjectedFailure[]>();
  private server?: Server;
  private requestCounter = 0;

  constructor(now: () => number, images: Record<string, string> = {}, options: FakeEc2ServerOptions = {}) {
    this.cloud = new FakeCloud(now, options);
    this.ec2Instances = new FakeEc2Instances(this.cloud, images);
    this.ec2Fleets = new FakeEc2Fleets(this.cloud);
    this.spotFleets = new FakeSpotFleets(this.cloud);
    this.autoScaling = new FakeAutoScaling(this.cloud);
  }

  get instances(): Map<string, FakeInstance> {
    return this.cloud.instances;
  }

  get launchTemplates(): Map<string, FakeLaunchTemplate> {
    return this.cloud.launchTemplates;
  }

  async start(): Promise<string> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
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

  /** Gives a spot instance EC2's two-minute interruption notice. */
  interruptSpot(instanceId: string): void {
    const instance = this.cloud.instances.get(instanceId);
    if (!instance || instance.lifecycle !== 'spot') throw new Error(`${instanceId} is not a spot instance of this cloud`);
    instance.interruptionNoticeAt = this.cloud.now();
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

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const action = params.get('Action') ?? '';
    const service = params.get('Version') === AUTOSCALING_VERSION ? 'autoscaling' : 'ec2';
    this.calls.push({ service, action, params });
    const requestId = `fake-${(this.requestCounter += 1)}`;
    const failure = this.takeFailure(action);
    try {
      if (failure && !failure.afterApplying) throw toError(failure);
      this.tick();
      const body = this.answer(service, action, params);
      if (failure) throw toError(failure);
      response.writeHead(200, { 'content-type': 'text/xml' });
      response.end(service === 'ec2' ? ec2Response(action, requestId, body) : awsQueryResponse(action, requestId, body));
    } catch (error) {
      const failed = error instanceof QueryError ? error : new QueryError('InternalError', (error as Error).message, 500);
      response.writeHead(failed.status, { 'content-type': 'text/xml' });
      response.end(service === 'ec2' ? ec2ErrorResponse(failed, requestId) : awsQueryErrorResponse(failed, requestId));
    }
  }

  private answer(service: FakeCall['service'], action: string, params: URLSearchParams): string {
    const body =
      service === 'autoscaling'
        ? this.autoScaling.answer(action, params)
        : (this.ec2Instances.answer(action, params) ?? this.ec2Fleets.answer(action, params) ?? this.spotFleets.answer(action, params));
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
