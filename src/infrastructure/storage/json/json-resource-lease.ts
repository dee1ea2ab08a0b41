import type { Clock } from '../../../domain/ports/clock.js';
import type { LeaseOptions, ResourceLease } from '../../../domain/ports/resource-lease.js';
import { holdLease, type LeaseRecords } from '../hold-lease.js';
import type { JsonStoreFile } from './json-store-file.js';

/**
 * Leases in the `leases` section of the JSON store file. Taking and releasing one are each a
 * read-modify-write under the file's cross-process lock, so they are atomic; a refused or
 * foreign attempt writes nothing. The section disappears when the last lease is released.
 */
export class JsonResourceLease implements ResourceLease, LeaseRecords {
  constructor(
    private readonly store: JsonStoreFile,
    private readonly clock: Clock,
  ) {}

  withLease<T>(resource: string, work: () => Promise<T>, options?: LeaseOptions): Promise<T> {
    return holdLease(this, this.clock, resource, work, options);
  }

  tryAcquire(resource: string, holder: string, now: number, expiresAt: number): Promise<boolean> {
    return this.store.mutate((document) => {
      const leases = document.leases ?? {};
      const current = Object.hasOwn(leases, resource) ? leases[resource] : undefined;
      if (current && current.holder !== holder && current.expiresAt >= now) return false;
      document.leases = { ...leases, [resource]: { holder, expiresAt } };
      return true;
    });
  }

  async release(resource: string, holder: string): Promise<void> {
    await this.store.mutate((document) => {
      const leases = document.leases;
      if (!leases || !Object.hasOwn(leases, resource) || leases[resource].holder !== holder) return;
      delete leases[resource];
      if (Object.keys(leases).length === 0) delete document.leases;
    });
  }
}
