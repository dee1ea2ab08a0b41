import { afterEach, beforeEach, describe } from 'vitest';
import { describeMachineStoreContract } from './machine-store-contract.js';
import { describeRequestStoreContract } from './request-store-contract.js';
import type { RepositoryStore } from './store-fixtures.js';

export type { RepositoryStore } from './store-fixtures.js';

/**
 * The contract every store passes (RequestRepository + MachineRepository). `open` must return a
 * fresh, empty store each time: every test opens its own and closes it afterwards. A StoreHandle
 * is a RepositoryStore, so `describeRepositoryContract('json', () => openJsonStore(...))` works.
 */
export function describeRepositoryContract(name: string, open: () => Promise<RepositoryStore>): void {
  describe(`${name} store contract`, () => {
    let current: RepositoryStore | undefined;
    const store = (): RepositoryStore => {
      if (!current) throw new Error('the store did not open');
      return current;
    };

    beforeEach(async () => {
      current = await open();
    });

    afterEach(async () => {
      await current?.close();
      current = undefined;
    });

    describeRequestStoreContract(store);
    describeMachineStoreContract(store);
  });
}
