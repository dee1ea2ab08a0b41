import { inject, injectable, optional } from 'inversify';
import { Clock } from '../../../domain/ports/clock.js';
import { Metrics } from '../../../domain/ports/metrics.js';
import type { PriceSource } from '../../../domain/ports/price-source.js';
import type { PriceSheet } from '../../../domain/price.js';
import { AwsSettings } from '../aws-settings.js';
import { AwsClients } from '../ec2/aws-clients.js';
import { translateAwsError } from '../ec2/aws-errors.js';
import { InstanceTypeGateway } from '../ec2/instance-type-gateway.js';
import { PricingGateway } from './pricing-gateway.js';

/**
 * Prices on AWS, in AWS_REGION: on demand from the Price List Query API (PricingGateway), spot from
 * DescribeSpotPriceHistory (the latest price per type and zone, every zone of the region, as
 * `templates validate --cloud` reads it). Loads the Pricing SDK only when asked.
 */
@injectable()
export class AwsPriceSource implements PriceSource {
  private readonly pricing: PricingGateway;
  private readonly instanceTypes: InstanceTypeGateway;

  constructor(
    @inject(AwsSettings) private readonly settings: AwsSettings,
    @inject(AwsClients) clients: AwsClients,
    @inject(Clock) private readonly clock: Clock,
    @inject(Metrics) @optional() metrics?: Metrics,
  ) {
    this.pricing = new PricingGateway(settings.config, metrics);
    this.instanceTypes = new InstanceTypeGateway(clients, settings.config);
  }

  async fetch(instanceTypes: readonly string[]): Promise<PriceSheet> {
    const { region } = this.settings.config;
    const fetchedAt = this.clock.now();
    try {
      const [onDemand, spotPrices] = await Promise.all([
        this.pricing.onDemandPrices(instanceTypes, region),
        instanceTypes.length > 0 ? this.instanceTypes.spotPrices(instanceTypes, [], 'Linux/UNIX', fetchedAt) : [],
      ]);
      const spot: PriceSheet['spot'] = {};
      for (const entry of spotPrices) spot[entry.instanceType] = { ...spot[entry.instanceType], [entry.zone]: entry.price };
      return { fetchedAt, region, onDemand, spot };
    } catch (error) {
      throw translateAwsError(error);
    }
  }
}
