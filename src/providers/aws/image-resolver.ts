import { HostFactoryError } from '../../domain/errors.js';
import { classifyAwsError } from './ec2/aws-errors.js';
import type { AwsGateway } from './ec2/aws-gateway.js';

export interface ResolvedImage {
  imageId: string;
  /** The AMI's root device name (`/dev/xvda`, `/dev/sda1`…), from DescribeImages. */
  rootDeviceName?: string;
}

/**
 * Turns a template's `imageId` into an AMI id: an SSM parameter path (`/aws/service/…`) is read
 * with GetParameter. Both lookups are cached for the life of the process.
 */
export class ImageResolver {
  private readonly amis = new Map<string, Promise<string>>();
  private readonly rootDevices = new Map<string, Promise<string>>();

  constructor(private readonly gateway: AwsGateway) {}

  /** The AMI id, and its root device name when `withRootDevice`. Throws INVALID_INPUT for an unknown AMI or parameter. */
  async resolve(imageId: string, withRootDevice: boolean): Promise<ResolvedImage> {
    const ami = await this.cached(this.amis, imageId, () => this.amiOf(imageId));
    if (!withRootDevice) return { imageId: ami };
    const rootDeviceName = await this.cached(this.rootDevices, ami, () => this.rootDeviceOf(ami));
    return { imageId: ami, rootDeviceName };
  }

  private cached(cache: Map<string, Promise<string>>, key: string, load: () => Promise<string>): Promise<string> {
    let value = cache.get(key);
    if (!value) {
      value = load();
      value.catch(() => cache.delete(key));
      cache.set(key, value);
    }
    return value;
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
