/**
 * What the simulated cloud knows of the world a template names: its zones, the instance types it
 * offers (architecture, zones, spot price), the subnets and images it accepts. Fixed and small, so
 * that `templates validate --cloud` gives the same answers everywhere.
 */

export const SIM_ZONES = ['sim-1a', 'sim-1b', 'sim-1c'];

interface Family {
  architecture: 'x86_64' | 'arm64';
  /** Zones offering the family; every zone when absent. */
  zones?: string[];
  /** Spot price of the family's `large` size, USD per hour, in sim-1a (sim-1b +10 %, sim-1c +20 %). */
  spotLarge: number;
}

const FAMILIES: Record<string, Family> = {
  t3: { architecture: 'x86_64', spotLarge: 0.025 },
  t3a: { architecture: 'x86_64', spotLarge: 0.023 },
  m5: { architecture: 'x86_64', spotLarge: 0.035 },
  m5a: { architecture: 'x86_64', spotLarge: 0.033 },
  m6i: { architecture: 'x86_64', spotLarge: 0.036 },
  c5: { architecture: 'x86_64', spotLarge: 0.031 },
  c6i: { architecture: 'x86_64', spotLarge: 0.032 },
  r5: { architecture: 'x86_64', spotLarge: 0.045 },
  r5a: { architecture: 'x86_64', spotLarge: 0.042 },
  r6i: { architecture: 'x86_64', spotLarge: 0.047 },
  t4g: { architecture: 'arm64', spotLarge: 0.02 },
  m6g: { architecture: 'arm64', spotLarge: 0.029 },
  c6g: { architecture: 'arm64', spotLarge: 0.026 },
  r6g: { architecture: 'arm64', spotLarge: 0.038 },
  m7g: { architecture: 'arm64', spotLarge: 0.031 },
  c7g: { architecture: 'arm64', spotLarge: 0.028 },
  g5: { architecture: 'x86_64', zones: ['sim-1a', 'sim-1b'], spotLarge: 0.4 },
  p4d: { architecture: 'x86_64', zones: ['sim-1a'], spotLarge: 0.9 },
};

/** Size → multiple of `large`. */
const SIZES: Record<string, number> = {
  nano: 0.0625,
  micro: 0.125,
  small: 0.25,
  medium: 0.5,
  large: 1,
  xlarge: 2,
  '2xlarge': 4,
  '4xlarge': 8,
  '8xlarge': 16,
  '12xlarge': 24,
  '16xlarge': 32,
  '24xlarge': 48,
};

export interface SimInstanceType {
  architecture: string;
  zones: string[];
  /** zone → spot price, USD per instance hour. */
  spotPrices: Record<string, number>;
}

/** The instance type, or undefined when the sim does not know it (`<family>.<size>` of the tables above). */
export function simInstanceType(name: string): SimInstanceType | undefined {
  const [family, size, extra] = name.split('.');
  const known = FAMILIES[family];
  if (!known || extra !== undefined || SIZES[size] === undefined) return undefined;
  const zones = known.zones ?? SIM_ZONES;
  const spotPrices = Object.fromEntries(zones.map((zone) => [zone, round(known.spotLarge * SIZES[size] * (1 + 0.1 * SIM_ZONES.indexOf(zone)))]));
  return { architecture: known.architecture, zones, spotPrices };
}

/** The zone of a subnet: any `subnet-<hex>` id exists, in a zone derived from the id (FNV-1a hash); others do not. */
export function simSubnetZone(subnetId: string): string | undefined {
  if (!/^subnet-[0-9a-f]+$/.test(subnetId)) return undefined;
  let hash = 0x811c9dc5;
  for (const char of subnetId) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return SIM_ZONES[hash % SIM_ZONES.length];
}

/** An image: any `ami-<hex>` id (x86_64), or an SSM parameter path (arm64 when the path says so). */
export function simImage(imageId: string): { architecture: string } | undefined {
  if (/^ami-[0-9a-f]{8,17}$/.test(imageId)) return { architecture: 'x86_64' };
  if (imageId.startsWith('/') || imageId.startsWith('resolve:ssm:')) return { architecture: /arm64|aarch64/.test(imageId) ? 'arm64' : 'x86_64' };
  return undefined;
}

function round(value: number): number {
  return Math.round(value * 10000) / 10000;
}
