import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { instanceRoots } from '../../../support/hostfactory-harness.js';
import { mockClient } from 'aws-sdk-client-mock';
import { EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { Clock } from '../../../../src/domain/ports/clock.js';
import type { Logger } from '../../../../src/domain/ports/logger.js';
import type { LeaseOptions, ResourceLease } from '../../../../src/domain/ports/resource-lease.js';
import { AwsClients } from '../../../../src/providers/aws/ec2/aws-clients.js';
import { AwsCloudProvider } from '../../../../src/providers/aws/aws-cloud-provider.js';
import { parseAwsConfig } from '../../../../src/providers/aws/aws-config.js';
import { InMemoryResourceLease } from '../../../support/in-memory-resource-lease.js';
import { AWS_NOW as NOW, AWS_REQUEST_ID as REQUEST_ID } from '../../../support/mothers.js';

export const ec2Mock = mockClient(EC2Client);
export const asgMock = mockClient(AutoScalingClient);
export const ssmMock = mockClient(SSMClient);

/** The instant these tests run at and the request they describe (templates, requests and machines: test/support/mothers.ts). */
export { NOW, REQUEST_ID };

export class FakeClock implements Clock {
  constructor(public time = NOW) {}
  now(): number {
    return this.time;
  }
}

export class MemoryLogger implements Logger {
  readonly lines: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
  debug(fields: Record<string, unknown>, message: string): void {
    this.lines.push({ level: 'debug', message, fields });
  }
  info(fields: Record<string, unknown>, message: string): void {
    this.lines.push({ level: 'info', message, fields });
  }
  warn(fields: Record<string, unknown>, message: string): void {
    this.lines.push({ level: 'warn', message, fields });
  }
  error(fields: Record<string, unknown>, message: string): void {
    this.lines.push({ level: 'error', message, fields });
  }
}

export function resetMocks(): void {
  ec2Mock.reset();
  asgMock.reset();
  ssmMock.reset();
}

export interface Kit {
  provider: AwsCloudProvider;
  clients: AwsClients;
  clock: FakeClock;
  logger: MemoryLogger;
}

export interface KitOptions {
  /** The provider's work dir (caches such as aws-subnets.json); a test that lets one be written passes a temp dir it removes. */
  workDir?: string;
  /** The store lease; an InMemoryResourceLease on the kit's clock by default. */
  lease?: (clock: Clock) => ResourceLease;
  /** The provider instance's name (its `hostfactory:provider` tag); `awsinst` by default. */
  providerName?: string;
}

export function makeProvider(config: Record<string, unknown> = {}, options: KitOptions = {}): Kit {
  const settings = {
    config: parseAwsConfig({ AWS_REGION: 'us-east-1', ...config }, 'awsprov_config.json'),
    providerName: options.providerName ?? 'awsinst',
    workDir: options.workDir ?? workDirOfThisFile(),
  };
  const clients = new AwsClients(settings);
  const clock = new FakeClock();
  const logger = new MemoryLogger();
  const lease = options.lease ? options.lease(clock) : new InMemoryResourceLease(clock);
  return { provider: new AwsCloudProvider(settings, clients, clock, logger, lease), clients, clock, logger };
}

/** A store lease that records the resources it was asked for. */
export class RecordingLease implements ResourceLease {
  readonly resources: string[] = [];
  private readonly inner: InMemoryResourceLease;
  constructor(clock: Clock) {
    this.inner = new InMemoryResourceLease(clock);
  }
  withLease<T>(resource: string, work: () => Promise<T>, options?: LeaseOptions): Promise<T> {
    this.resources.push(resource);
    return this.inner.withLease(resource, work, options);
  }
}

let counter = 0;

export function instance(fields: Partial<Instance> & { id?: string; state?: string } = {}): Instance {
  counter += 1;
  const id = fields.id ?? `i-${counter.toString(16).padStart(17, '0')}`;
  const ip = `10.0.${Math.floor(counter / 250)}.${counter % 250}`;
  const { id: _id, state, ...rest } = fields;
  return {
    InstanceId: id,
    InstanceType: 'm5.large',
    PrivateDnsName: `ip-${ip.replaceAll('.', '-')}.ec2.internal`,
    PrivateIpAddress: ip,
    LaunchTime: new Date(NOW - 60_000),
    State: { Name: (state ?? 'running') as never, Code: 16 },
    Tags: [{ Key: 'hostfactory:request-id', Value: REQUEST_ID }],
    ...rest,
  };
}

export function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: {} });
}

/** The inputs of every call of `command` sent through a mock. */
export function inputsOf<T>(mock: { commandCalls: (command: never) => Array<{ args: [{ input: unknown }] }> }, command: new (...args: never[]) => T): Array<Record<string, any>> {
  return mock.commandCalls(command as never).map((call) => call.args[0].input as Record<string, any>);
}

let unitWorkDir: string | undefined;

/**
 * A work dir for the provider's caches (aws-subnets.json), one per test file: test/support/setup.ts
 * removes it when the file's tests end. Made on first use, as unit files share this module (vitest
 * project `unit` does not isolate them): a dir made at import would serve, and be removed after,
 * only the first file of each worker.
 */
function workDirOfThisFile(): string {
  if (!unitWorkDir || !existsSync(unitWorkDir)) {
    unitWorkDir = mkdtempSync(join(tmpdir(), 'hf-aws-unit-'));
    instanceRoots().add(unitWorkDir);
  }
  return unitWorkDir;
}
