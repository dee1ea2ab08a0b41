import { inject, injectable } from 'inversify';
import { Clock } from '../../domain/ports/clock.js';
import type { PriceSource } from '../../domain/ports/price-source.js';
import type { PriceSheet, RegionPrices } from '../../domain/price.js';
import { simInstanceType } from './sim-catalog.js';

/** A type's on-demand price is this many times its cheapest spot price: spot about 67 % off, a usual AWS discount. */
export const SIM_ON_DEMAND_FACTOR = 3;

/**
 * Prices of the simulated cloud, from its catalog (sim-catalog.ts) so that they never change: spot
 * as the catalog gives it per zone (the family's `large` price × size, +10 % per zone after
 * sim-1a), on demand SIM_ON_DEMAND_FACTOR × the cheapest zone's spot price. Types the catalog
 * does not know are left out. It has one region (`sim`): no other is priced.
 */
@injectable()
export class SimPriceSource implements PriceSource {
  constructor(@inject(Clock) private readonly clock: Clock) {}

  async fetch(instanceTypes: readonly string[]): Promise<PriceSheet> {
    const prices: RegionPrices = { onDemand: {}, spot: {} };
    for (const name of instanceTypes) {
      const known = simInstanceType(name);
      if (!known) continue;
      prices.spot[name] = known.spotPrices;
      prices.onDemand[name] = Math.round(SIM_ON_DEMAND_FACTOR * Math.min(...Object.values(known.spotPrices)) * 10000) / 10000;
    }
    return { fetchedAt: this.clock.now(), region: 'sim', regions: { sim: prices } };
  }
}
