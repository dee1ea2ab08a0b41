import type { HostFactoryError } from '../../domain/errors.js';
import type { Machine } from '../../domain/machine.js';
import type { TemplateRepository } from '../../domain/ports/template-repository.js';
import type { Request } from '../../domain/request.js';
import type { AwsProviderParts } from './aws-provider-parts.js';
import { translateAwsError, translateRegionalError } from './ec2/aws-errors.js';
import { readProviderData } from './provider-data.js';

/**
 * The provider's parts per region, each built on first use (clients, caches, handlers), and where
 * things are: a request in the region recorded at its launch, a machine in the region recorded on
 * it; neither recorded (launched before templates named regions) means AWS_REGION.
 */
export class AwsRegions {
  private readonly built = new Map<string, AwsProviderParts>();

  constructor(
    /** AWS_REGION. */
    readonly home: string,
    private readonly build: (region: string) => AwsProviderParts,
    private readonly templates?: Pick<TemplateRepository, 'list'>,
  ) {}

  of(region = this.home): AwsProviderParts {
    let parts = this.built.get(region);
    if (!parts) {
      parts = this.build(region);
      this.built.set(region, parts);
    }
    return parts;
  }

  ofRequest(request: Request): string {
    return readProviderData(request.providerData)?.region ?? this.home;
  }

  ofMachine(machine: Pick<Machine, 'region'>): string {
    return machine.region ?? this.home;
  }

  /** AWS_REGION, every region a valid template names, then `others`: where to look for what the store may not know. */
  async searched(others: Iterable<string> = []): Promise<string[]> {
    const listing = this.templates ? await this.templates.list() : { templates: [] };
    return [...new Set([this.home, ...listing.templates.flatMap((template) => (template.region ? [template.region] : [])), ...others])];
  }

  /** `work` with the parts of `region`; what it throws comes out translated (see translate). */
  async call<T>(region: string, work: (parts: AwsProviderParts) => Promise<T>): Promise<T> {
    try {
      return await work(this.of(region));
    } catch (error) {
      throw this.translate(error, region);
    }
  }

  /**
   * Like call, for a region listed only because a template names it (no machine of the store is
   * there): a region that cannot be asked (not enabled, unreachable) must not make AWS_REGION's
   * answer fail, so its error is logged and `skipped` is the answer.
   */
  async callOrSkip<T>(region: string, work: (parts: AwsProviderParts) => Promise<T>, skipped: T): Promise<T> {
    try {
      return await this.call(region, work);
    } catch (error) {
      this.of().context.logger.warn({ region, error: (error as Error).message }, 'region a template names left out: it could not be asked');
      return skipped;
    }
  }

  /** The error of a call to `region` as a HostFactoryError, naming the region when it is not AWS_REGION. */
  translate(error: unknown, region: string): HostFactoryError {
    return region === this.home ? translateAwsError(error) : translateRegionalError(error, region);
  }
}

/** `items` grouped by region, in the order each region first appears. */
export function byRegion<T>(items: readonly T[], regionOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(regionOf(item), [...(groups.get(regionOf(item)) ?? []), item]);
  return groups;
}

/** The item with the region it was found in. */
export function inRegion<T extends object>(item: T, region: string): T & { region: string } {
  return { ...item, region };
}
