import type { Clock } from '../../../domain/ports/clock.js';
import type { StoreHandle } from '../store-handle.js';
import { JsonCapacityMemory } from './json-capacity-memory.js';
import { JsonMachineRepository } from './json-machine-repository.js';
import { JsonRequestRepository } from './json-request-repository.js';
import { JsonResourceLease } from './json-resource-lease.js';
import { JsonStoreFile } from './json-store-file.js';

export interface JsonStoreLocation {
  /** Directory holding `hostfactory-store.json`; created when missing. */
  dir: string;
}

export interface JsonStoreOptions {
  /** Stamps `updatedAt` on updates; the system clock by default. */
  clock?: Clock;
}

const systemClock: Clock = { now: () => Date.now() };

/** Opens (without reading) the JSON store in `location.dir`. Nothing to release on close. */
export async function openJsonStore(location: JsonStoreLocation, options: JsonStoreOptions = {}): Promise<StoreHandle> {
  const file = new JsonStoreFile(location.dir);
  await file.prepare();
  const clock = options.clock ?? systemClock;
  return {
    kind: 'json',
    requests: new JsonRequestRepository(file, clock),
    machines: new JsonMachineRepository(file, clock),
    leases: new JsonResourceLease(file, clock),
    capacity: new JsonCapacityMemory(file, clock),
    close: async () => undefined,
  };
}
