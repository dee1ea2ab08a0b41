import { inject, injectable, optional } from 'inversify';
import { Clock } from '../../../domain/ports/clock.js';
import { Metrics } from '../../../domain/ports/metrics.js';
import type { PriceSource } from '../../../domain/ports/price-source.js';
import type { PriceSheet, RegionPrices } from '../../../domain/price.js';
import { AwsSettings } from '../aws-settings.js';
import { AwsClients } from '../ec2/aws-clients.js';
import { translateAwsError, translateRegionalError } from '../ec2/aws-errors.js';
import { InstanceTypeGateway } from '../ec2/instance-type-gateway.js';
import { PricingGateway } from './pricing-gateway.js';

/**
 * Prices on AWS, in AWS_REGION and in every other region asked for (the regions templates name):
 * on demand from the Price List Query API (PricingGateway, filter `regionCode`), spot from each
 * region's DescribeSpotPriceHistory (the latest price per type and zone, every zone of the region,
 * as `templates validate --cloud` reads it), with that region's clients. Loads the Pricing SDK
 * only when asked.
 */
@injectable()
export class AwsPriceSource implements PriceSource {
  private readonly pricing: PricingGateway;

  constructor(
    @inject(AwsSettings) private readonly settings: AwsSettings,
    @inject(AwsClients) private readonly clients: AwsClients,
    @inject(Clock) private readonly clock: Clock,
    @inject(Metrics) @optional() metrics?: Metrics,
  ) {
    this.pricing = new PricingGateway(settings.config, metrics);
  }

  async fetch(instanceTypes: readonly string[], elsewhere: Readonly<Record<string, readonly string[]>> = {}): Promise<PriceSheet> {
    const home = this.settings.config.region;
    const fetchedAt = this.clock.now();
    const wanted = new Map<string, readonly string[]>([[home, instanceTypes]]);
    for (const [region, types] of Object.entries(elsewhere)) wanted.set(region, [...new Set([...(wanted.get(region) ?? []), ...types])]);
    const regions: PriceSheet['regions'] = {};
    for (const [region, types] of wanted) {
      try {
        regions[region] = await this.pricesIn(region, types, fetchedAt);
      } catch (error) {
        throw region === home ? translateAwsError(error) : translateRegionalError(error, region);
      }
    }
    return { fetchedAt, region: home, regions };
  }

  private async pricesIn(region: string, types: readonly string[], at: number): Promise<RegionPrices> {
    const instanceTypes = new InstanceTypeGateway(this.clients.inRegion(region), { ...this.settings.config, region });
    const [onDemand, spotPrices] = await Promise.all([
      this.pricing.onDemandPrices(types, region),
      types.length > 0 ? instanceTypes.spotPrices(types, [], 'Linux/UNIX', at) : [],
    ]);
    const spot: RegionPrices['spot'] = {};
    for (const entry of spotPrices) spot[entry.instanceType] = { ...spot[entry.instanceType], [entry.zone]: entry.price };
    return { onDemand, spot };
  }
}
