import type { PriceReport } from '../../application/template-prices.js';
import { formatPrice, type TemplatePrice } from '../../domain/price.js';
import { formatTable } from './table.js';

/** `hostfactory prices` for people: where the prices come from, then per template its effective price and its types. */
export function pricesText(report: PriceReport): string {
  const at = new Date(report.fetchedAt).toISOString();
  const origin = report.refreshed ? `fetched from the cloud now (${at})` : `from the cache of ${at} (fresh for PRICE_CACHE_TTL_SEC ${report.ttlSec} s)`;
  const templates = report.templates.map((template) => `${effectiveLine(template, report.region)}\n${typesTable(template)}`);
  return [`USD per unit hour (instance price / weight), region ${report.region}, ${origin}`, ...templates].join('\n\n');
}

/** USD as people read a running cost: 4 decimals under 100, cents above. */
export function formatUsd(value: number): string {
  return `$${value.toFixed(value < 100 ? 4 : 2)}`;
}

/** A template priced in another region than the provider's own says which. */
function effectiveLine(template: TemplatePrice, home: string): string {
  const name = template.region === home ? template.templateId : `${template.templateId} (region ${template.region})`;
  const share = template.onDemandShare;
  const mix = share === 1 ? 'on demand' : share === 0 ? 'spot' : `${Math.round(share * 100)} % on demand, ${Math.round((1 - share) * 100)} % spot`;
  if (template.effectivePerUnit === undefined) return `${name}: no price (${mix}): no price for ${template.unpriced.join(', ') || 'any type'}`;
  return `${name}: ${formatPrice(template.effectivePerUnit)} effective (${mix})`;
}

function typesTable(template: TemplatePrice): string {
  const price = (value: number | undefined) => (value === undefined ? undefined : formatPrice(value));
  return formatTable(
    ['TYPE', 'WEIGHT', 'MARKETS', 'ON-DEMAND', 'SPOT', 'SPOT ZONE'],
    template.types.map((type) => [type.instanceType, type.weight, type.markets.join(',') || '-', price(type.onDemandPerUnit), price(type.spotPerUnit), type.spotZone]),
  );
}
