import {
  CreateFleetCommand,
  DeleteFleetsCommand,
  DescribeFleetHistoryCommand,
  DescribeFleetInstancesCommand,
  DescribeFleetsCommand,
  ModifyFleetCommand,
  type CreateFleetCommandInput,
  type FleetData,
  type FleetLaunchTemplateOverridesRequest,
} from '@aws-sdk/client-ec2';
import type { LaunchResult } from '../../domain/ports/cloud-provider.js';
import { unitsOf } from '../../domain/template.js';
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
import { callAws, isNotFound, translateAwsError } from './aws-error-classifier.js';
import { kebab } from './capacity-plan.js';
import { overridesOf } from './fleet-overrides.js';
import { chunk, describeTolerant, describeWithRetry } from './instance-reader.js';
import { terminateInstances } from './instance-terminator.js';
import { toRecord, type AwsProviderData } from './provider-data.js';
import { toEc2Tags } from './resource-tags.js';
import { activeInstanceIds } from './active-instance-ids.js';

const FINAL_STATES = new Set(['failed', 'deleted', 'deleted_running', 'deleted_terminating']);

/**
 * EC2 Fleet (CreateFleet) of type instant, request or maintain. ClientToken = request id.
 * Instant fleets are final once CreateFleet answers; request/maintain fleets are final when
 * deleted, failed or past ValidUntil (spotFleetRequestExpiry).
 */
export class Ec2FleetHandler implements ApiHandler {
  constructor(private readonly context: AwsContext) {}

  async launch(launch: LaunchContext): Promise<LaunchResult> {
    const ec2 = await this.context.clients.ec2();
    const input = this.input(launch);
    const output = await callAws('ec2:CreateFleet', () => ec2.send(new CreateFleetCommand(input)));
    if (!output.FleetId) throw translateAwsError(new Error('CreateFleet returned no fleet id'), 'ec2:CreateFleet');
    const instanceIds = (output.Instances ?? []).flatMap((entry) => entry.InstanceIds ?? []);
    const errors = (output.Errors ?? []).map((error) => `${error.ErrorCode ?? 'Error'}: ${error.ErrorMessage ?? ''}`);
    const fleetType = launch.fleetType ?? 'instant';
    if (fleetType === 'instant' && instanceIds.length === 0) {
      const first = output.Errors?.[0];
      const error = Object.assign(new Error(first?.ErrorMessage ?? 'the instant fleet launched no instance'), { name: first?.ErrorCode ?? 'UnfulfillableCapacity' });
      throw translateAwsError(error, 'ec2:CreateFleet');
    }
    let message: string | undefined;
    if (fleetType === 'instant') {
      const launched = (output.Instances ?? []).reduce(
        (sum, entry) => sum + (entry.InstanceIds?.length ?? 0) * unitsOf(launch.template, entry.InstanceType),
        0,
      );
      if (launched < launch.plan.units) message = `launched ${launched} of ${launch.plan.units} units; ${joinReasons(errors) ?? 'no more capacity'}`;
    } else {
      message = joinReasons(errors);
    }
    const data: AwsProviderData = {
      api: 'EC2Fleet',
      fleetType,
      fleetId: output.FleetId,
      instanceIds: fleetType === 'instant' ? instanceIds : undefined,
      launchTemplateId: launch.launchTemplate.launchTemplateId,
      launchTemplateVersion: launch.launchTemplate.version,
      launchTemplateCreated: launch.launchTemplate.created,
      units: launch.plan.units,
      validUntil: input.ValidUntil?.getTime(),
      launchMessage: message,
    };
    return { machines: [], providerData: toRecord(data), message };
  }

