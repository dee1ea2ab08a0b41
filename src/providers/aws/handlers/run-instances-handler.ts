import type { Instance, RunInstancesCommandInput } from '@aws-sdk/client-ec2';
import type { LaunchResult } from '../../../domain/ports/cloud-provider.js';
import { unitsOf } from '../../../domain/template.js';
import { onDemandTypes, spotTypes, type TypeChoice } from '../capacity-plan.js';
import { awsReason, isCapacityError } from '../ec2/aws-errors.js';
import { toCloudMachine } from '../instance-mapper.js';
import { toRecord, type AwsProviderData } from '../provider-data.js';
import { toEc2Tags } from '../resource-tags.js';
import type { ApiHandler, AwsContext, LaunchContext, Observation, ObservedRequest, ReleaseGroup, ReleaseOutcome } from './api-handler.js';
import { createdLaunchTemplates, joinReasons } from './api-handler.js';
import { terminateMachines } from './instance-release.js';

interface Part {
  market: 'ondemand' | 'spot';
  units: number;
  types: TypeChoice[];
}

/**
 * RunInstances: one call per (type, subnet) tried in priority order until the units are
 * launched; a capacity or quota error moves on to the next subnet, then the next type. Every
 * attempt has its own ClientToken derived from the request id, so a repeated launch replays the
 * same attempts and gets the same reservations back instead of launching twice.
 */
export class RunInstancesHandler implements ApiHandler {
  constructor(private readonly context: AwsContext) {}

  async launch(launch: LaunchContext): Promise<LaunchResult> {
    const { plan, template } = launch;
    const parts: Part[] = [
      { market: 'ondemand', units: plan.onDemandUnits, types: onDemandTypes(plan) },
      { market: 'spot', units: plan.spotUnits, types: spotTypes(plan, template) },
    ];
    const instances: Instance[] = [];
    const owners: Record<string, string> = {};
    const reservationIds: string[] = [];
    const reasons: string[] = [];
    let lastError: unknown;
    let attempt = 0;
    let stopped = false;
    for (const part of parts) {
      let remaining = part.units;
      for (const type of part.types) {
        for (const subnetId of plan.subnetIds.length > 0 ? plan.subnetIds : [undefined]) {
          if (remaining <= 0 || stopped) break;
          const input = this.input(launch, part, type, subnetId, Math.ceil(remaining / type.weight), attempt);
          attempt += 1;
          try {
            const output = await this.context.gateway.instances.run(input);
            for (const instance of output.Instances ?? []) {
              instances.push(instance);
              if (instance.InstanceId && output.ReservationId) owners[instance.InstanceId] = output.ReservationId;
              remaining -= type.weight;
            }
            if (output.ReservationId) reservationIds.push(output.ReservationId);
          } catch (error) {
            if (!isCapacityError(error) && instances.length === 0) throw error;
            // Anything but a capacity or quota error ends the launch with what is already running.
            if (!isCapacityError(error)) stopped = true;
            lastError = error;
            reasons.push(awsReason(error));
          }
        }
      }
    }
    if (instances.length === 0) throw lastError ?? new Error('RunInstances launched no instance');
    const launchedUnits = instances.reduce((sum, instance) => sum + unitsOf(template, instance.InstanceType), 0);
    const message = launchedUnits < plan.units ? `launched ${launchedUnits} of ${plan.units} units; ${joinReasons(reasons) ?? 'no more capacity'}` : undefined;
    const data: AwsProviderData = {
      api: 'RunInstances',
      reservationIds,
      instanceIds: instances.flatMap((instance) => (instance.InstanceId ? [instance.InstanceId] : [])),
      owners,
      launchTemplateId: launch.launchTemplate.launchTemplateId,
      launchTemplateVersion: launch.launchTemplate.version,
      launchTemplateCreated: launch.launchTemplate.created,
      units: plan.units,
      launchMessage: message,
    };
    const machines = instances.map((instance) =>
      toCloudMachine(instance, { weight: unitsOf(template, instance.InstanceType), resourceId: owners[instance.InstanceId ?? ''] }),
    );
    return { machines, providerData: toRecord(data), message };
  }

  private input(launch: LaunchContext, part: Part, type: TypeChoice, subnetId: string | undefined, count: number, attempt: number): RunInstancesCommandInput {
    const { launchTemplate, requestId, tags, plan } = launch;
    const tagList = toEc2Tags(tags);
    const input: RunInstancesCommandInput = {
      MinCount: 1,
      MaxCount: count,
      InstanceType: type.instanceType as RunInstancesCommandInput['InstanceType'],
      LaunchTemplate: { LaunchTemplateId: launchTemplate.launchTemplateId, Version: launchTemplate.version },
      ClientToken: `${requestId}-${attempt}`,
      TagSpecifications: [
        { ResourceType: 'instance', Tags: tagList },
        { ResourceType: 'volume', Tags: tagList },
      ],
    };
    if (subnetId) input.SubnetId = subnetId;
    if (!launchTemplate.created) {
      const { TagSpecifications: _ignored, ...fields } = launchTemplate.data;
      Object.assign(input, fields);
    }
    if (part.market === 'spot') {
      input.InstanceMarketOptions = {
        MarketType: 'spot',
        SpotOptions: {
          SpotInstanceType: 'one-time',
          InstanceInterruptionBehavior: 'terminate',
          ...(plan.maxSpotPrice !== undefined ? { MaxPrice: String(plan.maxSpotPrice * type.weight) } : {}),
        },
      };
    }
    return input;
  }

  async observe(requests: readonly ObservedRequest[]): Promise<Map<string, Observation>> {
    const observations = new Map<string, Observation>();
    for (const request of requests) {
      observations.set(request.request.requestId, {
        instanceIds: request.data.instanceIds ?? [],
        owners: request.data.owners ?? {},
        final: true,
        message: request.data.launchMessage,
      });
    }
    return observations;
  }

  async release(groups: readonly ReleaseGroup[]): Promise<ReleaseOutcome> {
    const failed = await terminateMachines(this.context, groups.flatMap((group) => group.machines));
    return { freedLaunchTemplates: createdLaunchTemplates(groups), failed, errors: [] };
  }

  async stopReplacing(): Promise<void> {
    // Instances launched by RunInstances are never replaced.
  }
}
