import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { HostFactoryError, isHostFactoryError } from '../../domain/errors.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { LeaseOptions } from '../../domain/ports/resource-lease.js';

const DEFAULT_LEASE_TTL_MS = 30_000;
const DEFAULT_LEASE_WAIT_MS = 20_000;
const POLL_MS = 50;
const POLL_JITTER_MS = 50;

/** The two atomic steps a store offers for leases; `holdLease` builds the ResourceLease port on them. */
export interface LeaseRecords {
  /**
   * Records that `holder` holds `resource` until `expiresAt`, in one atomic step across
   * processes, if nobody holds it, or its lease expired (`expiresAt < now`), or `holder` holds it
   * already. True when it did; false, with nothing written, when another holder's lease is live.
   */
  tryAcquire(resource: string, holder: string, now: number, expiresAt: number): Promise<boolean>;
  /** Deletes the lease on `resource` only if `holder` holds it; otherwise does nothing. */
  release(resource: string, holder: string): Promise<void>;
}

/**
 * ResourceLease.withLease on a store's LeaseRecords, one holder token per call. Expiry is stamped
 * with `clock` (shared by every process on the store); the patience of `waitMs` is this process's
 * own and measured on its monotonic clock, so a stopped test clock cannot make a waiter hang. A
 * release that fails does not hide the outcome of `work`: the lease then expires after `ttlMs`.
 */
export async function holdLease<T>(
  records: LeaseRecords,
  clock: Clock,
  resource: string,
  work: () => Promise<T>,
  options: LeaseOptions = {},
): Promise<T> {
  const ttlMs = options.ttlMs ?? DEFAULT_LEASE_TTL_MS;
  const waitMs = options.waitMs ?? DEFAULT_LEASE_WAIT_MS;
  const holder = randomUUID();
  const giveUpAt = performance.now() + waitMs;
  while (!(await tryAcquire(records, clock, resource, holder, ttlMs))) {
    const left = giveUpAt - performance.now();
    if (left <= 0) {
      throw new HostFactoryError(
        'STORAGE_CONFLICT',
        `The lease on ${resource} is held by another process; gave up after waiting ${waitMs} ms`,
        { retryable: true },
      );
    }
    await sleep(Math.min(left, POLL_MS + Math.random() * POLL_JITTER_MS));
  }
  try {
    return await work();
  } finally {
    await records.release(resource, holder).catch(() => undefined);
  }
}

/** One attempt; a store busy with another process (retryable STORAGE_CONFLICT) counts as a refusal. */
async function tryAcquire(records: LeaseRecords, clock: Clock, resource: string, holder: string, ttlMs: number): Promise<boolean> {
  const now = clock.now();
  try {
    return await records.tryAcquire(resource, holder, now, now + ttlMs);
  } catch (error) {
    if (isHostFactoryError(error) && error.code === 'STORAGE_CONFLICT' && error.retryable) return false;
    throw error;
  }
}
