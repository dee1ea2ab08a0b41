import type { CapacityMemory } from '../../domain/ports/capacity-memory.js';
import type { MachineRepository } from '../../domain/ports/machine-repository.js';
import type { RequestRepository } from '../../domain/ports/request-repository.js';
import type { ResourceLease } from '../../domain/ports/resource-lease.js';

export interface StoreHandle {
  readonly kind: 'sqlite' | 'postgres' | 'json' | 'dynamodb';
  readonly requests: RequestRepository;
  readonly machines: MachineRepository;
  /** Cross-process leases on cloud resources, held in this store. */
  readonly leases: ResourceLease;
  /** Pools recently out of capacity, shared by every process and host on this store. */
  readonly capacity: CapacityMemory;
  close(): Promise<void>;
}
