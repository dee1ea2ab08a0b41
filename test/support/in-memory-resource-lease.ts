import type { Clock } from '../../src/domain/ports/clock.js';
import type { LeaseOptions, ResourceLease } from '../../src/domain/ports/resource-lease.js';
import { holdLease, type LeaseRecords } from '../../src/infrastructure/storage/hold-lease.js';

/**
 * ResourceLease for unit tests, with the stores' semantics (same waiting loop, expiry by `clock`,
 * release only by the holder). Standalone: `new InMemoryResourceLease(clock)`.
 */
export class InMemoryResourceLease implements ResourceLease, LeaseRecords {
  private readonly leases = new Map<string, { holder: string; expiresAt: number }>();

  constructor(private readonly clock: Clock) {}

  withLease<T>(resource: string, work: () => Promise<T>, options?: LeaseOptions): Promise<T> {
    return holdLease(this, this.clock, resource, work, options);
  }

  async tryAcquire(resource: string, holder: string, now: number, expiresAt: number): Promise<boolean> {
    const current = this.leases.get(resource);
    if (current && current.holder !== holder && current.expiresAt >= now) return false;
    this.leases.set(resource, { holder, expiresAt });
    return true;
  }

  async release(resource: string, holder: string): Promise<void> {
    if (this.leases.get(resource)?.holder === holder) this.leases.delete(resource);
  }
}
