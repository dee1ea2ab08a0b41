import type { Template } from '../../../domain/template.js';
import { spotTypes, type CapacityPlan } from '../capacity-plan.js';

export interface FleetOverride {
  instanceType: string;
  subnetId?: string;
  weight: number;
  priority: number;
}

/**
 * One override per instance type and subnet. When a heterogeneous request names
 * `vmTypesOnDemand`, those types rank first (the on-demand part is allocated `prioritized`).
 */
export function overridesOf(plan: CapacityPlan, template: Template): FleetOverride[] {
  const types = plan.onDemandUnits > 0 ? plan.types : spotTypes(plan, template);
  const preferOnDemand = plan.onDemandUnits > 0 && plan.spotUnits > 0 && types.some((type) => type.onDemandPreferred);
  const subnets = plan.subnetIds.length > 0 ? plan.subnetIds : [undefined];
  return types.flatMap((type, index) =>
    subnets.map((subnetId) => ({
      instanceType: type.instanceType,
      subnetId,
      weight: type.weight,
      priority: preferOnDemand && !type.onDemandPreferred ? 1000 + index : type.priority,
    })),
  );
}
