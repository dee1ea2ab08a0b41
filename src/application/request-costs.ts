import { inject, injectable } from 'inversify';
import type { Machine } from '../domain/machine.js';
import { Clock } from '../domain/ports/clock.js';
import { MachineRepository } from '../domain/ports/machine-repository.js';
import { runningCost } from '../domain/price.js';
import { CachedPrices } from './cached-prices.js';

/**
 * What acquire requests have cost so far (units × price per unit hour × hours, see runningCost),
 * from the cached prices whatever their age; for people, never for HostFactory.
 */
@injectable()
export class RequestCosts {
  constructor(
    @inject(CachedPrices) private readonly prices: CachedPrices,
    @inject(MachineRepository) private readonly machines: MachineRepository,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  /** USD by request id, from the store's machines of these requests; left out as for ofMachines. */
  async of(requestIds: readonly string[]): Promise<Map<string, number>> {
    if (requestIds.length === 0) return new Map();
    return this.ofMachines(await this.machines.listByRequests(requestIds));
  }

  /** USD by request id of these machines; left out when there is no price cache or a machine's price is unknown. */
  async ofMachines(machines: readonly Machine[]): Promise<Map<string, number>> {
    const costs = new Map<string, number>();
    const sheet = machines.length > 0 ? await this.prices.any() : undefined;
    if (!sheet) return costs;
    const byRequest = new Map<string, Machine[]>();
    for (const machine of machines) byRequest.set(machine.requestId, [...(byRequest.get(machine.requestId) ?? []), machine]);
    for (const [requestId, owned] of byRequest) {
      const cost = runningCost(owned, sheet, this.clock.now());
      if (cost !== undefined) costs.set(requestId, cost);
    }
    return costs;
  }
}
