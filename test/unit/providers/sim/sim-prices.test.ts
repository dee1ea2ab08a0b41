import { describe, expect, it } from 'vitest';
import { SimPriceSource } from '../../../../src/providers/sim/sim-prices.js';

describe('the simulated cloud\'s prices', () => {
  it('are the catalog\'s spot prices per zone, on demand three times the cheapest zone, the same on every machine', async () => {
    const sheet = await new SimPriceSource({ now: () => 1_700_000_000_000 }).fetch(['m5.large', 'g5.xlarge', 'x9.huge']);
    expect(sheet).toEqual({
      fetchedAt: 1_700_000_000_000,
      region: 'sim',
      regions: {
        sim: {
          onDemand: { 'm5.large': 0.105, 'g5.xlarge': 2.4 },
          spot: { 'm5.large': { 'sim-1a': 0.035, 'sim-1b': 0.0385, 'sim-1c': 0.042 }, 'g5.xlarge': { 'sim-1a': 0.8, 'sim-1b': 0.88 } },
        },
      },
    });
  });
});
