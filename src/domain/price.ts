import { isGone, type Machine, type MachinePriceType } from './machine.js';
import { weightedTypes, type Template } from './template.js';

/** Prices of instance types in one region, in USD per instance hour. */
export interface RegionPrices {
  /** instance type → on-demand price */
  onDemand: Record<string, number>;
  /** instance type → zone → latest spot price */
  spot: Record<string, Record<string, number>>;
}

/** Prices of instance types per region, as one cloud answered them at one time. */
export interface PriceSheet {
  /** epoch ms */
  fetchedAt: number;
  /** The provider's own region (AWS_REGION, `sim`): where a template that names none launches. */
  region: string;
  /** region → its prices; the provider's own region is always there. */
  regions: Record<string, RegionPrices>;
}

/** The prices of a region (the sheet's own when none is named); empty when the sheet has none for it. */
export function pricesIn(sheet: PriceSheet, region: string | undefined): RegionPrices {
  return sheet.regions[region ?? sheet.region] ?? { onDemand: {}, spot: {} };
}

/** One instance type of a template, priced per unit (instance price / weight). */
export interface TypePrice {
  instanceType: string;
  weight: number;
  /** The markets the template may launch it in. */
  markets: MachinePriceType[];
  onDemandPerUnit?: number;
  /** In the type's cheapest zone. */
  spotPerUnit?: number;
  spotZone?: string;
}

/** What one unit of a template costs per hour. */
export interface TemplatePrice {
  templateId: string;
  /** The region priced: the template's, else the sheet's own. */
  region: string;
  types: TypePrice[];
  /** 0..1: the part of the units launched on demand (see onDemandShare). */
  onDemandShare: number;
  /** USD per unit hour; undefined when a type the template needs has no price. */
  effectivePerUnit?: number;
  /** Types (with their market) that have no price in the sheet. */
  unpriced: string[];
}

/** True while the sheet is younger than `ttlSec` at `now` (epoch ms). */
export function isFresh(sheet: PriceSheet, now: number, ttlSec: number): boolean {
  return now - sheet.fetchedAt < ttlSec * 1000;
}

/** Every instance type a template may launch, on demand or spot. */
export function typesOf(template: Template): string[] {
  return [...new Set([...Object.keys(weightedTypes(template)), ...Object.keys(template.vmTypesOnDemand ?? {})])];
}

/**
 * The part of a template's units launched on demand, as the AWS provider splits a request
 * (capacity-plan.ts): all for `ondemand`, none for `spot`, `percentOnDemand` for `heterogeneous`.
 */
export function onDemandShare(template: Template): number {
  if (template.priceType === 'ondemand') return 1;
  if (template.priceType === 'spot') return 0;
  return Math.min(100, Math.max(0, template.percentOnDemand ?? 0)) / 100;
}

/** The price of one instance hour in a market and region: on demand by type; spot in the type's cheapest zone. */
export function instancePrice(sheet: PriceSheet, instanceType: string, market: MachinePriceType, region?: string): number | undefined {
  const prices = pricesIn(sheet, region);
  if (market === 'ondemand') return prices.onDemand[instanceType];
  return cheapestZone(prices.spot[instanceType])?.price;
}

/**
 * A template's price per unit hour: each market's cheapest unit among the types it may use there
 * (on demand: `vmTypesOnDemand`, else the weighted types; spot: the weighted types), mixed by
 * onDemandShare, in the template's region (the sheet's own when it names none). Cheapest, because
 * the allocation strategies the provider sends by default (lowestPrice on demand,
 * priceCapacityOptimized for spot) fill from the cheapest pools first.
 */
