import {
  CancelSpotFleetRequestsCommand,
  DescribeSpotFleetInstancesCommand,
  DescribeSpotFleetRequestHistoryCommand,
  DescribeSpotFleetRequestsCommand,
  ModifySpotFleetRequestCommand,
  RequestSpotFleetCommand,
  type LaunchTemplateOverrides,
  type SpotFleetRequestConfig,
  type SpotFleetRequestConfigData,
} from '@aws-sdk/client-ec2';
import { HostFactoryError } from '../../domain/errors.js';
import type { LaunchResult } from '../../domain/ports/cloud-provider.js';
import {
  createdLaunchTemplates,
  joinReasons,
  unitsOfMachines,
  validUntilOf,
  type ApiHandler,
  type AwsContext,
  type LaunchContext,
  type Observation,
  type ObservedRequest,
  type ReleaseGroup,
  type ReleaseOutcome,
} from './api-handler.js';
import { callAws, isNotFound } from './aws-error-classifier.js';
import { overridesOf } from './fleet-overrides.js';
import type { HeterogeneousFallback } from './heterogeneous-fallback.js';
import { chunk, describeTolerant, describeWithRetry } from './instance-reader.js';
import { terminateInstances } from './instance-terminator.js';
import { toRecord, type AwsProviderData } from './provider-data.js';
import { toEc2Tags } from './resource-tags.js';
import { activeInstanceIds } from './active-instance-ids.js';

const FINAL_STATES = new Set(['cancelled', 'cancelled_running', 'cancelled_terminating', 'failed']);
/** A heterogeneous fleet still short this close to its expiry falls back to on-demand. */
export const FALLBACK_LEAD_MS = 120_000;

/**
 * Spot Fleet (RequestSpotFleet) of type request or maintain. ClientToken = request id. Final
 * when cancelled, failed or past ValidUntil (spotFleetRequestExpiry).
 */
export class SpotFleetHandler implements ApiHandler {
  constructor(
    private readonly context: AwsContext,
    private readonly fallback?: HeterogeneousFallback,
  ) {}

  async launch(launch: LaunchContext): Promise<LaunchResult> {
    const { plan, template, launchTemplate } = launch;
    if (!template.fleetRole) throw new HostFactoryError('INVALID_INPUT', `template ${template.templateId}: a Spot Fleet needs a fleetRole`);
    const fleetType = launch.fleetType === 'maintain' ? 'maintain' : 'request';
    const validUntil = new Date(validUntilOf(template, this.context.clock.now()));
    const overrides: LaunchTemplateOverrides[] = overridesOf(plan, template).map((entry) => ({
      InstanceType: entry.instanceType as LaunchTemplateOverrides['InstanceType'],
      WeightedCapacity: entry.weight,
      Priority: entry.priority,
      ...(entry.subnetId ? { SubnetId: entry.subnetId } : {}),
    }));
    const config: SpotFleetRequestConfigData = {
      ClientToken: launch.requestId,
      IamFleetRole: template.fleetRole,
      Type: fleetType,
      TargetCapacity: plan.units,
      OnDemandTargetCapacity: plan.onDemandUnits,
      AllocationStrategy: plan.spotStrategy,
      OnDemandAllocationStrategy: plan.onDemandStrategy,
      ...(plan.spotStrategy === 'lowestPrice' && plan.poolsCount ? { InstancePoolsToUseCount: plan.poolsCount } : {}),
      ...(plan.maxSpotPrice !== undefined ? { SpotPrice: String(plan.maxSpotPrice) } : {}),
      ValidUntil: validUntil,
      TerminateInstancesWithExpiration: false,
      ...(fleetType === 'maintain' ? { ExcessCapacityTerminationPolicy: 'noTermination' as const } : {}),
      InstanceInterruptionBehavior: 'terminate',
      LaunchTemplateConfigs: [
        { LaunchTemplateSpecification: { LaunchTemplateId: launchTemplate.launchTemplateId, Version: launchTemplate.version }, Overrides: overrides },
      ],
      TagSpecifications: [{ ResourceType: 'spot-fleet-request', Tags: toEc2Tags(launch.tags) }],
    };
    const ec2 = await this.context.clients.ec2();
    const output = await callAws('ec2:RequestSpotFleet', () => ec2.send(new RequestSpotFleetCommand({ SpotFleetRequestConfig: config })));
    if (!output.SpotFleetRequestId) throw new HostFactoryError('CLOUD_ERROR', 'ec2:RequestSpotFleet returned no request id');
    const data: AwsProviderData = {
      api: 'SpotFleet',
      fleetType,
      spotFleetRequestId: output.SpotFleetRequestId,
      launchTemplateId: launchTemplate.launchTemplateId,
      launchTemplateVersion: launchTemplate.version,
      launchTemplateCreated: launchTemplate.created,
      units: plan.units,
      validUntil: validUntil.getTime(),
    };
    return { machines: [], providerData: toRecord(data) };
  }

