import type { MachinePriceType } from '../../domain/machine.js';
import { offeringKey, type Offering } from '../../domain/offering.js';

/** A pool as a launch names it: an instance type on a market, in a subnet (whose zone EC2 uses) or a zone. */
export interface Pool {
  instanceType: string;
  market: MachinePriceType;
  subnetId?: string;
  zone?: string;
}

/**
 * What one launch knows and learns of pools out of capacity: the pools remembered before it
 * (LaunchOrder.unavailable, matched to the launch's subnets through their zones) and the pools
 * that answered "insufficient capacity" during it. Handlers ask `isRemembered` and call `note`.
 */
export class LaunchPools {
  readonly exhausted: Pool[] = [];
  private readonly remembered: Set<string>;
  /** subnet id → zone, for the launch's subnets; filled only when something of the plan is remembered. */
  zones = new Map<string, string>();

  constructor(readonly unavailable: readonly Offering[] = []) {
    this.remembered = new Set(unavailable.map(offeringKey));
  }

  /** True when the pool's zone is known and the pool is remembered out of capacity. */
  isRemembered(pool: Pool): boolean {
    const zone = pool.zone ?? (pool.subnetId ? this.zones.get(pool.subnetId) : undefined);
    return zone !== undefined && this.remembered.has(offeringKey({ instanceType: pool.instanceType, zone, market: pool.market }));
  }

  /** This pool just answered "insufficient capacity". */
  note(pool: Pool): void {
    this.exhausted.push(pool);
  }
}
