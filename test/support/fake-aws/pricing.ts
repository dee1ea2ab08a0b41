import type { ServerResponse } from 'node:http';
import { architectureOf } from './instance-catalog.js';
import { QueryError } from './query-protocol.js';

/** The Price List Query API's JSON 1.1 target prefix: `X-Amz-Target: AWSPriceListService.GetProducts`. */
export const PRICING_TARGET_PREFIX = 'AWSPriceListService.';

/** Regions the fake's price list covers, with their price-list `location` names, and how their prices differ from us-east-1's. */
const REGIONS: Record<string, { location: string; factor: number }> = {
  'us-east-1': { location: 'US East (N. Virginia)', factor: 1 },
  'eu-west-1': { location: 'Europe (Ireland)', factor: 1.1 },
  'ap-south-1': { location: 'Asia Pacific (Mumbai)', factor: 0.9 },
};
const SIZE_FACTOR: Record<string, number> = { nano: 0.0625, micro: 0.125, small: 0.25, medium: 0.5, large: 1, xlarge: 2, metal: 48 };

/** The plain product every caller wants, and the others a type has in a region (each: how its attributes and hourly price differ). */
const VARIANTS: Array<{ attributes: Record<string, string>; price: (base: number) => number }> = [
  { attributes: {}, price: (base) => base },
  { attributes: { capacitystatus: 'UnusedCapacityReservation' }, price: (base) => base },
  { attributes: { capacitystatus: 'AllocatedCapacityReservation' }, price: () => 0 },
  { attributes: { tenancy: 'Dedicated' }, price: (base) => base * 1.1 },
  { attributes: { operatingSystem: 'Windows', licenseModel: 'No License required' }, price: (base) => base + 0.092 },
  { attributes: { preInstalledSw: 'SQL Web' }, price: (base) => base + 0.068 },
];

interface Filter {
  Type?: string;
  Field?: string;
  Value?: string;
}

/**
 * The AWS Price List Query API's GetProducts for Amazon EC2, as AWS documents it:
 * - AWS Billing and Cost Management API Reference, "GetProducts"
 *   (https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_pricing_GetProducts.html):
 *   ServiceCode, Filters (only products matching every filter), FormatVersion `aws_v1`, MaxResults
 *   1–100, NextToken; the answer's PriceList is an array of JSON strings, one product each;
 *   InvalidParameterException, InvalidNextTokenException.
 * - Billing User Guide, "Finding services and products using AWS Price List Query API"
 *   (https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/using-price-list-query-api.html):
 *   TERM_MATCH filters on product attributes (instanceType, regionCode, location, operatingSystem,
 *   tenancy, preInstalledSw, capacitystatus); each product is `product.attributes` with `terms`:
 *   `OnDemand.<sku.offer>.priceDimensions.<sku.offer.rate>` with `unit` `Hrs` and
 *   `pricePerUnit.USD` as a string, and `Reserved` terms beside them.
 * Every `<family>.<size>` type has, in each of REGIONS, the plain Linux product (shared tenancy, no
 * pre-installed software, capacitystatus Used; price setOnDemandPrice, else 0.1 × size factor ×
 * the region's factor), its capacity-reservation twins, dedicated, Windows and SQL Web variants,
 * each with a cheaper Reserved term, so a caller that filters or reads terms wrong gets another price.
 * Not modelled: filter types other than TERM_MATCH, services other than AmazonEC2 (no products),
 * GetAttributeValues, DescribeServices; a call must filter on instanceType.
 */
export class FakePricing {
  /** Every GetProducts input received, in order. */
  readonly requests: Array<Record<string, unknown>> = [];
  private readonly prices = new Map<string, number>();

  /** The on-demand Linux price of `instanceType` in `region`, USD per instance hour. */
  setOnDemandPrice(instanceType: string, region: string, usd: number): void {
    this.prices.set(`${instanceType} ${region}`, usd);
  }

