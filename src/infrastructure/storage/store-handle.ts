import type { MachineRepository } from '../../domain/ports/machine-repository.js';
import type { RequestRepository } from '../../domain/ports/request-repository.js';

export interface StoreHandle {
  readonly kind: 'sqlite' | 'postgres' | 'json' | 'dynamodb';
  readonly requests: RequestRepository;
  readonly machines: MachineRepository;
  close(): Promise<void>;
}
