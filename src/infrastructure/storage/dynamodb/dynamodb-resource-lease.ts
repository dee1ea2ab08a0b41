import type { Clock } from '../../../domain/ports/clock.js';
import type { LeaseOptions, ResourceLease } from '../../../domain/ports/resource-lease.js';
import { holdLease, type LeaseRecords } from '../hold-lease.js';
import type { DynamoDbTables } from './dynamodb-tables.js';

const NAMES = { '#resource': 'resource', '#holder': 'holder', '#expiresAt': 'expiresAt' };

/**
 * Leases in DynamoDB (table `<prefix>-leases`, key resource). Taking one is a PutItem on the
 * condition that no lease exists, or it expired, or it is ours; releasing is a DeleteItem on the
 * condition that it is ours. DynamoDB evaluates each condition atomically with its write.
 */
export class DynamoDbResourceLease implements ResourceLease, LeaseRecords {
  constructor(
    private readonly tables: DynamoDbTables,
    private readonly clock: Clock,
  ) {}

  withLease<T>(resource: string, work: () => Promise<T>, options?: LeaseOptions): Promise<T> {
    return holdLease(this, this.clock, resource, work, options);
  }

  tryAcquire(resource: string, holder: string, now: number, expiresAt: number): Promise<boolean> {
    return this.tables.putIf(this.tables.names.leases, { resource, holder, expiresAt }, {
      expression: 'attribute_not_exists(#resource) OR #expiresAt < :now OR #holder = :holder',
      names: NAMES,
      values: { ':now': now, ':holder': holder },
    });
  }

  async release(resource: string, holder: string): Promise<void> {
    await this.tables.deleteIf(this.tables.names.leases, { resource }, {
      expression: '#holder = :holder',
      names: { '#holder': NAMES['#holder'] },
      values: { ':holder': holder },
    });
  }
}
