import type { CapacityMemory } from '../../src/domain/ports/capacity-memory.js';
import type { Clock } from '../../src/domain/ports/clock.js';
import { offeringKey, type Offering, type RememberedOffering } from '../../src/domain/offering.js';

/**
 * CapacityMemory for unit tests, with the stores' semantics (the later time wins, expired pools
 * dropped on the next write). Standalone: `new InMemoryCapacityMemory(clock)`.
 */
export class InMemoryCapacityMemory implements CapacityMemory {
  private readonly pools = new Map<string, RememberedOffering>();

  constructor(private readonly clock: Clock) {}

  async remember(offerings: readonly Offering[], until: number): Promise<void> {
    const now = this.clock.now();
    for (const [key, pool] of this.pools) if (pool.until <= now) this.pools.delete(key);
    for (const { instanceType, zone, market } of offerings) {
      const key = offeringKey({ instanceType, zone, market });
      this.pools.set(key, { instanceType, zone, market, until: Math.max(this.pools.get(key)?.until ?? Number.NEGATIVE_INFINITY, until) });
    }
  }

  async unavailable(now: number): Promise<RememberedOffering[]> {
    return [...this.pools.values()].filter((pool) => pool.until > now).map((pool) => ({ ...pool }));
  }
}
