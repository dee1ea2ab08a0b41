import { inject, injectable } from 'inversify';
import { Clock } from '../domain/ports/clock.js';
import { Logger } from '../domain/ports/logger.js';
import { PriceCache } from '../domain/ports/price-cache.js';
import { isFresh, type PriceSheet } from '../domain/price.js';

export type PriceInfoMode = 'off' | 'auto';

/** PRICE_CACHE_TTL_SEC: how long fetched prices stay fresh; PRICE_INFO: `auto` gives templates a priceInfo from them. */
export class PriceSettings {
  constructor(
    readonly cacheTtlSec = 3600,
    readonly priceInfo: PriceInfoMode = 'off',
  ) {}
}

/** The price cache as the use cases read it: never a call to the cloud. */
@injectable()
export class CachedPrices {
  constructor(
    @inject(PriceCache) private readonly cache: PriceCache,
    @inject(PriceSettings) readonly settings: PriceSettings,
    @inject(Clock) private readonly clock: Clock,
    @inject(Logger) private readonly logger: Logger,
  ) {}

  /** The cached sheet, whatever its age (an estimate for people is better from old prices than none). */
  any(): Promise<PriceSheet | undefined> {
    return this.cache.read();
  }

  isFresh(sheet: PriceSheet): boolean {
    return isFresh(sheet, this.clock.now(), this.settings.cacheTtlSec);
  }

  /**
   * The sheet templates get their priceInfo from: undefined when PRICE_INFO is off, and when the
   * cache is missing or stale (logged; the cloud is not asked on a HostFactory call's path).
   */
  async forPriceInfo(): Promise<PriceSheet | undefined> {
    if (this.settings.priceInfo !== 'auto') return undefined;
    const sheet = await this.cache.read();
    if (sheet && this.isFresh(sheet)) return sheet;
    this.logger.warn(
      { fetchedAt: sheet ? new Date(sheet.fetchedAt).toISOString() : undefined, ttlSec: this.settings.cacheTtlSec },
      `price cache ${sheet ? 'stale' : 'missing'}: templates get no priceInfo until hostfactory prices --refresh`,
    );
    return undefined;
  }
}
