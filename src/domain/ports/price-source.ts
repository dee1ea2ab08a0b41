import type { ServiceIdentifier } from 'inversify';
import type { PriceSheet } from '../price.js';

/** Where prices come from: the cloud's price lists, asked only when the price cache is refreshed. */
export interface PriceSource {
  /**
   * The on-demand price and the latest spot price per zone of each of `instanceTypes` in the
   * provider's own region, and of each of `elsewhere[region]` in that region, in USD per instance
   * hour, for Linux on shared tenancy, stamped with the time of the call. Types the cloud does not
   * price are left out; the sheet has the provider's own region whatever was asked. Throws
   * (translated) when the cloud cannot be asked. Never called on a HostFactory call's path.
   */
  fetch(instanceTypes: readonly string[], elsewhere?: Readonly<Record<string, readonly string[]>>): Promise<PriceSheet>;
}

export const PriceSource: ServiceIdentifier<PriceSource> = Symbol.for('PriceSource');