  answer(action: string, input: Record<string, unknown>): Record<string, unknown> {
    if (action !== 'GetProducts') throw new QueryError('InvalidAction', `The action ${action} is not modelled by this fake.`);
    this.requests.push(input);
    const filters = (input.Filters ?? []) as Filter[];
    const unsupported = filters.find((filter) => filter.Type !== 'TERM_MATCH' || !filter.Field || filter.Value === undefined);
    if (unsupported) throw new QueryError('InvalidParameterException', `the fake answers complete TERM_MATCH filters only (got ${JSON.stringify(unsupported)})`);
    const instanceType = filters.find((filter) => filter.Field === 'instanceType')?.Value;
    if (!instanceType) throw new QueryError('InvalidParameterException', 'the fake answers GetProducts filtered by instanceType only');
    const max = Number(input.MaxResults ?? 100);
    if (!Number.isInteger(max) || max < 1 || max > 100) throw new QueryError('InvalidParameterException', 'MaxResults must be between 1 and 100');
    const start = input.NextToken === undefined ? 0 : Number(input.NextToken);
    if (!Number.isInteger(start) || start < 0) throw new QueryError('InvalidNextTokenException', 'The pagination token is invalid. Try again without a pagination token.');
    const matching = input.ServiceCode === 'AmazonEC2' ? this.products(instanceType).filter((product) => filters.every((filter) => matches(product, filter))) : [];
    const page = matching.slice(start, start + max);
    return {
      FormatVersion: 'aws_v1',
      PriceList: page.map((product) => JSON.stringify(product)),
      ...(start + max < matching.length ? { NextToken: String(start + max) } : {}),
    };
  }

  private products(instanceType: string): Array<Record<string, unknown>> {
    const size = instanceType.split('.')[1];
    if (!architectureOf(instanceType)) return [];
    return Object.entries(REGIONS).flatMap(([regionCode, { location, factor }]) => {
      const base = this.prices.get(`${instanceType} ${regionCode}`) ?? Math.round(0.1 * (SIZE_FACTOR[size] ?? 2 * Number(size.replace('xlarge', '') || 1)) * factor * 1e4) / 1e4;
      return VARIANTS.map((variant, index) => {
        const attributes = {
          servicecode: 'AmazonEC2',
          instanceType,
          regionCode,
          location,
          locationType: 'AWS Region',
          operatingSystem: 'Linux',
          tenancy: 'Shared',
          preInstalledSw: 'NA',
          capacitystatus: 'Used',
          licenseModel: 'No License required',
          usagetype: `BoxUsage:${instanceType}`,
          ...variant.attributes,
        };
        const sku = `FAKE${regionCode.replace(/-/g, '').toUpperCase()}${instanceType.replace('.', '').toUpperCase()}${index}`;
        return { product: { productFamily: 'Compute Instance', attributes, sku }, serviceCode: 'AmazonEC2', terms: terms(sku, variant.price(base)), version: '20261101000000', publicationDate: '2026-11-01T00:00:00Z' };
      });
    });
  }
}

/** The fake's answer in the AWS JSON 1.1 protocol: the body `work` returns, or its QueryError as `__type` and `message`. */
export function answerJson11(response: ServerResponse, work: () => Record<string, unknown>): void {
  const json = { 'content-type': 'application/x-amz-json-1.1' };
  try {
    const body = work();
    response.writeHead(200, json);
    response.end(JSON.stringify(body));
  } catch (error) {
    const failed = error instanceof QueryError ? error : new QueryError('InternalErrorException', (error as Error).message, 500);
    response.writeHead(failed.status, json);
    response.end(JSON.stringify({ __type: failed.code, message: failed.message }));
  }
}

function matches(product: Record<string, unknown>, filter: Filter): boolean {
  if (filter.Field === 'ServiceCode') return product.serviceCode === filter.Value;
  const attributes = (product.product as { attributes: Record<string, string> }).attributes;
  return attributes[filter.Field!] === filter.Value;
}

function terms(sku: string, hourly: number): Record<string, unknown> {
  const dimension = (offer: string, unit: string, usd: number) => ({
    [`${sku}.${offer}.6YS6EN2CT7`]: { unit, pricePerUnit: { USD: usd.toFixed(10) }, beginRange: '0', endRange: 'Inf', rateCode: `${sku}.${offer}.6YS6EN2CT7`, appliesTo: [], description: `$${usd} per ${unit}` },
  });
  return {
    OnDemand: { [`${sku}.JRTCKXETXF`]: { offerTermCode: 'JRTCKXETXF', sku, effectiveDate: '2026-11-01T00:00:00Z', priceDimensions: dimension('JRTCKXETXF', 'Hrs', hourly), termAttributes: {} } },
    Reserved: { [`${sku}.4NA7Y494T4`]: { offerTermCode: '4NA7Y494T4', sku, effectiveDate: '2026-11-01T00:00:00Z', priceDimensions: dimension('4NA7Y494T4', 'Hrs', hourly * 0.6), termAttributes: { LeaseContractLength: '1yr', PurchaseOption: 'No Upfront' } } },
  };
}
