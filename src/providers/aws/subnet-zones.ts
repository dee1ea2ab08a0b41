import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { AwsContext } from './handlers/api-handler.js';
import { awsReason } from './ec2/aws-errors.js';

/** Seconds a subnet's zone and free address count are trusted (zones never change; free addresses drift). */
const SUBNET_CACHE_TTL_SEC = 3600;
const SUBNET_CACHE_FILE = 'aws-subnets.json';

interface SubnetFacts {
  zone: string;
  freeAddresses: number;
  /** epoch ms */
  fetchedAt: number;
}

/**
 * EC2 Fleet and Spot Fleet reject two subnets of one Availability Zone for the same instance type
 * (duplicate instance pools), so a fleet gets one subnet per zone: the one with the most free
 * addresses. Subnets are resolved to zones with DescribeSubnets and cached in the work dir.
 */
export class SubnetZones {
  constructor(
    private readonly context: AwsContext,
    private readonly workDir: string,
    /** One cache per region: the default region's keeps the name it always had. */
    private readonly cacheFile = SUBNET_CACHE_FILE,
  ) {}

  /** One subnet per zone, zones in the order the template lists them. */
  async onePerZone(subnetIds: readonly string[]): Promise<string[]> {
    if (subnetIds.length < 2) return [...subnetIds];
    let facts: Map<string, SubnetFacts>;
    try {
      facts = await this.factsOf(subnetIds);
    } catch (error) {
      this.context.logger.warn({ subnetIds, error: awsReason(error) }, 'subnets not resolved to zones; the fleet gets them all');
      return [...subnetIds];
    }
    const best = new Map<string, string>();
    for (const id of subnetIds) {
      const zone = facts.get(id)?.zone ?? id;
      const chosen = best.get(zone);
      if (!chosen || (facts.get(id)?.freeAddresses ?? 0) > (facts.get(chosen)?.freeAddresses ?? 0)) best.set(zone, id);
    }
    return [...best.values()];
  }

  /**
   * subnet id → zone, from the cache whatever its age (a subnet never changes zone), asking
   * DescribeSubnets only for subnets not cached yet. Throws the AWS error when that call fails.
   */
  async zonesOf(subnetIds: readonly string[]): Promise<Map<string, string>> {
    if (subnetIds.length === 0) return new Map();
    const facts = await this.factsOf(subnetIds, Number.POSITIVE_INFINITY);
    return zonesIn(facts, subnetIds);
  }

  /** subnet id → zone for the subnets in the work dir's cache; never calls AWS, never throws. */
  async cachedZonesOf(subnetIds: readonly string[]): Promise<Map<string, string>> {
    const cached = await readCache(join(this.workDir, this.cacheFile));
    return zonesIn(new Map(Object.entries(cached)), subnetIds);
  }

  private async factsOf(subnetIds: readonly string[], maxAgeMs = SUBNET_CACHE_TTL_SEC * 1000): Promise<Map<string, SubnetFacts>> {
    const file = join(this.workDir, this.cacheFile);
    const cached = await readCache(file);
    const now = this.context.clock.now();
    const stale = subnetIds.filter((id) => !cached[id] || now - cached[id].fetchedAt > maxAgeMs);
    const fetched = stale.length > 0 ? await this.context.gateway.instances.subnets(stale) : [];
    for (const subnet of fetched) {
      if (subnet.SubnetId && subnet.AvailabilityZone) cached[subnet.SubnetId] = { zone: subnet.AvailabilityZone, freeAddresses: subnet.AvailableIpAddressCount ?? 0, fetchedAt: now };
    }
    if (fetched.length > 0) {
      await writeCache(file, cached).catch((error: unknown) => this.context.logger.warn({ file, error: (error as Error).message }, 'subnet cache not written'));
    }
    return new Map(Object.entries(cached));
  }
}

function zonesIn(facts: ReadonlyMap<string, SubnetFacts>, subnetIds: readonly string[]): Map<string, string> {
  return new Map(subnetIds.flatMap((id) => (facts.get(id)?.zone ? [[id, facts.get(id)!.zone] as const] : [])));
}

async function readCache(file: string): Promise<Record<string, SubnetFacts>> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { subnets?: Record<string, SubnetFacts> };
    return parsed.subnets ?? {};
  } catch {
    return {};
  }
}

async function writeCache(file: string, subnets: Record<string, SubnetFacts>): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify({ subnets }, null, 2));
  await rename(temp, file);
}
