import type { ServiceIdentifier } from 'inversify';
import type { PriceSheet } from '../price.js';

/** The last prices fetched, kept for every process of a provider instance. */
export interface PriceCache {
  /** The sheet last written; undefined when there is none or it cannot be read. Never throws. */
  read(): Promise<PriceSheet | undefined>;
  /** Replaces the sheet at once: a reader sees the old one or the new one, never a part. */
  write(sheet: PriceSheet): Promise<void>;
}

export const PriceCache: ServiceIdentifier<PriceCache> = Symbol.for('PriceCache');
