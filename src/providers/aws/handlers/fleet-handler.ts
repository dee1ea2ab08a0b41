import type { CloudMachine } from '../../../domain/machine.js';
import type { LaunchResult } from '../../../domain/ports/cloud-provider.js';
import { unitsOf } from '../../../domain/template.js';
import { AwsCallError, awsReason, isCapacityError, isPoolCapacityError } from '../ec2/aws-errors.js';
import type { FleetInstance, FleetView } from '../ec2/fleet-gateway.js';
import { toRecord, type AwsProviderData } from '../provider-data.js';
import { fromEc2Tags, toEc2Tags } from '../resource-tags.js';
import {
  joinReasons,
  validUntilOf,
  type ApiHandler,
  type AwsContext,
  type LaunchContext,
  type Observation,
  type ObservedRequest,
  type ReleaseGroup,
  type ReleaseOutcome,
} from './api-handler.js';
import type { FleetApi } from './fleet-api.js';
import { learnCapacity, withLearnt, type CapacityLearnt } from './capacity-history.js';
import { FleetReleaser } from './fleet-releaser.js';
import type { HeterogeneousFallback } from './heterogeneous-fallback.js';

/** A heterogeneous fleet still short this close to its expiry falls back to on-demand. */
export const FALLBACK_LEAD_MS = 120_000;

/**
 * The lifecycle EC2 Fleet and Spot Fleet share: launch (ClientToken = request id), observe (one
 * describe for all fleets, one instance listing per live fleet), end a request promptly when its
 * fleet is in error, failed, expired or gone, stop a fleet that ended short from launching more,
 * and give hosts back without anything replacing them. The API's spelling is in `api`.
 */
export class FleetHandler implements ApiHandler {
  private readonly releaser: FleetReleaser;

  constructor(
    private readonly context: AwsContext,
    private readonly api: FleetApi,
    private readonly fallback?: HeterogeneousFallback,
  ) {
    this.releaser = new FleetReleaser(context, api.gateway);
  }

  async launch(launch: LaunchContext): Promise<LaunchResult> {
    const fleetType = launch.fleetType ?? this.api.defaultType;
    const validUntil = validUntilOf(launch.template, this.context.clock.now());
    const created = await this.api.create(launch, fleetType, fleetType === 'request' ? new Date(validUntil) : undefined);
    const errors = created.errors.map((error) => `${error.code}: ${error.message}`);
    for (const error of created.errors) if (error.pool && isPoolCapacityError({ name: error.code })) launch.pools?.note(error.pool);
    if (fleetType === 'instant' && created.instances.length === 0) throw instantFleetError(created.errors);
    const launched = created.instances.reduce((sum, instance) => sum + unitsOf(launch.template, instance.instanceType), 0);
    const message =
      fleetType === 'instant' ? (launched < launch.plan.units ? `launched ${launched} of ${launch.plan.units} units; ${joinReasons(errors) ?? 'no more capacity'}` : undefined) : joinReasons(errors);
    const data: AwsProviderData = {
      api: this.api.gateway.api,
      fleetType,
      ...this.api.idData(created.id),
      instanceIds: fleetType === 'instant' ? created.instances.map((instance) => instance.instanceId) : undefined,
      launchTemplateId: launch.launchTemplate.launchTemplateId,
      launchTemplateVersion: launch.launchTemplate.version,
      launchTemplateCreated: launch.launchTemplate.created,
      units: launch.plan.units,
      onDemandUnits: launch.plan.onDemandUnits,
      validUntil,
      launchMessage: message,
    };
    const machines = created.instances.map((instance) => this.launchedMachine(launch, instance, created.id));
    return { machines, providerData: toRecord(data), message };
  }

  /** An instant fleet's instance as CreateFleet reports it: recorded at once, pending until described. */
  private launchedMachine(launch: LaunchContext, instance: FleetInstance, fleetId: string): CloudMachine {
    return {
      machineId: instance.instanceId,
      name: '',
      status: 'pending',
      privateIpAddress: null,
      publicIpAddress: null,
      launchTime: Math.floor(this.context.clock.now() / 1000),
      instanceType: instance.instanceType ?? '',
      priceType: instance.spot ? 'spot' : 'ondemand',
      weight: unitsOf(launch.template, instance.instanceType),
      instanceTags: fromEc2Tags(toEc2Tags(launch.tags)),
      cloudHostId: null,
      resourceId: fleetId,
    };
  }

  async observe(requests: readonly ObservedRequest[]): Promise<Map<string, Observation>> {
    const observations = new Map<string, Observation>();
    const ongoing = requests.filter((request) => request.data.fleetType !== 'instant' && this.api.idOf(request.data));
    for (const request of requests) {
      if (ongoing.includes(request)) continue;
      const fleetId = this.api.idOf(request.data) ?? '';
      const owners = Object.fromEntries((request.data.instanceIds ?? []).map((id) => [id, fleetId]));
      observations.set(request.request.requestId, { instanceIds: request.data.instanceIds ?? [], owners, final: true, message: request.data.launchMessage });
    }
    if (ongoing.length === 0) return observations;
    let fleets: Map<string, FleetView>;
    try {
      fleets = await this.api.gateway.describe(ongoing.map((request) => this.api.idOf(request.data)!));
    } catch (error) {
      for (const request of ongoing) observations.set(request.request.requestId, unobserved(request, error));
      return observations;
    }
    for (const request of ongoing) {
      try {
        observations.set(request.request.requestId, await this.observeOne(request, fleets.get(this.api.idOf(request.data)!)));
      } catch (error) {
        observations.set(request.request.requestId, unobserved(request, error));
      }
    }
    return observations;
  }

