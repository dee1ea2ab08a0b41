import { isHostFactoryError } from '../domain/errors.js';
import type { Machine } from '../domain/machine.js';
import type { MachineRepository } from '../domain/ports/machine-repository.js';
import type { RequestRepository } from '../domain/ports/request-repository.js';
import type { Request } from '../domain/request.js';

const DEFAULT_ATTEMPTS = 8;

/** Runs a read-modify-write step again when the store reports that another process wrote first. */
async function retryOnConflict<T>(step: () => Promise<T>, attempts = DEFAULT_ATTEMPTS): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      const conflict = isHostFactoryError(error) && error.code === 'STORAGE_CONFLICT';
      if (!conflict || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}

interface OptimisticStore<T> {
  update(entity: T): Promise<T>;
  /** The entity as stored now, or undefined when it is gone. */
  reread(): Promise<T | undefined>;
}

/**
 * Applies `change` to the last known copy of an entity and stores it; when another process wrote
 * first, re-reads it and applies `change` again. `change` returns undefined to leave the entity
 * as it is. Resolves to the entity as stored afterwards.
 */
function changeOptimistically<T>(known: T, store: OptimisticStore<T>, change: (current: T) => T | undefined): Promise<T> {
  let current = known;
  return retryOnConflict(async () => {
    const next = change(current);
    if (next === undefined) return current;
    try {
      return await store.update(next);
    } catch (error) {
      if (isHostFactoryError(error) && error.code === 'STORAGE_CONFLICT') current = (await store.reread()) ?? current;
      throw error;
    }
  });
}

export function changeRequest(requests: RequestRepository, known: Request, change: (current: Request) => Request | undefined): Promise<Request> {
  return changeOptimistically(known, { update: (next) => requests.update(next), reread: () => requests.get(known.requestId) }, change);
}

export function changeMachine(machines: MachineRepository, known: Machine, change: (current: Machine) => Machine | undefined): Promise<Machine> {
  const reread = async () => (await machines.findByRefs([{ machineId: known.machineId }]))[0];
  return changeOptimistically(known, { update: (next) => machines.update(next), reread }, change);
}
