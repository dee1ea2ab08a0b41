import { element, filters, iso, itemSet, list, QueryError } from './query-protocol.js';

/** Families whose types run arm64 (Graviton: a `g` after the generation digit, and a1). */
const ARM = /^(a1|[a-z]+\d+g[a-z]*)$/;
/** A size the fake knows. */
const SIZE = /^(nano|micro|small|medium|large|metal|\d*xlarge)$/;
const SIZE_FACTOR: Record<string, number> = { nano: 0.0625, micro: 0.125, small: 0.25, medium: 0.5, large: 1, xlarge: 2, metal: 48 };

/** A price change of one pool (instance type, zone). */
interface PricePoint {
  at: number;
  price: number;
}

/**
 * Instance types, where they are offered and what spot capacity costs.
 *
 * DescribeInstanceTypes (EC2 API Reference, "DescribeInstanceTypes" / "ProcessorInfo",
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ProcessorInfo.html): InstanceType.N,
 * answering `instanceTypeSet` items with `processorInfo.supportedArchitectures`; a type that does not
 * exist fails the call with `InvalidInstanceType`, "The following supplied instance types do not
 * exist: [x]" (AWS's answer as quoted in scylladb/scylla-cluster-tests#12419). Every `<family>.<size>`
 * exists; Graviton families are arm64, the others x86_64.
 *
 * DescribeInstanceTypeOfferings (EC2 API Reference, "DescribeInstanceTypeOfferings",
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstanceTypeOfferings.html):
 * LocationType `region` (default) | `availability-zone` | `availability-zone-id`, filters
 * `instance-type` and `location`, answering `instanceTypeOfferingSet` items (instanceType,
 * locationType, location). Every type is offered in every zone of the cloud unless `notOffered`.
 *
 * DescribeSpotPriceHistory (EC2 API Reference, "DescribeSpotPriceHistory",
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSpotPriceHistory.html): with a
 * StartTime, the prices within the range plus "the last price change before the start time, which
 * is the effective price as of the start time"; InstanceType.N, ProductDescription.N, filter
 * `availability-zone`; items of `spotPriceHistorySet` (instanceType, productDescription, spotPrice,
 * timestamp, availabilityZone). Each pool's price changed twice: 3 h ago (20 % higher) and 30 min
 * ago (`setSpotPrice`, else 0.035 × size factor × (1 + 0.1 × zone index)).
 */
export class FakeInstanceCatalog {
  private readonly hidden: Array<{ instanceType: string; zone?: string }> = [];
  private readonly prices = new Map<string, number>();

  constructor(
    private readonly now: () => number,
    private readonly zones: () => string[],
  ) {}

  /** `instanceType` is not offered in `zone` (in no zone when absent). */
  notOffered(instanceType: string, zone?: string): void {
    this.hidden.push({ instanceType, zone });
  }

  /** The current spot price of a pool, USD per instance hour. */
  setSpotPrice(instanceType: string, zone: string, price: number): void {
    this.prices.set(`${instanceType} ${zone}`, price);
  }

  answer(action: string, params: URLSearchParams): string | undefined {
    switch (action) {
      case 'DescribeInstanceTypes':
        return this.describeTypes(list(params, 'InstanceType'));
      case 'DescribeInstanceTypeOfferings':
        return this.offerings(params);
      case 'DescribeSpotPriceHistory':
        return this.spotPriceHistory(params);
      default:
        return undefined;
    }
  }

  private describeTypes(types: string[]): string {
    const unknown = types.filter((type) => !architectureOf(type));
    if (unknown.length > 0) throw new QueryError('InvalidInstanceType', `The following supplied instance types do not exist: [${unknown.join(', ')}]`);
    return itemSet('instanceTypeSet', types, (type) => element('instanceType', type) + `<processorInfo>${itemSet('supportedArchitectures', [architectureOf(type)!], (arch) => arch)}</processorInfo>`);
  }

  private offered(instanceType: string, zone: string): boolean {
    return architectureOf(instanceType) !== undefined && !this.hidden.some((entry) => entry.instanceType === instanceType && (entry.zone === undefined || entry.zone === zone));
  }

  private offerings(params: URLSearchParams): string {
    const locationType = params.get('LocationType') ?? 'region';
    if (locationType !== 'availability-zone') throw new QueryError('InvalidParameterValue', `the fake answers LocationType availability-zone only (got ${locationType})`);
    const wanted = Object.fromEntries(filters(params));
    const zones = wanted.location ?? this.zones();
    const types = wanted['instance-type'] ?? [];
    const found = types.flatMap((type) => zones.filter((zone) => this.zones().includes(zone) && this.offered(type, zone)).map((zone) => ({ type, zone })));
    return itemSet('instanceTypeOfferingSet', found, ({ type, zone }) => element('instanceType', type) + element('locationType', 'availability-zone') + element('location', zone));
  }

  private spotPriceHistory(params: URLSearchParams): string {
    const start = Date.parse(params.get('StartTime') ?? '') || 0;
    const product = list(params, 'ProductDescription')[0] ?? 'Linux/UNIX';
    const zones = Object.fromEntries(filters(params))['availability-zone'] ?? this.zones();
    const entries = list(params, 'InstanceType').flatMap((type) =>
      zones
        .filter((zone) => this.offered(type, zone))
        .flatMap((zone) => this.history(type, zone, start).map((point) => ({ type, zone, ...point }))),
    );
    return itemSet('spotPriceHistorySet', entries, (entry) =>
      element('instanceType', entry.type) + element('productDescription', product) + element('spotPrice', entry.price.toFixed(6)) + element('timestamp', iso(entry.at)) + element('availabilityZone', entry.zone),
    );
  }

  /** The pool's price changes from `start` on, and the one in effect at `start`. */
  private history(instanceType: string, zone: string, start: number): PricePoint[] {
    const current = this.prices.get(`${instanceType} ${zone}`) ?? defaultPrice(instanceType, this.zones().indexOf(zone));
    const points = [
      { at: this.now() - 3 * 3600_000, price: Math.round(current * 1.2 * 1e6) / 1e6 },
      { at: this.now() - 30 * 60_000, price: current },
    ].filter((point) => point.at <= this.now());
    const effective = points.filter((point) => point.at <= start).at(-1);
    return [...(effective ? [effective] : []), ...points.filter((point) => point.at > start)];
  }
}

/** The architecture of a type the fake knows, else undefined. */
export function architectureOf(instanceType: string): string | undefined {
  const [family, size, extra] = instanceType.split('.');
  if (!family || !size || extra !== undefined || !/^[a-z][a-z0-9-]*$/.test(family) || !SIZE.test(size)) return undefined;
  return ARM.test(family) ? 'arm64' : 'x86_64';
}

function defaultPrice(instanceType: string, zoneIndex: number): number {
  const size = instanceType.split('.')[1];
  const factor = SIZE_FACTOR[size] ?? 2 * Number(size.replace('xlarge', '') || 1);
  return Math.round(0.035 * factor * (1 + 0.1 * Math.max(0, zoneIndex)) * 1e6) / 1e6;
}