  private input(launch: LaunchContext): CreateFleetCommandInput {
    const { plan, launchTemplate } = launch;
    const fleetType = launch.fleetType ?? 'instant';
    const tags = toEc2Tags(launch.tags);
    const overrides: FleetLaunchTemplateOverridesRequest[] = overridesOf(plan, launch.template).map((entry) => ({
      InstanceType: entry.instanceType as FleetLaunchTemplateOverridesRequest['InstanceType'],
      WeightedCapacity: entry.weight,
      Priority: entry.priority,
      ...(entry.subnetId ? { SubnetId: entry.subnetId } : {}),
      ...(plan.maxSpotPrice !== undefined ? { MaxPrice: String(plan.maxSpotPrice) } : {}),
    }));
    const spot = plan.spotUnits > 0;
    const input: CreateFleetCommandInput = {
      ClientToken: launch.requestId,
      Type: fleetType,
      LaunchTemplateConfigs: [
        { LaunchTemplateSpecification: { LaunchTemplateId: launchTemplate.launchTemplateId, Version: launchTemplate.version }, Overrides: overrides },
      ],
      TargetCapacitySpecification: {
        TotalTargetCapacity: plan.units,
        OnDemandTargetCapacity: plan.onDemandUnits,
        SpotTargetCapacity: plan.spotUnits,
        DefaultTargetCapacityType: spot ? 'spot' : 'on-demand',
      },
      SpotOptions: {
        AllocationStrategy: kebab(plan.spotStrategy) as never,
        InstanceInterruptionBehavior: 'terminate',
        ...(plan.spotStrategy === 'lowestPrice' && plan.poolsCount ? { InstancePoolsToUseCount: plan.poolsCount } : {}),
      },
      OnDemandOptions: { AllocationStrategy: kebab(plan.onDemandStrategy) as never },
      TagSpecifications: [{ ResourceType: 'fleet', Tags: tags }],
    };
    if (fleetType === 'instant') {
      input.TagSpecifications!.push({ ResourceType: 'instance', Tags: tags }, { ResourceType: 'volume', Tags: tags });
    } else {
      input.ValidUntil = new Date(validUntilOf(launch.template, this.context.clock.now()));
      input.TerminateInstancesWithExpiration = false;
      if (fleetType === 'maintain') input.ExcessCapacityTerminationPolicy = 'no-termination';
    }
    return input;
  }

  async observe(requests: readonly ObservedRequest[]): Promise<Map<string, Observation>> {
    const observations = new Map<string, Observation>();
    const ongoing = requests.filter((request) => request.data.fleetType !== 'instant' && request.data.fleetId);
    for (const request of requests) {
      if (ongoing.includes(request)) continue;
      const owners = Object.fromEntries((request.data.instanceIds ?? []).map((id) => [id, request.data.fleetId ?? '']));
      observations.set(request.request.requestId, { instanceIds: request.data.instanceIds ?? [], owners, final: true, message: request.data.launchMessage });
    }
    if (ongoing.length === 0) return observations;
    const fleets = await this.describeFleets(ongoing.map((request) => request.data.fleetId!));
    const now = this.context.clock.now();
    for (const request of ongoing) {
      const fleetId = request.data.fleetId!;
      const fleet = fleets.get(fleetId);
      const instanceIds = fleet && !FINAL_STATES.has(fleet.FleetState ?? '') ? await this.activeInstances(fleetId) : [];
      const owners = Object.fromEntries(instanceIds.map((id) => [id, fleetId]));
      const done = request.data.fleetType === 'request' && fleet?.ActivityStatus === 'fulfilled';
      const final = request.data.final === true || !fleet || done || FINAL_STATES.has(fleet.FleetState ?? '') || (request.data.validUntil !== undefined && now >= request.data.validUntil);
      const observation: Observation = { instanceIds, owners, final, message: request.data.finalMessage ?? request.data.launchMessage };
      const short = !fleet || (fleet.FulfilledCapacity ?? 0) < (fleet.TargetCapacitySpecification?.TotalTargetCapacity ?? 0);
      if (final && short && request.data.finalMessage === undefined) {
        const reason = fleet ? await this.errorHistory(fleetId, request.request.createdAt) : undefined;
        const finalMessage = [fleet ? `fleet ${fleet.FleetState}${now >= (request.data.validUntil ?? Infinity) ? ', expired' : ''}` : 'fleet no longer exists', reason]
          .filter(Boolean)
          .join(': ');
        observation.message = finalMessage;
        observation.providerData = { ...request.data, final: true, finalMessage };
      }
      observations.set(request.request.requestId, observation);
    }
    return observations;
  }

  private async describeFleets(ids: string[]): Promise<Map<string, FleetData>> {
    const ec2 = await this.context.clients.ec2();
    const fleets = new Map<string, FleetData>();
    const found = await describeTolerant(ids, 1000, async (part) => {
      const output = await describeWithRetry(this.context.config, 'ec2:DescribeFleets', () => ec2.send(new DescribeFleetsCommand({ FleetIds: part })), isNotFound);
      return output.Fleets ?? [];
    });
    for (const fleet of found) if (fleet.FleetId) fleets.set(fleet.FleetId, fleet);
    return fleets;
  }

