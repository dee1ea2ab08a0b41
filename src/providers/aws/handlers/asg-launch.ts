import type { CreateAutoScalingGroupCommandInput } from '@aws-sdk/client-auto-scaling';
import type { AllocationStrategy, Template } from '../../../domain/template.js';
import { kebab, spotTypes, type CapacityPlan, type TypeChoice } from '../capacity-plan.js';
import type { LaunchPools } from '../launch-pools.js';
import type { LaunchContext } from './api-handler.js';
import { overridesOf, REMEMBERED_PRIORITY_OFFSET } from './fleet-overrides.js';

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
  const types = rankedTypes(plan, template, launch.pools);
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

/**
 * The group's instance types in priority order, with the capacity memory applied by the fleets' rule
 * (overridesOf). A group's subnets are the group's (VPCZoneIdentifier), not an override's, so a
 * remembered (type, zone) pool can only be expressed by the type's place: a type stays where it is
 * while one of its zones is open, goes after the others when every zone of the group is remembered
 * for it on one of the group's markets, and is left out when that holds on every market (while
 * other types remain). An on-demand group keeps every type, the remembered ones last: its
 * `prioritized` strategy launches in override order, so they are tried only when the others lack
 * capacity.
 */
function rankedTypes(plan: CapacityPlan, template: Template, pools: LaunchPools | undefined): TypeChoice[] {
  const types = plan.onDemandUnits > 0 ? plan.types : spotTypes(plan, template);
  if (!pools || pools.unavailable.length === 0) return types;
  const rank = new Map<string, number>();
  for (const override of overridesOf(plan, template, pools, plan.spotUnits === 0)) {
    const last = override.priority >= REMEMBERED_PRIORITY_OFFSET ? 1 : 0;
    rank.set(override.instanceType, Math.min(rank.get(override.instanceType) ?? last, last));
  }
  return types.filter((type) => rank.has(type.instanceType)).sort((a, b) => rank.get(a.instanceType)! - rank.get(b.instanceType)!);
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
