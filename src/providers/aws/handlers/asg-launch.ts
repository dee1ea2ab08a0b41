import type { CreateAutoScalingGroupCommandInput } from '@aws-sdk/client-auto-scaling';
import type { AllocationStrategy, Template } from '../../../domain/template.js';
import { kebab, spotTypes, type CapacityPlan } from '../capacity-plan.js';
import type { LaunchContext } from './api-handler.js';

/** Auto Scaling has no `diversified`: it becomes lowest-price spread over every pool. */
function asgSpotStrategy(strategy: AllocationStrategy): string {
  return strategy === 'diversified' ? 'lowest-price' : kebab(strategy);
}

function asgNameOf(requestId: string): string {
  return `hostfactory-${requestId}`;
}

/** The group of one request: sized in weighted units, new instances protected from scale-in, tags propagated at launch. */
export function groupInput(launch: LaunchContext): CreateAutoScalingGroupCommandInput {
  const { plan, template, launchTemplate } = launch;
  const types = plan.onDemandUnits > 0 ? plan.types : spotTypes(plan, template);
  return {
    AutoScalingGroupName: asgNameOf(launch.requestId),
    MinSize: 0,
    MaxSize: plan.units,
    DesiredCapacity: plan.units,
    DesiredCapacityType: 'units',
    VPCZoneIdentifier: plan.subnetIds.join(','),
    NewInstancesProtectedFromScaleIn: true,
    MixedInstancesPolicy: {
      LaunchTemplate: {
        LaunchTemplateSpecification: { LaunchTemplateId: launchTemplate.launchTemplateId, Version: launchTemplate.version },
        Overrides: types.map((type) => ({ InstanceType: type.instanceType, WeightedCapacity: String(type.weight) })),
      },
      InstancesDistribution: distributionOf(plan, template),
    },
    Tags: Object.entries(launch.tags).map(([Key, Value]) => ({
      Key,
      Value,
      PropagateAtLaunch: true,
      ResourceId: asgNameOf(launch.requestId),
      ResourceType: 'auto-scaling-group',
    })),
  };
}

function distributionOf(plan: CapacityPlan, template: Template): NonNullable<NonNullable<CreateAutoScalingGroupCommandInput['MixedInstancesPolicy']>['InstancesDistribution']> {
  const pools = plan.spotStrategy === 'diversified' ? Math.min(20, Math.max(1, spotTypes(plan, template).length * Math.max(1, plan.subnetIds.length))) : plan.poolsCount;
  const lowest = asgSpotStrategy(plan.spotStrategy) === 'lowest-price';
  return {
    OnDemandAllocationStrategy: kebab(plan.onDemandStrategy),
    OnDemandBaseCapacity: plan.onDemandUnits,
    OnDemandPercentageAboveBaseCapacity: plan.spotUnits > 0 ? 0 : 100,
    SpotAllocationStrategy: asgSpotStrategy(plan.spotStrategy),
    ...(lowest && pools ? { SpotInstancePools: pools } : {}),
    ...(plan.maxSpotPrice !== undefined ? { SpotMaxPrice: String(plan.maxSpotPrice) } : {}),
  };
}
