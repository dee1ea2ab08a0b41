import type { Machine } from '../domain/machine.js';
import type { MachineRepository } from '../domain/ports/machine-repository.js';
import type { RequestRepository } from '../domain/ports/request-repository.js';
import type { Request } from '../domain/request.js';

/** The acquire requests `requestIds` and every machine the store holds for them, as the cloud port's release calls want them. */
export interface Owners {
  owners: Request[];
  tracked: Machine[];
}

export async function ownersOf(requests: RequestRepository, machines: MachineRepository, requestIds: Iterable<string>): Promise<Owners> {
  const ids = [...new Set(requestIds)];
  const [owners, tracked] = await Promise.all([requests.getMany(ids), machines.listByRequests(ids)]);
  return { owners, tracked };
}
