import type { Clock } from '../../src/domain/ports/clock.js';
import { InMemoryCapacityMemory } from './in-memory-capacity-memory.js';
import { InMemoryMachineRepository } from './in-memory-machine-repository.js';
import { InMemoryRequestRepository } from './in-memory-request-repository.js';
import { InMemoryResourceLease } from './in-memory-resource-lease.js';
import { createInMemoryStoreState, type InMemoryStoreState } from './in-memory-store-state.js';

export interface InMemoryStore {
  readonly requests: InMemoryRequestRepository;
  readonly machines: InMemoryMachineRepository;
  readonly leases: InMemoryResourceLease;
  readonly capacity: InMemoryCapacityMemory;
  /** The maps behind both repositories, for tests that need to look or seed directly. */
  readonly state: InMemoryStoreState;
  close(): Promise<void>;
}

/**
 * A fresh in-memory store for unit tests of use cases. `clock` stamps `updatedAt` on updates
 * (the system clock by default). Bind it with
 * `container.rebind(RequestRepository).toConstantValue(store.requests)` (same for machines, leases and capacity).
 */
export function createInMemoryStore(options: { clock?: Clock } = {}): InMemoryStore {
  const state = createInMemoryStoreState(options.clock);
  return {
    requests: new InMemoryRequestRepository(state),
    machines: new InMemoryMachineRepository(state),
    leases: new InMemoryResourceLease(state.clock),
    capacity: new InMemoryCapacityMemory(state.clock),
    state,
    close: async () => undefined,
  };
}
