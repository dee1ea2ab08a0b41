import type { Metrics } from '../../../domain/ports/metrics.js';
import { chunk } from '../../../shared/chunk.js';
import type { AwsConfig } from '../aws-config.js';
import { allPages, describe } from '../ec2/aws-call.js';
import { clientOptions } from '../ec2/aws-clients.js';
import { countCalls } from '../ec2/call-metrics.js';
import { loadCommonJs } from '../../../shared/load-commonjs.js';

type PricingSdk = typeof import('@aws-sdk/client-pricing');
type PricingApi = { sdk: PricingSdk; client: InstanceType<PricingSdk['PricingClient']> };

/** Types asked at once: one GetProducts call set per type. */
const PARALLEL_TYPES = 5;

/**
 * The Price List Query API answers at two endpoints only, api.pricing.us-east-1.amazonaws.com and
 * api.pricing.ap-south-1.amazonaws.com (AWS Price List Service API Reference, service description;
 * Billing User Guide, "Finding services and products using AWS Price List Query API",
 * https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/using-price-list-query-api.html):
 * the nearer one for the provider's region. Prices are asked for the provider's region whichever answers.
 */
export function pricingRegion(region: string): string {
  return region.startsWith('ap-') ? 'ap-south-1' : 'us-east-1';
}

/**
 * GetProducts (AWS Billing and Cost Management API Reference, "GetProducts",
 * https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_pricing_GetProducts.html):
 * ServiceCode and TERM_MATCH filters on product attributes, at most 100 products a page, NextToken
 * paging; each PriceList entry is a JSON string of one product (`product.attributes`) and its terms,
 * `terms.OnDemand.<offer>.priceDimensions.<rate>.pricePerUnit.USD` per `unit` `Hrs`. The filters
 * pick the plain on-demand Linux product of a type: shared tenancy, no pre-installed software, and
 * capacitystatus `Used` (the others are capacity-reservation line items).
 */
export class PricingGateway {
  private api?: Promise<PricingApi>;

  constructor(
    private readonly config: AwsConfig,
    private readonly metrics?: Metrics,
  ) {}

  /** The on-demand Linux price of each type in `region`, USD per instance hour; types with no such product are left out. */
  async onDemandPrices(instanceTypes: readonly string[], region: string): Promise<Record<string, number>> {
    const prices: Record<string, number> = {};
    for (const part of chunk([...instanceTypes], PARALLEL_TYPES)) {
      const found = await Promise.all(part.map(async (type) => [type, await this.onDemandPrice(type, region)] as const));
      for (const [type, price] of found) if (price !== undefined) prices[type] = price;
    }
    return prices;
  }

  private async onDemandPrice(instanceType: string, region: string): Promise<number | undefined> {
    const { sdk, client } = await this.pricing();
    const filters = { instanceType, regionCode: region, operatingSystem: 'Linux', tenancy: 'Shared', preInstalledSw: 'NA', capacitystatus: 'Used' };
    const pages = await allPages((NextToken) =>
      describe(this.config, 'pricing:GetProducts', () =>
        client.send(
          new sdk.GetProductsCommand({
            ServiceCode: 'AmazonEC2',
            FormatVersion: 'aws_v1',
            Filters: Object.entries(filters).map(([Field, Value]) => ({ Type: 'TERM_MATCH', Field, Value })),
            MaxResults: 100,
            NextToken,
          }),
        ),
      ),
    );
    const prices = pages.flatMap((page) => [...(page.PriceList ?? [])]).flatMap((entry) => hourlyUsd(String(entry)));
    return prices.length > 0 ? Math.min(...prices) : undefined;
  }

  private pricing(): Promise<PricingApi> {
    this.api ??= (async () => {
      const options = await clientOptions(this.config, 'pricing');
      const sdk = loadCommonJs<PricingSdk>('@aws-sdk/client-pricing');
      const client = new sdk.PricingClient({ ...options, region: pricingRegion(this.config.region) });
      if (this.metrics) countCalls(client as Parameters<typeof countCalls>[0], 'pricing', this.metrics);
      return { sdk, client };
    })();
    return this.api;
  }
}

interface PriceListProduct {
  terms?: { OnDemand?: Record<string, { priceDimensions?: Record<string, { unit?: string; pricePerUnit?: { USD?: string } }> }> };
}

/** The positive hourly USD prices of one PriceList entry's on-demand terms. */
function hourlyUsd(entry: string): number[] {
  const product = JSON.parse(entry) as PriceListProduct;
  return Object.values(product.terms?.OnDemand ?? {})
    .flatMap((term) => Object.values(term.priceDimensions ?? {}))
    .filter((dimension) => dimension.unit === 'Hrs')
    .map((dimension) => Number(dimension.pricePerUnit?.USD))
    .filter((price) => Number.isFinite(price) && price > 0);
}
