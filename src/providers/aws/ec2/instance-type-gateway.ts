import type { AwsConfig } from '../aws-config.js';
import { allPages, describe, describeKnown } from './aws-call.js';
import type { RegionalClients } from './aws-clients.js';
import { awsErrorCode } from './aws-errors.js';

/** The latest spot price of one pool. */
export interface SpotPrice {
  instanceType: string;
  zone: string;
  /** USD per instance hour. */
  price: number;
  /** epoch ms */
  at: number;
}

/** DescribeInstanceTypes answers `InvalidInstanceType` for a type that does not exist ("The following supplied instance types do not exist: [x]"). */
const isUnknownType = (error: unknown): boolean => awsErrorCode(error).startsWith('InvalidInstanceType');

/** Instance types: what they are, where they are offered and what spot capacity costs now. */
export class InstanceTypeGateway {
  constructor(
    private readonly clients: RegionalClients,
    private readonly config: AwsConfig,
  ) {}

  /** The architectures (`x86_64`, `arm64`…) of each type EC2 knows, 100 a call; unknown types are left out. */
  async architectures(types: readonly string[]): Promise<Map<string, string[]>> {
    const { sdk, client: ec2 } = await this.clients.ec2();
    const found = await describeKnown(
      types,
      100,
      async (part) => {
        const pages = await allPages((NextToken) =>
          describe(this.config, 'ec2:DescribeInstanceTypes', () => ec2.send(new sdk.DescribeInstanceTypesCommand({ InstanceTypes: part as never[], NextToken }))),
        );
        return pages.flatMap((page) => page.InstanceTypes ?? []);
      },
      isUnknownType,
    );
    return new Map(found.flatMap((info) => (info.InstanceType ? [[info.InstanceType as string, info.ProcessorInfo?.SupportedArchitectures ?? []]] : [])));
  }

  /** The zones among `zones` where each type is offered (DescribeInstanceTypeOfferings, LocationType availability-zone, all pages). */
  async offeredZones(types: readonly string[], zones: readonly string[]): Promise<Map<string, Set<string>>> {
    const { sdk, client: ec2 } = await this.clients.ec2();
    const pages = await allPages((NextToken) =>
      describe(this.config, 'ec2:DescribeInstanceTypeOfferings', () =>
        ec2.send(
          new sdk.DescribeInstanceTypeOfferingsCommand({
            LocationType: 'availability-zone',
            Filters: [
              { Name: 'instance-type', Values: [...types] },
              { Name: 'location', Values: [...zones] },
            ],
            NextToken,
          }),
        ),
      ),
    );
    const offered = new Map(types.map((type) => [type, new Set<string>()]));
    for (const offering of pages.flatMap((page) => page.InstanceTypeOfferings ?? [])) {
      if (offering.InstanceType && offering.Location) offered.get(offering.InstanceType)?.add(offering.Location);
    }
    return offered;
  }

  /**
   * The current spot price of each type in each of `zones` for `product` (`Linux/UNIX`…):
   * DescribeSpotPriceHistory from now, which answers the price in effect then per pool, the latest kept.
   */
  async spotPrices(types: readonly string[], zones: readonly string[], product: string, now: number): Promise<SpotPrice[]> {
    const { sdk, client: ec2 } = await this.clients.ec2();
    const pages = await allPages((NextToken) =>
      describe(this.config, 'ec2:DescribeSpotPriceHistory', () =>
        ec2.send(
          new sdk.DescribeSpotPriceHistoryCommand({
            InstanceTypes: types as never[],
            ProductDescriptions: [product],
            StartTime: new Date(now),
            ...(zones.length > 0 ? { Filters: [{ Name: 'availability-zone', Values: [...zones] }] } : {}),
            NextToken,
          }),
        ),
      ),
    );
    const latest = new Map<string, SpotPrice>();
    for (const entry of pages.flatMap((page) => page.SpotPriceHistory ?? [])) {
      if (!entry.InstanceType || !entry.AvailabilityZone || entry.SpotPrice === undefined) continue;
      const price: SpotPrice = { instanceType: entry.InstanceType, zone: entry.AvailabilityZone, price: Number(entry.SpotPrice), at: entry.Timestamp?.getTime() ?? 0 };
      const key = `${price.instanceType} ${price.zone}`;
      if ((latest.get(key)?.at ?? -1) < price.at) latest.set(key, price);
    }
    return [...latest.values()];
  }
}
