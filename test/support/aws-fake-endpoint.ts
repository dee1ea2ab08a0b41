import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../src/domain/ports/clock.js';
import type { Logger } from '../../src/domain/ports/logger.js';
import type { TemplateRepository } from '../../src/domain/ports/template-repository.js';
import { AwsClients } from '../../src/providers/aws/ec2/aws-clients.js';
import { AwsCloudProvider } from '../../src/providers/aws/aws-cloud-provider.js';
import { parseAwsConfig } from '../../src/providers/aws/aws-config.js';
import { FakeEc2Server, type FakeEc2ServerOptions } from './fake-ec2-server.js';
import { InMemoryResourceLease } from './in-memory-resource-lease.js';

export class SteppingClock implements Clock {
  constructor(public time = Date.parse('2026-11-22T10:00:00Z')) {}
  now(): number {
    return this.time;
  }
  advance(seconds: number): void {
    this.time += seconds * 1000;
  }
}

const quietLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export interface AwsFakeEndpoint {
  server: FakeEc2Server;
  /** The endpoint's URL (AWS_ENDPOINT_URL of the provider). */
  url: string;
  provider: AwsCloudProvider;
  /** Another process's provider on the same endpoint and config, searching the regions of `templates` (none: AWS_REGION only). */
  providerWith(templates?: TemplateRepository): AwsCloudProvider;
  clock: SteppingClock;
  close(): Promise<void>;
}

/** The fake's options (other regions…) and the templates the provider searches the regions of. */
export interface AwsFakeEndpointOptions {
  server?: FakeEc2ServerOptions;
  templates?: TemplateRepository;
}

/**
 * An AwsCloudProvider talking over loopback to a FakeEc2Server through AWS_ENDPOINT_URL, with
 * credentials from an AWS_CREDENTIAL_FILE (so the SDK never looks for real ones).
 */
export async function startAwsFakeEndpoint(images: Record<string, string> = {}, config: Record<string, unknown> = {}, options: AwsFakeEndpointOptions = {}): Promise<AwsFakeEndpoint> {
  const clock = new SteppingClock();
  const server = new FakeEc2Server(() => clock.now(), images, options.server);
  const endpoint = await server.start();
  const dir = mkdtempSync(join(tmpdir(), 'aws-fake-'));
  const credentials = join(dir, 'credentials');
  writeFileSync(credentials, '[default]\naws_access_key_id = AKIDFAKE\naws_secret_access_key = fake-secret\nregion = us-east-1\n');
  const settings = {
    config: parseAwsConfig(
      { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: endpoint, AWS_CREDENTIAL_FILE: credentials, AWS_REQUEST_RETRY_ATTEMPTS: 0, ...config },
      join(dir, 'awsprov_config.json'),
    ),
    providerName: 'awsinst',
    workDir: dir,
  };
  const providerWith = (templates?: TemplateRepository) => new AwsCloudProvider(settings, new AwsClients(settings), clock, quietLogger, new InMemoryResourceLease(clock), templates);
  const provider = providerWith(options.templates);
  return {
    server,
    url: endpoint,
    provider,
    providerWith,
    clock,
    close: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
