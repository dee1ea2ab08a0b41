import type { CapacityMemory } from '../../../domain/ports/capacity-memory.js';
import type { Clock } from '../../../domain/ports/clock.js';
import { offeringKey, type Offering, type RememberedOffering } from '../../../domain/offering.js';
import type { JsonStoreFile } from './json-store-file.js';

/**
 * The capacity memory in the `unavailableOfferings` section of the JSON store file. Remembering
 * is one read-modify-write under the file's lock that keeps the later time per pool and drops the
 * pools whose time has passed; the section disappears when none is left.
 */
export class JsonCapacityMemory implements CapacityMemory {
  constructor(
    private readonly store: JsonStoreFile,
    private readonly clock: Clock,
  ) {}

  async remember(offerings: readonly Offering[], until: number): Promise<void> {
    if (offerings.length === 0) return;
    const now = this.clock.now();
    await this.store.mutate((document) => {
      const kept = Object.entries(document.unavailableOfferings ?? {}).filter(([, offering]) => offering.until > now);
      const remembered: Record<string, RememberedOffering> = Object.fromEntries(kept);
      for (const { instanceType, zone, market } of offerings) {
        const key = offeringKey({ instanceType, zone, market });
        const before = Object.hasOwn(remembered, key) ? remembered[key].until : Number.NEGATIVE_INFINITY;
        remembered[key] = { instanceType, zone, market, until: Math.max(before, until) };
      }
      if (Object.keys(remembered).length > 0) document.unavailableOfferings = remembered;
      else delete document.unavailableOfferings;
    });
  }

  async unavailable(now: number): Promise<RememberedOffering[]> {
    const document = await this.store.read();
    return Object.values(document.unavailableOfferings ?? {}).filter((offering) => offering.until > now);
  }
}
