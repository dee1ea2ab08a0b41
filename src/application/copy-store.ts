import { HostFactoryError } from '../domain/errors.js';
import type { MachineRepository } from '../domain/ports/machine-repository.js';
import type { RequestRepository } from '../domain/ports/request-repository.js';

export interface StoreRepositories {
  requests: RequestRepository;
  machines: MachineRepository;
}

export interface CopyReport {
  requests: number;
  machines: number;
}

const ALL = Number.MAX_SAFE_INTEGER;
const BATCH = 500;

/**
 * Copies every request and machine from one store to another, then reads the target back and
 * fails unless everything arrived intact. Requests already in the target are left as they are.
 */
export async function copyStore(from: StoreRepositories, to: StoreRepositories): Promise<CopyReport> {
  const requests = await from.requests.list({ limit: ALL });
  let machineCount = 0;
  for (let start = 0; start < requests.length; start += BATCH) {
    const batch = requests.slice(start, start + BATCH);
    const present = new Set((await to.requests.getMany(batch.map((r) => r.requestId))).map((r) => r.requestId));
    for (const request of batch) if (!present.has(request.requestId)) await to.requests.create(request);
    const machines = await from.machines.listByRequests(batch.map((r) => r.requestId));
    await to.machines.addIfAbsent(machines);
    machineCount += machines.length;
    await verify(batch.map((r) => r.requestId), machines.length, from, to);
  }
  return { requests: requests.length, machines: machineCount };
}

async function verify(requestIds: string[], machineCount: number, from: StoreRepositories, to: StoreRepositories): Promise<void> {
  const copied = await to.requests.getMany(requestIds);
  const copiedMachines = await to.machines.listByRequests(requestIds);
  const source = await from.machines.listByRequests(requestIds);
  const sameMachines = source.every((machine) =>
    copiedMachines.some((other) => other.machineId === machine.machineId && other.returnRequestId === machine.returnRequestId && other.status === machine.status),
  );
  if (copied.length !== requestIds.length || copiedMachines.length < machineCount || !sameMachines) {
    throw new HostFactoryError(
      'STORAGE_CONFLICT',
      `copy verification failed: ${copied.length}/${requestIds.length} requests and ${copiedMachines.length}/${machineCount} machines read back`,
      { retryable: false },
    );
  }
}
