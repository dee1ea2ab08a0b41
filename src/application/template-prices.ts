import { inject, injectable, optional } from 'inversify';
import { HostFactoryError } from '../domain/errors.js';
import { Logger } from '../domain/ports/logger.js';
import { PriceCache } from '../domain/ports/price-cache.js';
import { PriceSource } from '../domain/ports/price-source.js';
import { TemplateRepository } from '../domain/ports/template-repository.js';
import { pricesIn, templatePrice, typesOf, type PriceSheet, type TemplatePrice } from '../domain/price.js';
import type { Template } from '../domain/template.js';
import { CachedPrices } from './cached-prices.js';

export interface PriceReport {
  /** epoch ms the prices were fetched */
  fetchedAt: number;
  region: string;
  /** True when this call fetched them from the cloud. */
  refreshed: boolean;
  /** PRICE_CACHE_TTL_SEC */
  ttlSec: number;
  templates: TemplatePrice[];
}

/**
 * `hostfactory prices`: each template's price per unit hour by type and market, and its effective
 * price. Prices come from the cache; the cloud is asked (for the types of every template, and the
 * cache rewritten) when asked to refresh, when the cache is missing or stale, or when it lacks a
 * type of the templates shown.
 */
@injectable()
export class TemplatePrices {
  constructor(
    @inject(TemplateRepository) private readonly templates: TemplateRepository,
    @inject(PriceCache) private readonly cache: PriceCache,
    @inject(CachedPrices) private readonly cached: CachedPrices,
    @inject(Logger) private readonly logger: Logger,
    /** Absent for a provider without the `prices` capability. */
    @inject(PriceSource) @optional() private readonly source?: PriceSource,
  ) {}

  async execute(templateIds: readonly string[], refresh = false): Promise<PriceReport> {
    const { templates: all } = await this.templates.list();
    const shown = templateIds.length === 0 ? all : templateIds.map((id) => all.find((template) => template.templateId === id) ?? notFound(id));
    const cachedSheet = refresh ? undefined : await this.cached.any();
    const usable = cachedSheet && this.cached.isFresh(cachedSheet) && !lacksTypes(cachedSheet, shown) ? cachedSheet : undefined;
    const sheet = usable ?? (await this.fetch(all));
    return { fetchedAt: sheet.fetchedAt, region: sheet.region, refreshed: !usable, ttlSec: this.cached.settings.cacheTtlSec, templates: shown.map((template) => templatePrice(template, sheet)) };
  }

  /** Every type of the templates that name no region in the provider's own, and of each other template in its region. */
  private async fetch(templates: readonly Template[]): Promise<PriceSheet> {
    if (!this.source) throw new HostFactoryError('INVALID_INPUT', 'this provider has no price lists (capability `prices`)');
    const typesOfAll = (list: readonly Template[]) => [...new Set(list.flatMap(typesOf))].sort();
    const elsewhere: Record<string, string[]> = {};
    for (const region of new Set(templates.flatMap((template) => (template.region ? [template.region] : [])))) {
      elsewhere[region] = typesOfAll(templates.filter((template) => template.region === region));
    }
    const types = typesOfAll(templates.filter((template) => !template.region));
    const sheet = Object.keys(elsewhere).length > 0 ? await this.source.fetch(types, elsewhere) : await this.source.fetch(types);
    await this.cache.write(sheet);
    this.logger.info({ types: types.length, regions: Object.keys(sheet.regions) }, 'prices fetched and cached');
    return sheet;
  }
}

function lacksTypes(sheet: PriceSheet, templates: readonly Template[]): boolean {
  return templates.some((template) => {
    const prices = pricesIn(sheet, template.region);
    return typesOf(template).some((type) => prices.onDemand[type] === undefined && prices.spot[type] === undefined);
  });
}

function notFound(templateId: string): never {
  throw new HostFactoryError('TEMPLATE_NOT_FOUND', `template "${templateId}" not found`);
}
