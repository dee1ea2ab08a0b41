import type { MachinePriceType } from '../../../domain/machine.js';
import type { Template } from '../../../domain/template.js';
import { spotTypes, type CapacityPlan } from '../capacity-plan.js';
import type { LaunchPools } from '../launch-pools.js';

export interface FleetOverride {
  instanceType: string;
  subnetId?: string;
  weight: number;
  priority: number;
}

/** Added to the priority of an override whose pool is remembered out of capacity on one of the fleet's two markets. */
export const REMEMBERED_PRIORITY_OFFSET = 10_000;

/**
 * One override per instance type and subnet. When a heterogeneous request names
 * `vmTypesOnDemand`, those types rank first (the on-demand part is allocated `prioritized`).
 * Overrides whose pool is remembered out of capacity (`pools`) are left out while others remain
 * (on every market the fleet uses), or ranked after the others when remembered on one of its
 * markets only; when every override is remembered, all are sent as they are. With `keepRemembered`
 * nothing is left out: every remembered override is ranked after the others.
 */
export function overridesOf(plan: CapacityPlan, template: Template, pools?: LaunchPools, keepRemembered = false): FleetOverride[] {
  const types = plan.onDemandUnits > 0 ? plan.types : spotTypes(plan, template);
  const preferOnDemand = plan.onDemandUnits > 0 && plan.spotUnits > 0 && types.some((type) => type.onDemandPreferred);
  const subnets = plan.subnetIds.length > 0 ? plan.subnetIds : [undefined];
  const overrides = types.flatMap((type, index) =>
    subnets.map((subnetId) => ({
      instanceType: type.instanceType,
      subnetId,
      weight: type.weight,
      priority: preferOnDemand && !type.onDemandPreferred ? 1000 + index : type.priority,
    })),
  );
  if (!pools) return overrides;
  const markets: MachinePriceType[] = [...(plan.onDemandUnits > 0 ? ['ondemand' as const] : []), ...(plan.spotUnits > 0 ? ['spot' as const] : [])];
  const rememberedOn = (override: FleetOverride) => markets.filter((market) => pools.isRemembered({ instanceType: override.instanceType, subnetId: override.subnetId, market })).length;
  const open = keepRemembered ? overrides : overrides.filter((override) => rememberedOn(override) < markets.length);
  if (open.length === 0) return overrides;
  return open.map((override) => (rememberedOn(override) > 0 ? { ...override, priority: override.priority + REMEMBERED_PRIORITY_OFFSET } : override));
}