  private async observeOne(request: ObservedRequest, fleet: FleetView | undefined): Promise<Observation> {
    const id = this.api.idOf(request.data)!;
    const now = this.context.clock.now();
    if (!fleet && request.data.final !== true && now - request.request.createdAt < this.context.config.instancePendingTimeoutSec * 1000) {
      const { data } = request;
      return { instanceIds: data.fallbackInstanceIds ?? [], owners: data.owners ?? {}, final: false, message: `${this.api.label} ${id} not visible in EC2 yet (eventual consistency)` };
    }
    const short = !fleet || fleet.fulfilled < fleet.total;
    const learnt: CapacityLearnt = fleet ? await learnCapacity(this.context, request, short, (since) => this.api.gateway.capacityEvents(id, since)) : { offerings: [] };
    const observation = await this.follow({ ...request, data: learnt.data ?? request.data }, fleet, short);
    return withLearnt(observation, learnt);
  }

  /** What the fleet's state means for the request: still filling, final, or falling back on demand. */
  private async follow(request: ObservedRequest, fleet: FleetView | undefined, short: boolean): Promise<Observation> {
    const { data } = request;
    const id = this.api.idOf(data)!;
    const now = this.context.clock.now();
    const listed = fleet?.listable ? await this.api.gateway.instances(id) : [];
    const fallbackIds = data.fallbackInstanceIds ?? [];
    const instanceIds = [...listed.map((instance) => instance.instanceId), ...fallbackIds];
    const owners = { ...Object.fromEntries(listed.map((instance) => [instance.instanceId, id])), ...(data.owners ?? {}) };
    const expired = data.validUntil !== undefined && now >= data.validUntil;
    const inError = fleet?.activityStatus === 'error';
    const done = data.fleetType === 'request' && fleet?.activityStatus === 'fulfilled';
    const final = data.final === true || !fleet || done || fleet.ended || expired || inError;
    const observation: Observation = { instanceIds, owners, final, message: data.finalMessage ?? data.launchMessage };
    const nearExpiry = data.validUntil !== undefined && now >= data.validUntil - FALLBACK_LEAD_MS;
    if (fleet && short && nearExpiry && !inError && data.final !== true && fleet.state !== 'failed' && this.fallback?.applies(request)) {
      const fell = await this.fallback.run(request, fleet, () => this.api.gateway.remove([id], false));
      const fellBack = fell.offerings.length > 0 ? { unavailableOfferings: fell.offerings } : {};
      if (fell.retry) return { ...observation, final: false, message: fell.message, ...fellBack };
      observation.instanceIds.push(...(fell.data.fallbackInstanceIds ?? []));
      Object.assign(observation.owners, fell.data.owners ?? {});
      return { ...observation, final: true, message: fell.message, providerData: { ...fell.data, final: true, ...(fell.message ? { finalMessage: fell.message } : {}) }, ...fellBack };
    }
    if (final && (short || inError) && data.finalMessage === undefined && data.fallbackInstanceIds === undefined) {
      const reasons = fleet ? await this.api.gateway.errorHistory(id, request.request.createdAt) : [];
      if (fleet && !fleet.ended) await this.releaser.stopGrowing(fleet, listed, request);
      const head = fleet ? `${this.api.label} ${fleet.state}${expired ? ', expired' : ''}${inError ? ', in error' : ''}` : `${this.api.label} no longer exists`;
      const finalMessage = [head, joinReasons(reasons)].filter(Boolean).join(': ');
      return { ...observation, final: true, message: finalMessage, providerData: { ...data, final: true, finalMessage } };
    }
    return observation;
  }

  release(groups: readonly ReleaseGroup[]): Promise<ReleaseOutcome> {
    return this.releaser.release(groups, (data) => this.api.idOf(data));
  }

  stopReplacing(groups: readonly ReleaseGroup[]): Promise<void> {
    return this.releaser.stopReplacing(groups, (data) => this.api.idOf(data));
  }
}

/** A request whose fleet could not be observed this poll: unchanged, with the reason; the next poll tries again. */
function unobserved(request: ObservedRequest, error: unknown): Observation {
  return { instanceIds: request.data.instanceIds ?? [], owners: {}, final: false, message: `could not observe its fleet (${awsReason(error)}); retried next poll` };
}

/** An instant fleet that launched nothing: a capacity error only when every pool failed for capacity. */
function instantFleetError(errors: ReadonlyArray<{ code: string; message: string }>): AwsCallError {
  const isCapacity = (entry: { code: string }) => isCapacityError({ name: entry.code });
  const chosen = errors.every(isCapacity) ? errors[0] : errors.find((entry) => !isCapacity(entry));
  const reasons = joinReasons(errors.map((entry) => `${entry.code}: ${entry.message}`));
  const error = Object.assign(new Error(reasons ?? 'the instant fleet launched no instance'), { name: chosen?.code ?? 'UnfulfillableCapacity' });
  return new AwsCallError('ec2:CreateFleet', error);
}
