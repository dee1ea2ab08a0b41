import type { Clock } from '../../src/domain/ports/clock.js';
import type { StoreHandle } from '../../src/infrastructure/storage/store-handle.js';
import { T0 } from '../support/mothers.js';

/** What the contract needs of a store; every StoreHandle is one. */
export type RepositoryStore = Pick<StoreHandle, 'requests' | 'machines' | 'leases' | 'capacity' | 'close'>;

/** A clock that stands still at T0 until a test moves it. */
export interface ManualClock extends Clock {
  advance(ms: number): void;
}

export function aManualClock(): ManualClock {
  let time = T0;
  return {
    now: () => time,
    advance: (ms) => {
      time += ms;
    },
  };
}

export function ids(items: ReadonlyArray<{ machineId: string }>): string[] {
  return items.map((item) => item.machineId).sort();
}

export function requestIds(items: ReadonlyArray<{ requestId: string }>): string[] {
  return items.map((item) => item.requestId).sort();
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<{ code?: string; retryable?: boolean }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; retryable?: boolean };
  }
  throw new Error('expected the operation to fail, but it succeeded');
}
