import type { Instance, RunInstancesCommandInput } from '@aws-sdk/client-ec2';
import type { LaunchResult } from '../../../domain/ports/cloud-provider.js';
import { unitsOf } from '../../../domain/template.js';
import { onDemandTypes, spotTypes, type TypeChoice } from '../capacity-plan.js';
import type { Pool } from '../launch-pools.js';
import { awsReason, isCapacityError, isPoolCapacityError } from '../ec2/aws-errors.js';
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

/** One RunInstances call the launch may make: a type of a part in a subnet, with its ClientToken's number. */
interface Attempt {
  part: Part;
  type: TypeChoice;
  subnetId?: string;
  /** Its place among every attempt of the launch in priority order: the same whatever the capacity memory says. */
  token: number;
}

/**
 * RunInstances: one call per (type, subnet) tried in priority order until the units are
 * launched; a capacity or quota error moves on to the next subnet, then the next type. Pools
 * remembered out of capacity (in any process on the store) are tried last, and a pool that
 * answers "insufficient capacity" is noted for the memory. Every attempt has its own ClientToken
 * derived from the request id and its place in priority order, so a repeated launch replays the
 * same attempts and gets the same reservations back instead of launching twice, whatever order
 * the memory puts them in.
 */
export class RunInstancesHandler implements ApiHandler {
  constructor(private readonly context: AwsContext) {}

  async launch(launch: LaunchContext): Promise<LaunchResult> {
    const { plan, template, pools } = launch;
    const parts: Part[] = [
      { market: 'ondemand', units: plan.onDemandUnits, types: onDemandTypes(plan) },
      { market: 'spot', units: plan.spotUnits, types: spotTypes(plan, template) },
    ];
    const instances: Instance[] = [];
    const owners: Record<string, string> = {};
    const reservationIds: string[] = [];
    const reasons: string[] = [];
    let lastError: unknown;
    let stopped = false;
    for (const [part, attempts] of attemptsOf(parts, plan.subnetIds, (attempt) => pools?.isRemembered(poolOf(attempt)) === true)) {
      let remaining = part.units;
      for (const attempt of attempts) {
        if (remaining <= 0 || stopped) break;
        const { type, subnetId } = attempt;
        const input = this.input(launch, part, type, subnetId, Math.ceil(remaining / type.weight), attempt.token);
        try {
          const output = await this.context.gateway.instances.run(input);
          for (const instance of output.Instances ?? []) {
            instances.push(instance);
            if (instance.InstanceId && output.ReservationId) owners[instance.InstanceId] = output.ReservationId;
            remaining -= type.weight;
          }
          if (output.ReservationId) reservationIds.push(output.ReservationId);
        } catch (error) {
          if (isPoolCapacityError(error)) pools?.note(poolOf(attempt));
          if (!isCapacityError(error) && instances.length === 0) throw error;
          // Anything but a capacity or quota error ends the launch with what is already running.
          if (!isCapacityError(error)) stopped = true;
          lastError = error;
          reasons.push(awsReason(error));
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

  private input(launch: LaunchContext, part: Part, type: TypeChoice, subnetId: string | undefined, count: number, token: number): RunInstancesCommandInput {
    const { launchTemplate, requestId, tags, plan } = launch;
    const tagList = toEc2Tags(tags);
    const input: RunInstancesCommandInput = {
      MinCount: 1,
      MaxCount: count,
      InstanceType: type.instanceType as RunInstancesCommandInput['InstanceType'],
      LaunchTemplate: { LaunchTemplateId: launchTemplate.launchTemplateId, Version: launchTemplate.version },
      ClientToken: `${requestId}-${token}`,
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

/**
 * The attempts of each part that has units, in priority order (type, then subnet), numbered
 * across parts; within a part the remembered pools move to the end, keeping their order.
 */
function attemptsOf(parts: readonly Part[], subnetIds: readonly string[], remembered: (attempt: Attempt) => boolean): Array<[Part, Attempt[]]> {
  let token = 0;
  const subnets = subnetIds.length > 0 ? subnetIds : [undefined];
  return parts
    .filter((part) => part.units > 0)
    .map((part) => {
      const attempts = part.types.flatMap((type) => subnets.map((subnetId): Attempt => ({ part, type, subnetId, token: token++ })));
      return [part, [...attempts.filter((attempt) => !remembered(attempt)), ...attempts.filter(remembered)]];
    });
}

function poolOf(attempt: Attempt): Pool {
  return { instanceType: attempt.type.instanceType, market: attempt.part.market, subnetId: attempt.subnetId };
}
