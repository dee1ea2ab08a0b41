import type { TemplateFinding } from '../../../domain/ports/cloud-provider.js';
import type { Template } from '../../../domain/template.js';
import { planCapacity, spotTypes } from '../capacity-plan.js';
import type { AwsGateway } from '../ec2/aws-gateway.js';
import { fail, lookup, pass, warn } from './findings.js';
import type { ImageFacts } from './image-check.js';
import type { SubnetZoneMap } from './network-check.js';

const price = (value: number) => value.toFixed(4).replace(/0+$/, '').replace(/\.$/, '');

/**
 * `maxSpotPrice` (USD per unit hour: the provider sends it per unit to fleets and × weight to
 * RunInstances) against the current spot price of each spot type in each subnet's zone
 * (DescribeSpotPriceHistory, the latest price per type and zone, for the AMI's platform). A type
 * priced above it in every zone gets no spot capacity: fail; in some zones: warn.
 */
export async function checkSpotPrice(template: Template, gateway: AwsGateway, subnetZones: SubnetZoneMap, image: ImageFacts | undefined, now: number, findings: TemplateFinding[]): Promise<void> {
  const max = template.maxSpotPrice;
  if (max === undefined || template.priceType === 'ondemand') return;
  const types = spotTypes(planCapacity(template, 1), template);
  const zones = [...new Set(subnetZones.values())];
  const found = await lookup('maxSpotPrice', findings, () =>
    gateway.instanceTypes.spotPrices(
      types.map((type) => type.instanceType),
      zones,
      image?.platform ?? 'Linux/UNIX',
      now,
    ),
  );
  if (!found) return;
  for (const { instanceType, weight } of types) {
    const pools = found.value.filter((entry) => entry.instanceType === instanceType && (zones.length === 0 || zones.includes(entry.zone)));
    if (pools.length === 0) {
      findings.push(warn('maxSpotPrice', `${instanceType}: no spot price ${zones.length > 0 ? `in ${zones.join(', ')}` : 'in this region'} (no spot offer?)`));
      continue;
    }
    const perUnit = pools.map((pool) => ({ zone: pool.zone, price: pool.price / weight }));
    const above = perUnit.filter((pool) => pool.price > max);
    const listing = perUnit.map((pool) => `${price(pool.price)} in ${pool.zone}`).join(', ');
    const head = `${instanceType}: spot ${listing} per unit hour`;
    if (above.length === perUnit.length) findings.push(fail('maxSpotPrice', `${head}: all above maxSpotPrice ${price(max)}`));
    else if (above.length > 0) findings.push(warn('maxSpotPrice', `${head}: above maxSpotPrice ${price(max)} in ${above.map((pool) => pool.zone).join(', ')}`));
    else findings.push(pass('maxSpotPrice', `${head}, under maxSpotPrice ${price(max)}`));
  }
}
