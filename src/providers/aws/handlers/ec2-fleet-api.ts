import type { CreateFleetCommandInput, CreateFleetError, FleetLaunchTemplateOverridesRequest } from '@aws-sdk/client-ec2';
import type { FleetType } from '../../../domain/template.js';
import type { Pool } from '../launch-pools.js';
import { kebab } from '../capacity-plan.js';
import type { Ec2FleetGateway } from '../ec2/ec2-fleet-gateway.js';
import { overridesOf } from './fleet-overrides.js';
import type { AwsProviderData } from '../provider-data.js';
import { toEc2Tags } from '../resource-tags.js';
import type { LaunchContext } from './api-handler.js';
import type { FleetApi, FleetCreated } from './fleet-api.js';

/** EC2 Fleet (CreateFleet) spelling: instant, request or maintain; ClientToken = request id. */
export class Ec2FleetApi implements FleetApi {
  readonly label = 'EC2 Fleet';
  readonly defaultType = 'instant';

  constructor(readonly gateway: Ec2FleetGateway) {}

  async create(launch: LaunchContext, fleetType: FleetType, validUntil: Date | undefined): Promise<FleetCreated> {
    const output = await this.gateway.create(this.input(launch, fleetType, validUntil));
    if (!output.FleetId) throw new Error('CreateFleet returned no fleet id');
    return {
      id: output.FleetId,
      instances: (output.Instances ?? []).flatMap((entry) =>
        (entry.InstanceIds ?? []).map((instanceId) => ({ instanceId, instanceType: entry.InstanceType, spot: entry.Lifecycle === 'spot' })),
      ),
      errors: (output.Errors ?? []).map((error) => ({ code: error.ErrorCode ?? 'Unknown', message: error.ErrorMessage ?? '', ...poolOf(error) })),
    };
  }

  idOf(data: AwsProviderData): string | undefined {
    return data.fleetId;
  }

  idData(id: string): Partial<AwsProviderData> {
    return { fleetId: id };
  }

  private input(launch: LaunchContext, fleetType: FleetType, validUntil: Date | undefined): CreateFleetCommandInput {
    const { plan, launchTemplate } = launch;
    const tags = toEc2Tags(launch.tags);
    const overrides: FleetLaunchTemplateOverridesRequest[] = overridesOf(plan, launch.template, launch.pools).map((entry) => ({
      InstanceType: entry.instanceType as FleetLaunchTemplateOverridesRequest['InstanceType'],
      WeightedCapacity: entry.weight,
      Priority: entry.priority,
      ...(entry.subnetId ? { SubnetId: entry.subnetId } : {}),
      ...(plan.maxSpotPrice !== undefined ? { MaxPrice: String(plan.maxSpotPrice) } : {}),
    }));
    const input: CreateFleetCommandInput = {
      ClientToken: launch.requestId,
      Type: fleetType,
      LaunchTemplateConfigs: [{ LaunchTemplateSpecification: { LaunchTemplateId: launchTemplate.launchTemplateId, Version: launchTemplate.version }, Overrides: overrides }],
      TargetCapacitySpecification: {
        TotalTargetCapacity: plan.units,
        OnDemandTargetCapacity: plan.onDemandUnits,
        SpotTargetCapacity: plan.spotUnits,
        DefaultTargetCapacityType: plan.spotUnits > 0 ? 'spot' : 'on-demand',
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
      return input;
    }
    if (validUntil) input.ValidUntil = validUntil;
    input.TerminateInstancesWithExpiration = false;
    if (fleetType === 'maintain') input.ExcessCapacityTerminationPolicy = 'no-termination';
    return input;
  }
}

/**
 * The pool a CreateFleet error names: its override's instance type, subnet and zone, and its
 * lifecycle (`on-demand` or `spot`). Karpenter reads the same fields of the same answer to mark
 * unavailable offerings.
 */
function poolOf(error: CreateFleetError): { pool?: Pool } {
  const overrides = error.LaunchTemplateAndOverrides?.Overrides;
  if (!overrides?.InstanceType || (!overrides.SubnetId && !overrides.AvailabilityZone)) return {};
  return {
    pool: {
      instanceType: overrides.InstanceType,
      market: error.Lifecycle === 'spot' ? 'spot' : 'ondemand',
      ...(overrides.SubnetId ? { subnetId: overrides.SubnetId } : {}),
      ...(overrides.AvailabilityZone ? { zone: overrides.AvailabilityZone } : {}),
    },
  };
}