  async observe(requests: readonly ObservedRequest[]): Promise<Map<string, Observation>> {
    const observations = new Map<string, Observation>();
    const ids = requests.flatMap((request) => (request.data.spotFleetRequestId ? [request.data.spotFleetRequestId] : []));
    const fleets = await this.describe(ids);
    const now = this.context.clock.now();
    for (const request of requests) {
      const id = request.data.spotFleetRequestId ?? '';
      const fleet = fleets.get(id);
      const state = fleet?.SpotFleetRequestState ?? '';
      const live = fleet !== undefined && (!FINAL_STATES.has(state) || state === 'cancelled_running');
      const fallbackIds = request.data.fallbackInstanceIds ?? [];
      const instanceIds = [...(live ? await this.activeInstances(id) : []), ...fallbackIds];
      const owners = { ...Object.fromEntries(instanceIds.map((instanceId) => [instanceId, id])), ...(request.data.owners ?? {}) };
      const expired = request.data.validUntil !== undefined && now >= request.data.validUntil;
      const done = request.data.fleetType === 'request' && fleet?.ActivityStatus === 'fulfilled';
      const final = request.data.final === true || !fleet || done || FINAL_STATES.has(state) || expired;
      const observation: Observation = { instanceIds, owners, final, message: request.data.finalMessage };
      const config = fleet?.SpotFleetRequestConfig;
      const short = !fleet || (config?.FulfilledCapacity ?? 0) < (config?.TargetCapacity ?? 0);
      const nearExpiry = request.data.validUntil !== undefined && now >= request.data.validUntil - FALLBACK_LEAD_MS;
      if (fleet && short && nearExpiry && request.data.final !== true && state !== 'failed' && this.fallback?.applies(request)) {
        const { data, message } = await this.fallback.run(request, fleet);
        observation.instanceIds.push(...(data.fallbackInstanceIds ?? []));
        Object.assign(observation.owners, data.owners ?? {});
        observation.final = true;
        observation.message = message;
        observation.providerData = { ...data, final: true, ...(message ? { finalMessage: message } : {}) };
      } else if (final && short && request.data.finalMessage === undefined && request.data.fallbackInstanceIds === undefined) {
        const reason = fleet ? await this.errorHistory(id, request.request.createdAt) : undefined;
        const head = fleet ? `spot fleet ${state}${expired ? ', expired' : ''}${fleet.ActivityStatus === 'error' ? ', in error' : ''}` : 'spot fleet request no longer exists';
        const finalMessage = [head, reason].filter(Boolean).join(': ');
        observation.message = finalMessage;
        observation.providerData = { ...request.data, final: true, finalMessage };
      }
      observations.set(request.request.requestId, observation);
    }
    return observations;
  }

  private async describe(ids: string[]): Promise<Map<string, SpotFleetRequestConfig>> {
    const fleets = new Map<string, SpotFleetRequestConfig>();
    if (ids.length === 0) return fleets;
    const ec2 = await this.context.clients.ec2();
    const found = await describeTolerant(ids, 1000, async (part) => {
      const output = await describeWithRetry(
        this.context.config,
        'ec2:DescribeSpotFleetRequests',
        () => ec2.send(new DescribeSpotFleetRequestsCommand({ SpotFleetRequestIds: part })),
        isNotFound,
      );
      return output.SpotFleetRequestConfigs ?? [];
    });
    for (const fleet of found) if (fleet.SpotFleetRequestId) fleets.set(fleet.SpotFleetRequestId, fleet);
    return fleets;
  }

