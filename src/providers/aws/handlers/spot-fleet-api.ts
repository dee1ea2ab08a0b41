import type { LaunchTemplateOverrides, SpotFleetRequestConfigData } from '@aws-sdk/client-ec2';
import { HostFactoryError } from '../../../domain/errors.js';
import type { FleetType } from '../../../domain/template.js';
import type { SpotFleetGateway } from '../ec2/spot-fleet-gateway.js';
import { overridesOf } from './fleet-overrides.js';
import type { AwsProviderData } from '../provider-data.js';
import { toEc2Tags } from '../resource-tags.js';
import type { LaunchContext } from './api-handler.js';
import type { FleetApi, FleetCreated } from './fleet-api.js';

/** Spot Fleet (RequestSpotFleet) spelling: request or maintain (no instant type); ClientToken = request id. */
export class SpotFleetApi implements FleetApi {
  readonly label = 'spot fleet';
  readonly defaultType = 'request';

  constructor(readonly gateway: SpotFleetGateway) {}

  async create(launch: LaunchContext, fleetType: FleetType, validUntil: Date | undefined): Promise<FleetCreated> {
    const { plan, template, launchTemplate } = launch;
    if (!template.fleetRole) throw new HostFactoryError('INVALID_INPUT', `template ${template.templateId}: a Spot Fleet needs a fleetRole`);
    const overrides: LaunchTemplateOverrides[] = overridesOf(plan, template, launch.pools).map((entry) => ({
      InstanceType: entry.instanceType as LaunchTemplateOverrides['InstanceType'],
      WeightedCapacity: entry.weight,
      Priority: entry.priority,
      ...(entry.subnetId ? { SubnetId: entry.subnetId } : {}),
    }));
    const config: SpotFleetRequestConfigData = {
      ClientToken: launch.requestId,
      IamFleetRole: template.fleetRole,
      Type: fleetType === 'maintain' ? 'maintain' : 'request',
      TargetCapacity: plan.units,
      OnDemandTargetCapacity: plan.onDemandUnits,
      AllocationStrategy: plan.spotStrategy,
      OnDemandAllocationStrategy: plan.onDemandStrategy,
      ...(plan.spotStrategy === 'lowestPrice' && plan.poolsCount ? { InstancePoolsToUseCount: plan.poolsCount } : {}),
      ...(plan.maxSpotPrice !== undefined ? { SpotPrice: String(plan.maxSpotPrice) } : {}),
      ...(validUntil ? { ValidUntil: validUntil } : {}),
      TerminateInstancesWithExpiration: false,
      ...(fleetType === 'maintain' ? { ExcessCapacityTerminationPolicy: 'noTermination' as const } : {}),
      InstanceInterruptionBehavior: 'terminate',
      LaunchTemplateConfigs: [{ LaunchTemplateSpecification: { LaunchTemplateId: launchTemplate.launchTemplateId, Version: launchTemplate.version }, Overrides: overrides }],
      TagSpecifications: [{ ResourceType: 'spot-fleet-request', Tags: toEc2Tags(launch.tags) }],
    };
    const id = await this.gateway.request(config);
    if (!id) throw new HostFactoryError('CLOUD_ERROR', 'ec2:RequestSpotFleet returned no request id');
    return { id, instances: [], errors: [] };
  }

  idOf(data: AwsProviderData): string | undefined {
    return data.spotFleetRequestId;
  }

  idData(id: string): Partial<AwsProviderData> {
    return { spotFleetRequestId: id };
  }
}
