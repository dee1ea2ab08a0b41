import type { ServiceIdentifier } from 'inversify';

export interface LeaseOptions {
  /**
   * A lease left by a dead process expires after this; default 30000. Pick it longer than `work`
   * ever takes: a lease is not renewed while `work` runs.
   */
  ttlMs?: number;
  /** How long to wait for a held lease before giving up; default 20000. */
  waitMs?: number;
}

/**
 * Cross-process mutual exclusion on one named cloud resource (e.g. `ec2-fleet:fleet-…`), held in
 * the store, so two short-lived HostFactory processes never read-modify-write the same cloud
 * resource at once. Expiry is judged by the Clock port, so every process sharing the store must
 * agree on the time.
 */
export interface ResourceLease {
  /**
   * Runs `work` while holding the lease on `resource`; waits for a lease another holder has
   * (polling), takes over an expired one; releases it afterwards (also when work throws).
   * Resolves to what `work` returns and rejects with what it throws. Throws HostFactoryError
   * STORAGE_CONFLICT (retryable) naming the resource when the lease cannot be had within
   * `waitMs`; `work` has not run then, and the store is unchanged.
   */
  withLease<T>(resource: string, work: () => Promise<T>, options?: LeaseOptions): Promise<T>;
}

export const ResourceLease: ServiceIdentifier<ResourceLease> = Symbol.for('ResourceLease');
