import type { MachinePriceType } from '../../../domain/machine.js';
import { offeringKey, type Offering, type RememberedOffering } from '../../../domain/offering.js';
import type { CapacityMemory } from '../../../domain/ports/capacity-memory.js';
import type { Clock } from '../../../domain/ports/clock.js';
import { OFFERINGS_SCOPE } from './dynamodb-table-design.js';
import { PARALLEL_CALLS, type DynamoDbTables } from './dynamodb-tables.js';
import { mapConcurrently } from './map-concurrently.js';

const NAMES = { '#offering': 'offering', '#until': 'until', '#scope': 'scope' };

/**
 * The capacity memory in the `<prefix>unavailable-offerings` table, one partition: remembering
 * is a conditional PutItem per pool (`attribute_not_exists OR until < :until`, so the later time
 * wins and racing writers never shorten it), then expired items are deleted (conditionally, so
 * one extended meanwhile stays); reading is one Query of the partition.
 */
export class DynamoDbCapacityMemory implements CapacityMemory {
  constructor(
    private readonly tables: DynamoDbTables,
    private readonly clock: Clock,
  ) {}

  private get table(): string {
    return this.tables.names.unavailableOfferings;
  }

  async remember(offerings: readonly Offering[], until: number): Promise<void> {
    const pools = [...new Map(offerings.map((offering) => [offeringKey(offering), offering])).entries()];
    await mapConcurrently(pools, PARALLEL_CALLS, ([key, { instanceType, zone, market }]) =>
      this.tables.putIf(this.table, { scope: OFFERINGS_SCOPE, offering: key, instanceType, zone, market, until }, {
        expression: 'attribute_not_exists(#offering) OR #until < :until',
        names: { '#offering': NAMES['#offering'], '#until': NAMES['#until'] },
        values: { ':until': until },
      }),
    );
    const now = this.clock.now();
    const expired = (await this.all()).filter((offering) => offering.until <= now);
    await mapConcurrently(expired, PARALLEL_CALLS, (offering) =>
      this.tables.deleteIf(this.table, { scope: OFFERINGS_SCOPE, offering: offeringKey(offering) }, {
        expression: '#until <= :now',
        names: { '#until': NAMES['#until'] },
        values: { ':now': now },
      }),
    );
  }

  async unavailable(now: number): Promise<RememberedOffering[]> {
    return (await this.all()).filter((offering) => offering.until > now);
  }

  private async all(): Promise<RememberedOffering[]> {
    const items = await this.tables.query({
      TableName: this.table,
      KeyConditionExpression: '#scope = :scope',
      ExpressionAttributeNames: { '#scope': NAMES['#scope'] },
      ExpressionAttributeValues: { ':scope': OFFERINGS_SCOPE },
      ConsistentRead: true,
    });
    return items.map((item) => ({
      instanceType: item.instanceType as string,
      zone: item.zone as string,
      market: item.market as MachinePriceType,
      until: Number(item.until),
    }));
  }
}