  private async activeInstances(id: string): Promise<string[]> {
    const ec2 = await this.context.clients.ec2();
    return activeInstanceIds((NextToken) =>
      describeWithRetry(this.context.config, 'ec2:DescribeSpotFleetInstances', () => ec2.send(new DescribeSpotFleetInstancesCommand({ SpotFleetRequestId: id, NextToken }))),
    );
  }

  private async errorHistory(id: string, since: number): Promise<string | undefined> {
    const ec2 = await this.context.clients.ec2();
    const output = await describeWithRetry(this.context.config, 'ec2:DescribeSpotFleetRequestHistory', () =>
      ec2.send(new DescribeSpotFleetRequestHistoryCommand({ SpotFleetRequestId: id, StartTime: new Date(since), EventType: 'error' })),
    );
    return joinReasons(
      (output.HistoryRecords ?? []).map((record) => [record.EventInformation?.EventSubType, record.EventInformation?.EventDescription].filter(Boolean).join(': ')),
    );
  }

  async release(groups: readonly ReleaseGroup[]): Promise<ReleaseOutcome> {
    const ec2 = await this.context.clients.ec2();
    const byFleet = new Map<string, ReleaseGroup[]>();
    for (const group of groups) {
      const id = group.data.spotFleetRequestId ?? '';
      byFleet.set(id, [...(byFleet.get(id) ?? []), group]);
    }
    const toTerminate = groups.flatMap((group) => group.machines.map((machine) => machine.machineId));
    const maintained = [...byFleet.entries()].filter(([id, list]) => id !== '' && list[0].data.fleetType === 'maintain');
    const fleets = await this.describe(maintained.map(([id]) => id));
    const toCancel: string[] = [];
    for (const [id, list] of maintained) {
      const fleet = fleets.get(id);
      if (!fleet || FINAL_STATES.has(fleet.SpotFleetRequestState ?? '')) continue;
      const config = fleet.SpotFleetRequestConfig;
      const current = Math.min(config?.TargetCapacity ?? 0, config?.FulfilledCapacity ?? Infinity);
      const fromFleet = list.flatMap((group) => group.machines).filter((machine) => !machine.resourceId || machine.resourceId === id);
      const target = Math.max(0, Math.floor(current - unitsOfMachines(fromFleet)));
      if (target === 0) {
        toCancel.push(id);
        continue;
      }
      await callAws('ec2:ModifySpotFleetRequest', () =>
        ec2.send(
          new ModifySpotFleetRequestCommand({
            SpotFleetRequestId: id,
            TargetCapacity: target,
            OnDemandTargetCapacity: Math.min(config?.OnDemandTargetCapacity ?? 0, target),
            ExcessCapacityTerminationPolicy: 'noTermination',
          }),
        ),
      );
    }
    await terminateInstances(ec2, toTerminate);
    const returned = new Set(toTerminate);
    for (const [id, list] of byFleet) {
      if (id === '' || list[0].data.fleetType === 'maintain') continue;
      const left = await this.activeInstances(id).catch((error: unknown) => {
        if (isNotFound((error as { cause?: unknown }).cause)) return [];
        throw error;
      });
      if (left.every((instanceId) => returned.has(instanceId))) toCancel.push(id);
    }
    for (const part of chunk(toCancel, 100)) {
      const output = await callAws('ec2:CancelSpotFleetRequests', () =>
        ec2.send(new CancelSpotFleetRequestsCommand({ SpotFleetRequestIds: part, TerminateInstances: true })),
      );
      for (const failure of output.UnsuccessfulFleetRequests ?? []) {
        if (failure.Error?.Code === 'fleetRequestIdDoesNotExist') continue;
        this.context.logger.warn({ spotFleetRequestId: failure.SpotFleetRequestId, error: failure.Error?.Message }, 'spot fleet request not cancelled');
      }
    }
    return { freedLaunchTemplates: createdLaunchTemplates(groups) };
  }
}
