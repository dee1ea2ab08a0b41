import type { CapacityMemory } from '../../../domain/ports/capacity-memory.js';
import type { Clock } from '../../../domain/ports/clock.js';
import type { MachinePriceType } from '../../../domain/machine.js';
import { offeringKey, type Offering, type RememberedOffering } from '../../../domain/offering.js';
import type { KnexDatabase } from './knex-database.js';
import { translated } from './storage-error.js';

const TABLE = 'unavailable_offerings';

/** An `unavailable_offerings` row. */
interface OfferingRow {
  instance_type: string;
  zone: string;
  market: string;
  expires_at: number | string;
}

/**
 * The capacity memory in table `unavailable_offerings` (SQLite or PostgreSQL), keyed by pool.
 * Remembering is one multi-row upsert that keeps the later expiry (`on conflict … do update …
 * where expires_at < new`), so racing writers never shorten each other's memory; expired rows are
 * deleted by the same call, so the table holds only the pools avoided now.
 */
export class KnexCapacityMemory implements CapacityMemory {
  constructor(
    private readonly db: KnexDatabase,
    private readonly clock: Clock,
  ) {}

  remember(offerings: readonly Offering[], until: number): Promise<void> {
    if (offerings.length === 0) return Promise.resolve();
    return translated('remembering pools out of capacity', async () => {
      const rows = [...new Map(offerings.map((offering) => [offeringKey(offering), toRow(offering, until)])).values()];
      await this.db<OfferingRow>(TABLE)
        .insert(rows)
        .onConflict(['instance_type', 'zone', 'market'])
        .merge(['expires_at'])
        .where(`${TABLE}.expires_at`, '<', until);
      await this.db<OfferingRow>(TABLE).where('expires_at', '<=', this.clock.now()).delete();
    });
  }

  unavailable(now: number): Promise<RememberedOffering[]> {
    return translated('reading pools out of capacity', async () => {
      const rows = await this.db<OfferingRow>(TABLE).select('instance_type', 'zone', 'market', 'expires_at').where('expires_at', '>', now);
      return rows.map((row) => ({
        instanceType: row.instance_type,
        zone: row.zone,
        market: row.market as MachinePriceType,
        until: Number(row.expires_at),
      }));
    });
  }
}

function toRow(offering: Offering, until: number): OfferingRow {
  return { instance_type: offering.instanceType, zone: offering.zone, market: offering.market, expires_at: until };
}
