import { HostFactoryError } from '../../domain/errors.js';
import { weightedTypes, type AllocationStrategy, type OnDemandAllocationStrategy, type Template } from '../../domain/template.js';

/** One instance type the request may use, with its weight and priority. */
export interface TypeChoice {
  instanceType: string;
  weight: number;
  /** Lower is preferred (AWS's meaning). */
  priority: number;
  /** Listed in `vmTypesOnDemand`. */
  onDemandPreferred: boolean;
}

/** How a request's units split and which AWS knobs it turns, before any API spelling. */
export interface CapacityPlan {
  units: number;
  onDemandUnits: number;
  spotUnits: number;
  types: TypeChoice[];
  subnetIds: string[];
  spotStrategy: AllocationStrategy;
  onDemandStrategy: OnDemandAllocationStrategy;
  poolsCount?: number;
  maxSpotPrice?: number;
}

export const DEFAULT_SPOT_STRATEGY: AllocationStrategy = 'priceCapacityOptimized';

/**
 * The plan for `units` of `template`: on-demand units from the price type (`percentOnDemand` of
 * a heterogeneous template, rounded up), instance types with weights and priorities (from
 * `vmTypesPriority`, else the order written), and the strategies to send (always one).
 */
export function planCapacity(template: Template, units: number): CapacityPlan {
  const weights = { ...weightedTypes(template) };
  for (const [type, weight] of Object.entries(template.vmTypesOnDemand ?? {})) weights[type] ??= weight;
  const names = Object.keys(weights);
  if (names.length === 0) {
    throw new HostFactoryError('INVALID_INPUT', `template ${template.templateId}: set vmType or vmTypes`);
  }
  const onDemandSet = new Set(Object.keys(template.vmTypesOnDemand ?? {}));
  const types = names.map((instanceType, index) => ({
    instanceType,
    weight: weights[instanceType],
    priority: template.vmTypesPriority?.[instanceType] ?? index,
    onDemandPreferred: onDemandSet.has(instanceType),
  }));
  types.sort((a, b) => a.priority - b.priority);
  const onDemandUnits = onDemandUnitsOf(template, units);
  const prioritized = template.vmTypesPriority !== undefined && Object.keys(template.vmTypesPriority).length > 0;
  return {
    units,
    onDemandUnits,
    spotUnits: units - onDemandUnits,
    types,
    subnetIds: template.subnetIds,
    spotStrategy: template.allocationStrategy ?? DEFAULT_SPOT_STRATEGY,
    onDemandStrategy: template.allocationStrategyOnDemand ?? (prioritized || onDemandSet.size > 0 ? 'prioritized' : 'lowestPrice'),
    poolsCount: template.poolsCount,
    maxSpotPrice: template.maxSpotPrice,
  };
}

function onDemandUnitsOf(template: Template, units: number): number {
  if (template.priceType === 'ondemand') return units;
  if (template.priceType === 'spot') return 0;
  return Math.min(units, Math.ceil((units * (template.percentOnDemand ?? 0)) / 100));
}

/** Types for the on-demand part: `vmTypesOnDemand` when given, else every type. */
export function onDemandTypes(plan: CapacityPlan): TypeChoice[] {
  const preferred = plan.types.filter((type) => type.onDemandPreferred);
  return preferred.length > 0 ? preferred : plan.types;
}

/** Types for the spot part: the weighted types (`vmType`/`vmTypes`), not the on-demand-only ones. */
export function spotTypes(plan: CapacityPlan, template: Template): TypeChoice[] {
  const spot = new Set(Object.keys(weightedTypes(template)));
  const chosen = plan.types.filter((type) => spot.has(type.instanceType));
  return chosen.length > 0 ? chosen : plan.types;
}

/** `capacityOptimized` → `capacity-optimized` (EC2 Fleet and Auto Scaling spelling). */
export function kebab(strategy: string): string {
  return strategy.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}
