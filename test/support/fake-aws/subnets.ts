import { element, filters, itemSet, list, QueryError } from './query-protocol.js';

/** A subnet a test configures: its Availability Zone, free private addresses and VPC. */
export interface SubnetConfig {
  zone: string;
  freeAddresses?: number;
  vpcId?: string;
}

/** The subnet RunInstances uses when the call names none (the default subnet of the default VPC). */
export const DEFAULT_SUBNET = 'subnet-default';
/** Usable addresses of a /20 (AWS reserves five per subnet). */
const DEFAULT_FREE_ADDRESSES = 4091;
export const DEFAULT_VPC = 'vpc-0fa4e0000000000001';

/**
 * Subnets and their Availability Zones, and DescribeSubnets.
 *
 * Modelled on the EC2 API Reference, "DescribeSubnets"
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSubnets.html): SubnetId.N,
 * Filter.N (availability-zone | availabilityZone, availability-zone-id | availabilityZoneId,
 * subnet-id, vpc-id, state), answering subnetId, availabilityZone, availabilityZoneId,
 * availableIpAddressCount, vpcId, cidrBlock, state (`available`).
 * An unknown id answers `InvalidSubnetID.NotFound` ("The specified subnet does not exist", EC2 API
 * Reference, "Error codes for the Amazon EC2 API",
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html); the message text
 * "The subnet ID 'subnet-…' does not exist" is AWS's as quoted in jschementi/riker#42 (the docs do not
 * give message texts).
 *
 * With no `subnets` option every `subnet-*` id exists, in a zone derived from the id (FNV-1a hash
 * over the region's zones a…f, us-east-1a…f by default; `subnet-default` is in zone a). Zone IDs (`use1-az2`…) are derived
 * from the zone letter: AWS maps zone names to zone IDs per account (EC2 User Guide, "AZ IDs"), so any
 * fixed mapping is as good as another.
 */
export class FakeSubnets {
  private readonly seen = new Set<string>();
  private readonly defaultZones: string[];

  constructor(
    private readonly configured?: Record<string, SubnetConfig>,
    region = 'us-east-1',
  ) {
    this.defaultZones = [...'abcdef'].map((letter) => `${region}${letter}`);
  }

  /** The subnet, or undefined when it does not exist. */
  find(id: string): SubnetConfig | undefined {
    if (id === DEFAULT_SUBNET) return this.configured?.[id] ?? { zone: this.defaultZones[0] };
    if (this.configured) return this.configured[id];
    return id.startsWith('subnet-') ? { zone: this.defaultZones[fnv1a(id) % this.defaultZones.length] } : undefined;
  }

  /** The subnet or `InvalidSubnetID.NotFound`. */
  require(id: string): SubnetConfig {
    const subnet = this.find(id);
    if (!subnet) throw notFound([id]);
    this.seen.add(id);
    return subnet;
  }

  zoneOf(id: string): string {
    return this.require(id).zone;
  }

  /** Every zone this cloud has subnets in (for "choosing us-east-1b, …" in capacity messages). */
  zones(): string[] {
    const configured = this.configured ? Object.values(this.configured).map((subnet) => subnet.zone) : this.defaultZones;
    return [...new Set(configured)].sort();
  }

  freeAddresses(id: string): number {
    return this.find(id)?.freeAddresses ?? DEFAULT_FREE_ADDRESSES;
  }

  /** DescribeSubnets; `used(id)` counts the addresses the subnet's instances hold. */
  describe(params: URLSearchParams, used: (id: string) => number): string {
    const ids = list(params, 'SubnetId');
    const unknown = ids.filter((id) => !this.find(id));
    if (unknown.length > 0) throw notFound(unknown);
    const listed = ids.length > 0 ? ids : this.configured ? Object.keys(this.configured) : [...this.seen].sort();
    let found = listed.map((id) => ({ id, subnet: this.find(id)!, zoneId: zoneId(this.find(id)!.zone) }));
    for (const [name, values] of filters(params)) {
      found = found.filter(({ id, subnet, zoneId }) => {
        if (name === 'availability-zone' || name === 'availabilityZone') return values.includes(subnet.zone);
        if (name === 'availability-zone-id' || name === 'availabilityZoneId') return values.includes(zoneId);
        if (name === 'subnet-id' || name === 'subnetId') return values.includes(id);
        if (name === 'vpc-id' || name === 'vpcId') return values.includes(subnet.vpcId ?? DEFAULT_VPC);
        if (name === 'state') return values.includes('available');
        return true;
      });
    }
    return itemSet('subnetSet', found, ({ id, subnet, zoneId }) => {
      const hash = fnv1a(id);
      return (
        element('subnetId', id) +
        element('subnetArn', `arn:aws:ec2:${subnet.zone.slice(0, -1)}:123456789012:subnet/${id}`) +
        element('state', 'available') +
        element('vpcId', subnet.vpcId ?? DEFAULT_VPC) +
        element('cidrBlock', `10.${hash % 256}.${(hash >>> 8) % 16 * 16}.0/20`) +
        element('availableIpAddressCount', Math.max(0, this.freeAddresses(id) - used(id))) +
        element('availabilityZone', subnet.zone) +
        element('availabilityZoneId', zoneId) +
        element('defaultForAz', id === DEFAULT_SUBNET) +
        element('mapPublicIpOnLaunch', false) +
        element('ownerId', '123456789012')
      );
    });
  }
}

function notFound(ids: readonly string[]): QueryError {
  return new QueryError('InvalidSubnetID.NotFound', ids.length === 1 ? `The subnet ID '${ids[0]}' does not exist` : `The subnet IDs '${ids.join(', ')}' do not exist`);
}

/** `us-east-1b` → `use1-az2`. */
function zoneId(zone: string): string {
  const region = zone.slice(0, -1).split('-');
  const short = region.length === 3 ? `${region[0]}${region[1][0]}${region[2]}` : region.join('');
  return `${short}-az${zone.charCodeAt(zone.length - 1) - 96}`;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const char of text) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return hash;
}