  private async activeInstances(fleetId: string): Promise<string[]> {
    const ec2 = await this.context.clients.ec2();
    return activeInstanceIds((NextToken) =>
      describeWithRetry(this.context.config, 'ec2:DescribeFleetInstances', () => ec2.send(new DescribeFleetInstancesCommand({ FleetId: fleetId, NextToken }))),
    );
  }

  private async errorHistory(fleetId: string, since: number): Promise<string | undefined> {
    const ec2 = await this.context.clients.ec2();
    const output = await describeWithRetry(this.context.config, 'ec2:DescribeFleetHistory', () =>
      ec2.send(new DescribeFleetHistoryCommand({ FleetId: fleetId, StartTime: new Date(since) })),
    );
    const errors = (output.HistoryRecords ?? []).filter(
      (record) => record.EventType === 'service-error' || /error|fail|unusable|insufficient/i.test(record.EventInformation?.EventSubType ?? ''),
    );
    return joinReasons(
      errors.map((record) =>
        [record.EventInformation?.EventSubType, record.EventInformation?.EventDescription].filter(Boolean).join(': '),
      ),
    );
  }

  async release(groups: readonly ReleaseGroup[]): Promise<ReleaseOutcome> {
    const ec2 = await this.context.clients.ec2();
    const byFleet = new Map<string, ReleaseGroup[]>();
    for (const group of groups) {
      const key = group.data.fleetType === 'instant' ? '' : group.data.fleetId ?? '';
      byFleet.set(key, [...(byFleet.get(key) ?? []), group]);
    }
    const toTerminate = groups.flatMap((group) => group.machines.map((machine) => machine.machineId));
    const maintained = [...byFleet.entries()].filter(([id, list]) => id !== '' && list[0].data.fleetType === 'maintain');
    const fleets = maintained.length > 0 ? await this.describeFleets(maintained.map(([id]) => id)) : new Map<string, FleetData>();
    const toDelete: string[] = [];
    for (const [fleetId, list] of maintained) {
      const fleet = fleets.get(fleetId);
      if (!fleet || FINAL_STATES.has(fleet.FleetState ?? '')) continue;
      const spec = fleet.TargetCapacitySpecification;
      const current = Math.min(spec?.TotalTargetCapacity ?? 0, fleet.FulfilledCapacity ?? Infinity);
      const target = Math.max(0, Math.floor(current - unitsOfMachines(list.flatMap((group) => group.machines))));
      if (target === 0) {
        toDelete.push(fleetId);
        continue;
      }
      const onDemand = Math.min(spec?.OnDemandTargetCapacity ?? 0, target);
      await callAws('ec2:ModifyFleet', () =>
        ec2.send(
          new ModifyFleetCommand({
            FleetId: fleetId,
            ExcessCapacityTerminationPolicy: 'no-termination',
            TargetCapacitySpecification: { TotalTargetCapacity: target, OnDemandTargetCapacity: onDemand, SpotTargetCapacity: target - onDemand },
          }),
        ),
      );
    }
    await terminateInstances(ec2, toTerminate);
    const returned = new Set(toTerminate);
    for (const [fleetId, list] of byFleet) {
      if (fleetId === '' || list[0].data.fleetType !== 'request') continue;
      const left = await this.activeInstances(fleetId).catch((error: unknown) => {
        if (isNotFound((error as { cause?: unknown }).cause)) return [];
        throw error;
      });
      if (left.every((id) => returned.has(id))) toDelete.push(fleetId);
    }
    await this.deleteFleets(toDelete);
    return { freedLaunchTemplates: createdLaunchTemplates(groups) };
  }

  private async deleteFleets(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const ec2 = await this.context.clients.ec2();
    for (const part of chunk(ids, 100)) {
      const output = await callAws('ec2:DeleteFleets', () => ec2.send(new DeleteFleetsCommand({ FleetIds: part, TerminateInstances: true })));
      for (const failure of output.UnsuccessfulFleetDeletions ?? []) {
        const code = failure.Error?.Code ?? '';
        if (code.includes('NotFound') || code === 'fleetIdDoesNotExist') continue;
        this.context.logger.warn({ fleetId: failure.FleetId, code, error: failure.Error?.Message }, 'EC2 Fleet not deleted');
      }
    }
  }
}
