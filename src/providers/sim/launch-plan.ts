import type { MachinePriceType } from '../../domain/machine.js';
import { weightedTypes, type Template } from '../../domain/template.js';

export const DEFAULT_INSTANCE_TYPE = 't3.medium';

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
 * still fits, and skipping types with no capacity left (it updates `left`).
 */
function fill(units: number, types: Record<string, number>, priceType: MachinePriceType, left: CapacityLeft): PlannedInstance[] {
  const picked: PlannedInstance[] = [];
  const entries = Object.entries(types);
  let remaining = units;
  let turn = 0;
  while (remaining > 0) {
    const open = entries.filter(([type]) => (left.get(type) ?? Number.POSITIVE_INFINITY) > 0);
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
  return picked;
}

function shortMessage(planned: number, units: number, types: string[]): string {
  const what = types.length === 1 ? types[0] : `units of ${types.join(', ')}`;
  return `InsufficientInstanceCapacity: only ${planned} of ${units} ${what} available`;
}

/**
 * What the sim launches for `units` units of `template`: on-demand units first (all of them for
 * `ondemand`, `percentOnDemand` % for `heterogeneous`, none for `spot`), then spot, within the
 * capacity left per type.
 */
export function planLaunch(template: Template, units: number, capacityLeft: CapacityLeft): LaunchPlan {
  const left = new Map(capacityLeft);
  const onDemand = onDemandUnits(template, units);
  const instances = [
    ...fill(onDemand, onDemandTypesOf(template), 'ondemand', left),
    ...fill(units - onDemand, typesOf(template), 'spot', left),
  ];
  const unitsPlanned = instances.reduce((sum, instance) => sum + instance.weight, 0);
  const plan: LaunchPlan = { instances, unitsRequested: units, unitsPlanned };
  if (unitsPlanned < units) plan.shortMessage = shortMessage(unitsPlanned, units, instanceTypesOf(template));
  return plan;
}

/** Every instance type the template may launch, for capacity look-ups. */
export function instanceTypesOf(template: Template): string[] {
  return [...new Set([...Object.keys(onDemandTypesOf(template)), ...Object.keys(typesOf(template))])];
}