export function templatePrice(template: Template, sheet: PriceSheet): TemplatePrice {
  const prices = pricesIn(sheet, template.region);
  const weighted = weightedTypes(template);
  const onDemandOnly = template.vmTypesOnDemand ?? {};
  const onDemandSet = new Set(Object.keys(onDemandOnly).length > 0 ? Object.keys(onDemandOnly) : Object.keys(weighted));
  const spotSet = new Set(Object.keys(weighted));
  const share = onDemandShare(template);
  const types = typesOf(template).map((instanceType): TypePrice => {
    const weight = weighted[instanceType] ?? onDemandOnly[instanceType] ?? 1;
    const markets: MachinePriceType[] = [];
    if (share > 0 && onDemandSet.has(instanceType)) markets.push('ondemand');
    if (share < 1 && spotSet.has(instanceType)) markets.push('spot');
    const onDemand = prices.onDemand[instanceType];
    const spot = cheapestZone(prices.spot[instanceType]);
    return {
      instanceType,
      weight,
      markets,
      ...(onDemand === undefined ? {} : { onDemandPerUnit: onDemand / weight }),
      ...(spot === undefined ? {} : { spotPerUnit: spot.price / weight, spotZone: spot.zone }),
    };
  });
  const unpriced = types.flatMap((type) => type.markets.filter((market) => perUnit(type, market) === undefined).map((market) => `${type.instanceType} (${market})`));
  const cheapest = (market: MachinePriceType) => Math.min(...types.filter((type) => type.markets.includes(market)).map((type) => perUnit(type, market) ?? Infinity));
  const effective = (share > 0 ? share * cheapest('ondemand') : 0) + (share < 1 ? (1 - share) * cheapest('spot') : 0);
  return {
    templateId: template.templateId,
    region: template.region ?? sheet.region,
    types,
    onDemandShare: share,
    ...(unpriced.length === 0 && Number.isFinite(effective) ? { effectivePerUnit: effective } : {}),
    unpriced,
  };
}

/**
 * IBM's `priceInfo` attribute for a price per unit hour, as IBM's awsprov_templates.json reference
 * writes it (IBM Spectrum Symphony 7.3.2, "awsprov_templates.json reference",
 * https://www.ibm.com/docs/en/spectrum-symphony/7.3.2?topic=factory-awsprov-templatesjson:
 * `"priceInfo": "price:0.1,billingTimeUnitType:prorated_hour,billingTimeUnitNumber:1,billingRoundoffType:unit"`,
 * detailed in its "Selecting cost-based and rank-based cloud host" topic).
 */
export function priceInfo(perUnitHour: number): string {
  return `price:${formatPrice(perUnitHour)},billingTimeUnitType:prorated_hour,billingTimeUnitNumber:1,billingRoundoffType:unit`;
}

/** The template with a `priceInfo` attribute from the sheet, unless it sets its own or a type it needs is unpriced. */
export function withPriceInfo(template: Template, sheet: PriceSheet): Template {
  if (template.attributes.priceInfo) return template;
  const { effectivePerUnit } = templatePrice(template, sheet);
  if (effectivePerUnit === undefined) return template;
  return { ...template, attributes: { ...template.attributes, priceInfo: ['String', priceInfo(effectivePerUnit)] } };
}

/**
 * What machines have cost so far in USD: each one's instance price in its market and region (the
 * sheet's own for a machine recorded without one) × hours from its launch to `now` (epoch ms), or
 * to when the store recorded it gone. Undefined when one of them has no price in the sheet.
 */
export function runningCost(machines: readonly Machine[], sheet: PriceSheet, now: number): number | undefined {
  let total = 0;
  for (const machine of machines) {
    const price = instancePrice(sheet, machine.instanceType, machine.priceType, machine.region);
    if (price === undefined) return undefined;
    const end = isGone(machine) ? machine.updatedAt : now;
    total += price * Math.max(0, end - machine.launchTime * 1000) / 3_600_000;
  }
  return total;
}

/** A price with at most 6 decimals and no trailing zeros (`0.0416`). */
export function formatPrice(value: number): string {
  return value.toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
}

function perUnit(type: TypePrice, market: MachinePriceType): number | undefined {
  return market === 'ondemand' ? type.onDemandPerUnit : type.spotPerUnit;
}

function cheapestZone(zones: Record<string, number> | undefined): { zone: string; price: number } | undefined {
  const sorted = Object.entries(zones ?? {}).sort(([, a], [, b]) => a - b);
  return sorted.length > 0 ? { zone: sorted[0][0], price: sorted[0][1] } : undefined;
}
