import { describe, expect, it } from 'vitest';
import type { Offering, RememberedOffering } from '../../src/domain/offering.js';
import { T0 } from '../support/mothers.js';
import type { ManualClock, RepositoryStore } from './store-fixtures.js';

const TTL = 180_000;
const M5_A_SPOT: Offering = { instanceType: 'm5.large', zone: 'us-east-1a', market: 'spot' };
const C5_B_ONDEMAND: Offering = { instanceType: 'c5.large', zone: 'us-east-1b', market: 'ondemand' };

function sorted(offerings: readonly RememberedOffering[]): RememberedOffering[] {
  return [...offerings].sort((a, b) => `${a.instanceType}${a.zone}${a.market}`.localeCompare(`${b.instanceType}${b.zone}${b.market}`));
}

/** The CapacityMemory half of the store contract; `store()` is a fresh store per test on `clock()`. */
export function describeCapacityMemoryStoreContract(store: () => RepositoryStore, clock: () => ManualClock): void {
  describe('capacity memory', () => {
    it('knows nothing in a fresh store', async () => {
      expect(await store().capacity.unavailable(T0)).toEqual([]);
    });

    it('lists a remembered pool until its time has come, and not from then on', async () => {
      await store().capacity.remember([M5_A_SPOT, C5_B_ONDEMAND], T0 + TTL);

      expect(sorted(await store().capacity.unavailable(T0 + TTL - 1))).toEqual([
        { ...C5_B_ONDEMAND, until: T0 + TTL },
        { ...M5_A_SPOT, until: T0 + TTL },
      ]);
      expect(await store().capacity.unavailable(T0 + TTL)).toEqual([]);
    });

    it('tells pools apart by instance type, zone and market', async () => {
      await store().capacity.remember([M5_A_SPOT], T0 + TTL);

      const listed = await store().capacity.unavailable(T0);

      expect(listed).toEqual([{ ...M5_A_SPOT, until: T0 + TTL }]);
      for (const other of [
        { ...M5_A_SPOT, market: 'ondemand' },
        { ...M5_A_SPOT, zone: 'us-east-1b' },
        { ...M5_A_SPOT, instanceType: 'm5.xlarge' },
      ]) {
        expect(listed).not.toContainEqual(expect.objectContaining(other));
      }
    });

    it('keeps the later time when a pool is remembered again, so a late writer never shortens it', async () => {
      await store().capacity.remember([M5_A_SPOT], T0 + TTL);
      await store().capacity.remember([M5_A_SPOT], T0 + 60_000);
      expect(await store().capacity.unavailable(T0)).toEqual([{ ...M5_A_SPOT, until: T0 + TTL }]);

      await store().capacity.remember([M5_A_SPOT, M5_A_SPOT], T0 + 2 * TTL);
      expect(await store().capacity.unavailable(T0)).toEqual([{ ...M5_A_SPOT, until: T0 + 2 * TTL }]);
    });

    it('loses no pool when many processes remember at once', async () => {
      const pools = Array.from({ length: 8 }, (_, n): Offering => ({ instanceType: `m5.${n}xlarge`, zone: 'us-east-1a', market: 'spot' }));

      await Promise.all(pools.map((pool) => store().capacity.remember([pool], T0 + TTL)));

      expect(sorted(await store().capacity.unavailable(T0))).toEqual(sorted(pools.map((pool) => ({ ...pool, until: T0 + TTL }))));
    });

    it('drops the pools whose time has passed on the next write, so it holds only what is avoided now', async () => {
      await store().capacity.remember([M5_A_SPOT], T0 + 10_000);
      clock().advance(20_000);

      await store().capacity.remember([C5_B_ONDEMAND], clock().now() + TTL);

      expect(await store().capacity.unavailable(T0)).toEqual([{ ...C5_B_ONDEMAND, until: T0 + 20_000 + TTL }]);
    });

    it('changes nothing when given no pool', async () => {
      await store().capacity.remember([], T0 + TTL);
      expect(await store().capacity.unavailable(T0)).toEqual([]);
    });
  });
}
