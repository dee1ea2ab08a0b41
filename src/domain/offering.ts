/**
 * One capacity pool of a cloud: an instance type in one zone and market. A cloud that answers
 * "insufficient capacity" answers it for a pool; another pool of the same template may still have
 * room (Karpenter's "offering").
 */
export interface Offering {
  instanceType: string;
  /** The availability zone name (e.g. `us-east-1a`), as the provider knows its zones. */
  zone: string;
  /** On-demand or spot (a machine's price type). */
  market: 'ondemand' | 'spot';
}

/** An offering remembered as out of capacity until `until` (epoch ms). */
export interface RememberedOffering extends Offering {
  until: number;
}

/** One string per pool, e.g. `m5.large|us-east-1a|spot`: for sets, maps and store keys. */
export function offeringKey(offering: Offering): string {
  return `${offering.instanceType}|${offering.zone}|${offering.market}`;
}

/** The offerings listed once each, in the order first seen. */
export function distinctOfferings<T extends Offering>(offerings: Iterable<T>): T[] {
  const seen = new Map<string, T>();
  for (const offering of offerings) if (!seen.has(offeringKey(offering))) seen.set(offeringKey(offering), offering);
  return [...seen.values()];
}

/** True when `pools` is not empty and every one of them is among `remembered`. */
export function everyPoolRemembered(pools: readonly Offering[], remembered: readonly Offering[]): boolean {
  const keys = new Set(remembered.map(offeringKey));
  return pools.length > 0 && pools.every((pool) => keys.has(offeringKey(pool)));
}
