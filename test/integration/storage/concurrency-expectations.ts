import { expect } from 'vitest';
import type { StoreHandle } from '../../../src/infrastructure/storage/store-handle.js';
import type { WorkerOutcome } from './store-workers.js';

/** What the workers of store-worker.mjs must leave behind when no write was lost. */
export async function expectNoLostUpdate(
  store: StoreHandle,
  outcomes: readonly WorkerOutcome[],
  workers: number,
  sharedRequestId: string,
): Promise<void> {
  const failures = outcomes.filter((outcome) => outcome.exitCode !== 0);
  expect(failures.map((outcome) => `worker ${outcome.index} exited ${outcome.exitCode}: ${outcome.stderr}`)).toEqual([]);

  const own = await store.requests.getMany(Array.from({ length: workers }, (_, index) => `req-worker-${index}`));
  expect(own.length).toBe(workers);

  const shared = await store.requests.get(sharedRequestId);
  expect(shared?.providerData.counter).toBe(workers);
  expect([...(shared?.providerData.workers as number[])].sort((a, b) => a - b)).toEqual(
    Array.from({ length: workers }, (_, index) => index),
  );
  expect(shared?.version).toBe(workers);

  const machines = await store.machines.listByRequests([sharedRequestId]);
  expect(machines.map((machine) => machine.machineId).sort()).toEqual([
    'i-00000000000000001',
    'i-00000000000000002',
    'i-00000000000000003',
  ]);
  expect(machines.every((machine) => machine.version === 0)).toBe(true);
}
