import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, EC2Client } from '@aws-sdk/client-ec2';
import { FakeEc2Server, type FakeEc2ServerOptions } from '../../support/fake-ec2-server.js';

export const IMAGE = 'ami-0f3caa1cf4417e51b';
export const SUBNET_A = 'subnet-0a1b2c3d4e5f60718';
export const SUBNET_B = 'subnet-0f9e8d7c6b5a49382';

export interface FakeEndpoint {
  server: FakeEc2Server;
  ec2: EC2Client;
  autoScaling: AutoScalingClient;
  url: string;
  /** Moves the fake's clock forward. */
  advance(ms: number): void;
  /** A launch template for IMAGE (or another image). */
  launchTemplate(name: string, imageId?: string): Promise<string>;
  close(): Promise<void>;
}

export function clientConfig(endpoint: string) {
  return { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake-secret' }, maxAttempts: 1 };
}

/** A FakeEc2Server on a stepping clock (transitions of 1 s), with real SDK clients pointed at it. */
export async function startFakeEndpoint(options: FakeEc2ServerOptions = {}): Promise<FakeEndpoint> {
  let t = 0;
  const now = () => t;
  const server = new FakeEc2Server(now, { [IMAGE]: '/dev/xvda' }, { transitionMs: 1000, ...options });
  const url = await server.start();
  const ec2 = new EC2Client(clientConfig(url));
  const autoScaling = new AutoScalingClient(clientConfig(url));
  return {
    server,
    ec2,
    autoScaling,
    url,
    advance: (ms) => {
      t += ms;
    },
    launchTemplate: async (name, imageId = IMAGE) =>
      (await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: name, LaunchTemplateData: { ImageId: imageId } }))).LaunchTemplate!.LaunchTemplateId!,
    close: async () => {
      ec2.destroy();
      autoScaling.destroy();
      await server.stop();
    },
  };
}

/** The error a promise rejects with (fails when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & { name: string; $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { name: string };
  }
  throw new Error('expected the call to fail');
}
