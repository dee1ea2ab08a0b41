import { afterEach, beforeEach, describe } from 'vitest';
import type { Clock } from '../../src/domain/ports/clock.js';
import { describeCapacityMemoryStoreContract } from './capacity-memory-store-contract.js';
import { describeLeaseStoreContract } from './lease-store-contract.js';
import { describeMachineStoreContract } from './machine-store-contract.js';
import { describeRequestStoreContract } from './request-store-contract.js';
import { aManualClock, type ManualClock, type RepositoryStore } from './store-fixtures.js';

export type { RepositoryStore } from './store-fixtures.js';

/**
 * The contract every store passes (RequestRepository + MachineRepository + ResourceLease + CapacityMemory).
 * `open` must return a fresh, empty store each time, running on `clock` (a clock that stands
 * still until a test moves it): every test opens its own and closes it afterwards. A StoreHandle
 * is a RepositoryStore, so `describeRepositoryContract('json', (clock) => openJsonStore(..., { clock }))` works.
 */
export function describeRepositoryContract(name: string, open: (clock: Clock) => Promise<RepositoryStore>): void {
  describe(`${name} store contract`, () => {
    let current: RepositoryStore | undefined;
    let currentClock: ManualClock | undefined;
    const store = (): RepositoryStore => {
      if (!current) throw new Error('the store did not open');
      return current;
    };
    const clock = (): ManualClock => {
      if (!currentClock) throw new Error('the store did not open');
      return currentClock;
    };

    beforeEach(async () => {
      currentClock = aManualClock();
      current = await open(currentClock);
    });

    afterEach(async () => {
      await current?.close();
      current = undefined;
    });

    describeRequestStoreContract(store);
    describeMachineStoreContract(store);
    describeLeaseStoreContract(store, clock);
    describeCapacityMemoryStoreContract(store, clock);
  });
}
