import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Metrics } from '../../../src/domain/ports/metrics.js';
import { AwsCloudProvider } from '../../../src/providers/aws/aws-cloud-provider.js';
import { parseAwsConfig } from '../../../src/providers/aws/aws-config.js';
import { AwsClients } from '../../../src/providers/aws/ec2/aws-clients.js';
import { SteppingClock } from '../../support/aws-fake-endpoint.js';
import { FakeEc2Server } from '../../support/fake-ec2-server.js';
import { InMemoryResourceLease } from '../../support/in-memory-resource-lease.js';

const quietLogger = { debug() {}, info() {}, warn() {}, error() {} };

describe('cloud API call metrics against the fake endpoint', () => {
  let server: FakeEc2Server;
  let dir: string;
  let calls: Array<[string, string]>;
  let provider: AwsCloudProvider;

  beforeEach(async () => {
    const clock = new SteppingClock();
    server = new FakeEc2Server(() => clock.now());
    const url = await server.start();
    dir = mkdtempSync(join(tmpdir(), 'hf-call-metrics-'));
    writeFileSync(join(dir, 'credentials'), '[default]\naws_access_key_id = AKIDFAKE\naws_secret_access_key = fake-secret\n');
    calls = [];
    const metrics = { cloudCall: (action: string, outcome: string) => void calls.push([action, outcome]) } as unknown as Metrics;
    const settings = {
      config: parseAwsConfig({ AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: url, AWS_CREDENTIAL_FILE: join(dir, 'credentials'), AWS_REQUEST_RETRY_ATTEMPTS: 2 }, join(dir, 'c.json')),
      providerName: 'awsinst',
      workDir: dir,
    };
    provider = new AwsCloudProvider(settings, new AwsClients(settings, metrics), clock, quietLogger, new InMemoryResourceLease(clock));
  });
  afterEach(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts every attempt by action with its answer, retries included', async () => {
    server.failNext('DescribeAvailabilityZones', { code: 'RequestLimitExceeded', message: 'Request limit exceeded.', status: 503 });
    await provider.checkAccess();
    server.failNext('DescribeAvailabilityZones', { code: 'UnauthorizedOperation', status: 403 });
    await expect(provider.checkAccess()).rejects.toThrow();
    expect(calls).toEqual([
      ['ec2:DescribeAvailabilityZones', 'RequestLimitExceeded'],
      ['ec2:DescribeAvailabilityZones', 'ok'],
      ['ec2:DescribeAvailabilityZones', 'UnauthorizedOperation'],
    ]);
  });
});
