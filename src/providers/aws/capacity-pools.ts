import type { MachinePriceType } from '../../domain/machine.js';
import type { Offering } from '../../domain/offering.js';
import type { Logger } from '../../domain/ports/logger.js';
import type { Template } from '../../domain/template.js';
import type { CapacityPlan } from './capacity-plan.js';
import { awsReason } from './ec2/aws-errors.js';
import type { LaunchPools } from './launch-pools.js';
import type { SubnetZones } from './subnet-zones.js';

/**
 * The AWS provider's side of the capacity memory: subnets become zones (SubnetZones: cached in the
 * work dir, so DescribeSubnets once per subnet, and only when the memory is involved), so pools
 * remembered by any process on the store are recognised in this launch, and pools noted during
 * it are reported as offerings. A subnet that cannot be resolved is logged and left out: the
 * memory is advice, never a reason for a launch to fail.
 */
export class CapacityPools {
  constructor(
    private readonly subnets: SubnetZones,
    private readonly logger: Logger,
  ) {}

  /** Resolves the zones of the plan's subnets when a remembered pool could be among them. */
  async prepare(pools: LaunchPools, plan: CapacityPlan): Promise<void> {
    const types = new Set(plan.types.map((type) => type.instanceType));
    if (!pools.unavailable.some((offering) => types.has(offering.instanceType))) return;
    pools.zones = await this.zonesOf(plan.subnetIds);
  }

  /** The pools noted during a launch, as offerings (those whose zone cannot be told are left out). */
  async offeringsOf(pools: LaunchPools): Promise<Offering[]> {
    if (pools.exhausted.length === 0) return [];
    const unresolved = [...new Set(pools.exhausted.flatMap((pool) => (!pool.zone && pool.subnetId && !pools.zones.has(pool.subnetId) ? [pool.subnetId] : [])))];
    const zones = new Map([...pools.zones, ...(await this.zonesOf(unresolved))]);
    return pools.exhausted.flatMap((pool) => {
      const zone = pool.zone ?? (pool.subnetId ? zones.get(pool.subnetId) : undefined);
      return zone ? [{ instanceType: pool.instanceType, zone, market: pool.market }] : [];
    });
  }

  /**
   * Every pool a launch of `template` may use (each of its types on each market its price type
   * uses, in the zones of its subnets) from the subnet cache alone; undefined when a subnet is not
   * cached or the template names none (EC2 then picks the zone).
   */
  async ofTemplate(template: Template, plan: CapacityPlan): Promise<Offering[] | undefined> {
    if (template.subnetIds.length === 0) return undefined;
    const zones = await this.subnets.cachedZonesOf(template.subnetIds);
    if (zones.size < new Set(template.subnetIds).size) return undefined;
    const markets: MachinePriceType[] = [...(plan.onDemandUnits > 0 ? ['ondemand' as const] : []), ...(plan.spotUnits > 0 ? ['spot' as const] : [])];
    return plan.types.flatMap((type) => markets.flatMap((market) => [...new Set(zones.values())].map((zone) => ({ instanceType: type.instanceType, zone, market }))));
  }

  private async zonesOf(subnetIds: readonly string[]): Promise<Map<string, string>> {
    if (subnetIds.length === 0) return new Map();
    try {
      return await this.subnets.zonesOf(subnetIds);
    } catch (error) {
      this.logger.warn({ subnetIds, error: awsReason(error) }, 'subnets not resolved to zones; the capacity memory leaves them out');
      return new Map();
    }
  }
}
