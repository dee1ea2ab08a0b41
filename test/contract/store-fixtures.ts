import { randomUUID } from 'node:crypto';
import type { Machine } from '../../src/domain/machine.js';
import type { Clock } from '../../src/domain/ports/clock.js';
import type { Request } from '../../src/domain/request.js';
import type { StoreHandle } from '../../src/infrastructure/storage/store-handle.js';

/** What the contract needs of a store; every StoreHandle is one. */
export type RepositoryStore = Pick<StoreHandle, 'requests' | 'machines' | 'leases' | 'close'>;

/** A fixed instant well past 2^31 ms, so 32-bit integer columns would show. */
export const T0 = 1_750_000_000_000;

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

export function anAcquireRequest(overrides: Partial<Request> = {}): Request {
  return {
    requestId: `req-${randomUUID()}`,
    kind: 'acquire',
    status: 'running',
    templateId: 'tpl-ondemand',
    machineCount: 2,
    providerName: 'awsinst',
    providerData: { fleetId: 'fleet-0abc', launched: 2 },
    createdAt: T0,
    updatedAt: T0,
    version: 0,
    ...overrides,
  };
}

export function aReturnRequest(overrides: Partial<Request> = {}): Request {
  return {
    requestId: `ret-${randomUUID()}`,
    kind: 'return',
    status: 'running',
    machineCount: 1,
    providerName: 'awsinst',
    providerData: {},
    createdAt: T0,
    updatedAt: T0,
    version: 0,
    ...overrides,
  };
}

let hostNumber = 0;

export function aMachine(requestId: string, overrides: Partial<Machine> = {}): Machine {
  hostNumber += 1;
  const octet = hostNumber % 250;
  return {
    machineId: `i-${randomUUID().replace(/-/g, '').slice(0, 17)}`,
    name: `ip-10-0-${octet}-${hostNumber % 256}-${randomUUID().slice(0, 8)}.ec2.internal`,
    requestId,
    templateId: 'tpl-ondemand',
    status: 'pending',
    privateIpAddress: `10.0.${octet}.${hostNumber % 256}`,
    publicIpAddress: null,
    launchTime: Math.floor(T0 / 1000),
    instanceType: 'm5.large',
    priceType: 'ondemand',
    weight: 1,
    instanceTags: { HostFactoryRequestId: requestId },
    cloudHostId: null,
    version: 0,
    updatedAt: T0,
    ...overrides,
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
