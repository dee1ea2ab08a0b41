import type { Clock } from '../../../domain/ports/clock.js';
import type { LeaseOptions, ResourceLease } from '../../../domain/ports/resource-lease.js';
import { holdLease, type LeaseRecords } from '../hold-lease.js';
import type { KnexDatabase } from './knex-database.js';
import { translated } from './storage-error.js';

/** A `resource_leases` row. */
interface LeaseRow {
  resource: string;
  holder: string;
  expires_at: number | string;
}

/**
 * Leases in the `resource_leases` table (SQLite or PostgreSQL). Taking one is a single upsert
 * (`insert … on conflict (resource) do update … where expires_at < now or holder = ours
 * returning holder`), so the database's row locking decides between racing processes and a row
 * comes back only when the lease is ours; releasing deletes the row only if it is still ours.
 */
export class KnexResourceLease implements ResourceLease, LeaseRecords {
  constructor(
    private readonly db: KnexDatabase,
    private readonly clock: Clock,
  ) {}

  withLease<T>(resource: string, work: () => Promise<T>, options?: LeaseOptions): Promise<T> {
    return holdLease(this, this.clock, resource, work, options);
  }

  tryAcquire(resource: string, holder: string, now: number, expiresAt: number): Promise<boolean> {
    return translated(`taking the lease on ${resource}`, async () => {
      const taken = await this.db<LeaseRow>('resource_leases')
        .insert({ resource, holder, expires_at: expiresAt })
        .onConflict('resource')
        .merge(['holder', 'expires_at'])
        .where('resource_leases.expires_at', '<', now)
        .orWhere('resource_leases.holder', holder)
        .returning('holder');
      return taken.length === 1;
    });
  }

  release(resource: string, holder: string): Promise<void> {
    return translated(`releasing the lease on ${resource}`, async () => {
      await this.db<LeaseRow>('resource_leases').where({ resource, holder }).delete();
    });
  }
}
