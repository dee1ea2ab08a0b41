import type { MachinePriceType } from '../../domain/machine.js';
import type { Offering } from '../../domain/offering.js';
import { weightedTypes, type Template } from '../../domain/template.js';

export const DEFAULT_INSTANCE_TYPE = 't3.medium';
/** The simulated cloud has one zone: its capacity (SIM_CAPACITY) is per instance type. */
export const SIM_ZONE = 'sim-1a';

export interface PlannedInstance {
  instanceType: string;
  weight: number;
  priceType: MachinePriceType;
}

export interface LaunchPlan {
  instances: PlannedInstance[];
  unitsRequested: number;
  unitsPlanned: number;
  /** Set when capacity limits left the plan short. */
  shortMessage?: string;
  /** Pools that had no capacity left when units were still wanted from them (the sim's "insufficient capacity" answers). */
  exhausted: Offering[];
}

/** Pools to try last, as `type|market` (see avoidKey). */
export type AvoidedPools = ReadonlySet<string>;

export function avoidKey(instanceType: string, market: MachinePriceType): string {
  return `${instanceType}|${market}`;
}

/** instance type → instances of that type the sim can still start (absent = unlimited). */
export type CapacityLeft = Map<string, number>;

function typesOf(template: Template): Record<string, number> {
  const types = Object.fromEntries(Object.entries(weightedTypes(template)).filter(([, weight]) => weight > 0));
  return Object.keys(types).length > 0 ? types : { [DEFAULT_INSTANCE_TYPE]: 1 };
}

function onDemandTypesOf(template: Template): Record<string, number> {
  const own = Object.entries(template.vmTypesOnDemand ?? {}).filter(([, weight]) => weight > 0);
  return template.priceType === 'heterogeneous' && own.length > 0 ? Object.fromEntries(own) : typesOf(template);
}

function onDemandUnits(template: Template, units: number): number {
  if (template.priceType === 'ondemand') return units;
  if (template.priceType === 'spot') return 0;
  const percent = Math.min(100, Math.max(0, template.percentOnDemand ?? 0));
  return Math.round((units * percent) / 100);
}

/**
 * Picks instances worth `units` units among `types`, round-robin, preferring types whose weight
 * still fits, and skipping types with no capacity left (it updates `left`). Types in `avoid` are
 * tried only once the others have no capacity left. A type asked for units it has no capacity
 * for is added to `exhausted`.
 */
function fill(units: number, types: Record<string, number>, priceType: MachinePriceType, left: CapacityLeft, avoid: AvoidedPools, exhausted: Set<string>): PlannedInstance[] {
  const picked: PlannedInstance[] = [];
  const entries = Object.entries(types);
  const groups = [entries.filter(([type]) => !avoid.has(avoidKey(type, priceType))), entries.filter(([type]) => avoid.has(avoidKey(type, priceType)))];
  const hasRoom = (type: string) => (left.get(type) ?? Number.POSITIVE_INFINITY) > 0;
  let remaining = units;
  for (const group of groups) {
    let turn = 0;
    while (remaining > 0) {
      for (const [type] of group) if (!hasRoom(type)) exhausted.add(type);
      const open = group.filter(([type]) => hasRoom(type));
      if (open.length === 0) break;
      const fitting = open.filter(([, weight]) => weight <= remaining);
      const pool = fitting.length > 0 ? fitting : [open.reduce((a, b) => (b[1] < a[1] ? b : a))];
      const [instanceType, weight] = pool[turn % pool.length];
      turn += 1;
      picked.push({ instanceType, weight, priceType });
      remaining -= weight;
      const before = left.get(instanceType);
      if (before !== undefined) left.set(instanceType, before - 1);
    }
  }
  return picked;
}

function shortMessage(planned: number, units: number, types: string[]): string {
  const what = types.length === 1 ? types[0] : `units of ${types.join(', ')}`;
  return `InsufficientInstanceCapacity: only ${planned} of ${units} ${what} available`;
}

/**
 * What the sim launches for `units` units of `template`: on-demand units first (all of them for
 * `ondemand`, `percentOnDemand` % for `heterogeneous`, none for `spot`), then spot, within the
 * capacity left per type; pools in `avoid` (remembered out of capacity) last.
 */
export function planLaunch(template: Template, units: number, capacityLeft: CapacityLeft, avoid: AvoidedPools = new Set()): LaunchPlan {
  const left = new Map(capacityLeft);
  const onDemand = onDemandUnits(template, units);
  const exhaustedOnDemand = new Set<string>();
  const exhaustedSpot = new Set<string>();
  const instances = [
    ...fill(onDemand, onDemandTypesOf(template), 'ondemand', left, avoid, exhaustedOnDemand),
    ...fill(units - onDemand, typesOf(template), 'spot', left, avoid, exhaustedSpot),
  ];
  const exhausted = [
    ...[...exhaustedOnDemand].map((instanceType): Offering => ({ instanceType, zone: SIM_ZONE, market: 'ondemand' })),
    ...[...exhaustedSpot].map((instanceType): Offering => ({ instanceType, zone: SIM_ZONE, market: 'spot' })),
  ];
  const unitsPlanned = instances.reduce((sum, instance) => sum + instance.weight, 0);
  const plan: LaunchPlan = { instances, unitsRequested: units, unitsPlanned, exhausted };
  if (unitsPlanned < units) plan.shortMessage = shortMessage(unitsPlanned, units, instanceTypesOf(template));
  return plan;
}

/** Every instance type the template may launch, for capacity look-ups. */
export function instanceTypesOf(template: Template): string[] {
  return [...new Set([...Object.keys(onDemandTypesOf(template)), ...Object.keys(typesOf(template))])];
}

/** Every pool a launch of `template` may use: its on-demand types on demand, its types on spot, as its price type allows. */
export function poolsOf(template: Template): Offering[] {
  const percent = template.priceType === 'heterogeneous' ? Math.min(100, Math.max(0, template.percentOnDemand ?? 0)) : undefined;
  const onDemand = template.priceType === 'ondemand' || (percent !== undefined && percent > 0);
  const spot = template.priceType === 'spot' || (percent !== undefined && percent < 100);
  return [
    ...(onDemand ? Object.keys(onDemandTypesOf(template)).map((instanceType): Offering => ({ instanceType, zone: SIM_ZONE, market: 'ondemand' })) : []),
    ...(spot ? Object.keys(typesOf(template)).map((instanceType): Offering => ({ instanceType, zone: SIM_ZONE, market: 'spot' })) : []),
  ];
}
