import { HostFactoryError } from '../../domain/errors.js';
import type { Clock } from '../../domain/ports/clock.js';
import { classifyAwsError } from './ec2/aws-errors.js';
import type { AwsGateway } from './ec2/aws-gateway.js';

export interface ResolvedImage {
  imageId: string;
  /** The AMI's root device name (`/dev/xvda`, `/dev/sda1`…), from DescribeImages. */
  rootDeviceName?: string;
}

/**
 * How long an SSM parameter's AMI id is reused. A public parameter such as
 * `/aws/service/ami-amazon-linux-latest/...` moves to a new AMI when one is released: a process
 * that lives for weeks (`hostfactory serve`) must see it, and a script call lives seconds anyway.
 */
export const IMAGE_PARAMETER_TTL_MS = 5 * 60_000;

interface Cached {
  value: Promise<string>;
  /** epoch ms after which the value is looked up again */
  expiresAt: number;
}

/**
 * Turns a template's `imageId` into an AMI id: an SSM parameter path (`/aws/service/…`) is read
 * with GetParameter, cached for IMAGE_PARAMETER_TTL_MS; an AMI's root device never changes and is
 * cached for the life of the process.
 */
export class ImageResolver {
  private readonly amis = new Map<string, Cached>();
  private readonly rootDevices = new Map<string, Cached>();

  constructor(
    private readonly gateway: AwsGateway,
    private readonly clock: Clock,
  ) {}

  /** The AMI id, and its root device name when `withRootDevice`. Throws INVALID_INPUT for an unknown AMI or parameter. */
  async resolve(imageId: string, withRootDevice: boolean): Promise<ResolvedImage> {
    const ami = await this.cached(this.amis, imageId, IMAGE_PARAMETER_TTL_MS, () => this.amiOf(imageId));
    if (!withRootDevice) return { imageId: ami };
    const rootDeviceName = await this.cached(this.rootDevices, ami, Infinity, () => this.rootDeviceOf(ami));
    return { imageId: ami, rootDeviceName };
  }

  private cached(cache: Map<string, Cached>, key: string, ttlMs: number, load: () => Promise<string>): Promise<string> {
    const now = this.clock.now();
    const hit = cache.get(key);
    if (hit && now < hit.expiresAt) return hit.value;
    const entry = { value: load(), expiresAt: now + ttlMs };
    entry.value.catch(() => {
      if (cache.get(key) === entry) cache.delete(key);
    });
    cache.set(key, entry);
    return entry.value;
  }

  private async amiOf(imageId: string): Promise<string> {
    if (!imageId.startsWith('/') && !imageId.startsWith('resolve:ssm:')) return imageId;
    const name = imageId.replace(/^resolve:ssm:/, '');
    const value = await this.gateway.parameters.value(name);
    if (!value || !value.startsWith('ami-')) {
      throw new HostFactoryError('INVALID_INPUT', `SSM parameter ${name} does not hold an AMI id (value: ${value ?? 'none'})`);
    }
    return value;
  }

  private async rootDeviceOf(ami: string): Promise<string> {
    const image = await this.gateway.instances.image(ami).catch((error: unknown) => {
      if (classifyAwsError(error) === 'invalid') throw new HostFactoryError('INVALID_INPUT', `AMI ${ami} not found: ${(error as Error).message}`, { cause: error });
      throw error;
    });
    const root = image?.RootDeviceName;
    if (!root) throw new HostFactoryError('INVALID_INPUT', `AMI ${ami} not found or has no root device`);
    return root;
  }
}
