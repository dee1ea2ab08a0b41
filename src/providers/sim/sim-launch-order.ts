import type { Knex } from 'knex';
import { HostFactoryError } from '../../domain/errors.js';
import type { LaunchOrder, PlannedCall, PlannedLaunch } from '../../domain/ports/cloud-provider.js';
import { avoidKey, instanceTypesOf, planLaunch, SIM_ZONE, type LaunchPlan } from './launch-plan.js';
import type { SimConfig } from './sim-config.js';
import { launchTags } from './sim-instance-factory.js';
import type { SimStateStore } from './sim-state-store.js';

/** Throws INVALID_INPUT for an order the sim refuses, before anything is planned or written. */
export function refuseInvalidOrder(order: LaunchOrder): void {
  if (!(order.units > 0)) {
    throw new HostFactoryError('INVALID_INPUT', `cannot launch ${order.units} units for ${order.requestId}`);
  }
  if (order.template.region) {
    // One simulated region: launching elsewhere would quietly put the hosts somewhere they were not asked for.
    throw new HostFactoryError('INVALID_INPUT', `template ${order.template.templateId} names region ${order.template.region}: the sim provider has a single region; remove the field or use the aws provider`);
  }
}

/** What the sim launches for `order` now: within SIM_CAPACITY left after the live instances, remembered pools last. */
export async function planOrder(db: Knex, store: SimStateStore, config: SimConfig, order: LaunchOrder, now: number): Promise<LaunchPlan> {
  const limited = instanceTypesOf(order.template).filter((type) => config.capacity[type] !== undefined);
  const live = await store.liveCountByType(db, limited, now);
  const left = new Map(limited.map((type) => [type, Math.max(0, config.capacity[type] - (live.get(type) ?? 0))]));
  const avoid = new Set((order.unavailable ?? []).filter((pool) => pool.zone === SIM_ZONE).map((pool) => avoidKey(pool.instanceType, pool.market)));
  return planLaunch(order.template, order.units, left, avoid);
}

/** The plan as `machines request --dry-run` shows it: one launch, its pools with their units in the order filled. */
export function plannedLaunchOf(order: LaunchOrder, plan: LaunchPlan, providerName: string): PlannedLaunch {
  const pools = new Map<string, PlannedCall['pools'][number] & { units: number }>();
  for (const instance of plan.instances) {
    const key = avoidKey(instance.instanceType, instance.priceType);
    const pool = pools.get(key) ?? { instanceType: instance.instanceType, zone: SIM_ZONE, market: instance.priceType, units: 0 };
    pool.units += instance.weight;
    pools.set(key, pool);
  }
  const call: PlannedCall = { api: 'sim:launch', pools: [...pools.values()], units: order.units, tags: launchTags({ templateTags: order.template.instanceTags, requestId: order.requestId, templateId: order.template.templateId, providerName }) };
  const message = plan.instances.length === 0 ? `launch would fail: ${plan.shortMessage ?? 'no capacity'}` : plan.shortMessage;
  return message ? { calls: [call], message } : { calls: [call] };
}
