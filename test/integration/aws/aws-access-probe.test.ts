import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsCloudProvider } from '../../../src/providers/aws/aws-cloud-provider.js';
import { parseAwsConfig } from '../../../src/providers/aws/aws-config.js';
import { AwsClients } from '../../../src/providers/aws/ec2/aws-clients.js';
import { startAwsFakeEndpoint, type AwsFakeEndpoint } from '../../support/aws-fake-endpoint.js';
import { InMemoryResourceLease } from '../../support/in-memory-resource-lease.js';

const quietLogger = { debug() {}, info() {}, warn() {}, error() {} };

describe('the AWS access probe (hostfactory health) against the fake endpoint', () => {
  let endpoint: AwsFakeEndpoint;
  let dir: string;

  beforeEach(async () => {
    endpoint = await startAwsFakeEndpoint({}, {});
    dir = mkdtempSync(join(tmpdir(), 'hf-aws-probe-'));
  });
  afterEach(async () => {
    await endpoint.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A provider on the same endpoint whose own clock runs `offsetMs` ahead of the endpoint's. */
  function providerWithClockAhead(offsetMs: number): AwsCloudProvider {
    const credentials = join(dir, 'credentials');
    writeFileSync(credentials, '[default]\naws_access_key_id = AKIDFAKE\naws_secret_access_key = fake-secret\n');
    const settings = { config: parseAwsConfig({ AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: endpoint.url, AWS_CREDENTIAL_FILE: credentials, AWS_REQUEST_RETRY_ATTEMPTS: 0 }, join(dir, 'c.json')), providerName: 'awsinst', workDir: dir };
    const clock = { now: () => endpoint.clock.now() + offsetMs };
    return new AwsCloudProvider(settings, new AwsClients(settings), clock, quietLogger, new InMemoryResourceLease(clock));
  }

  it('one DescribeAvailabilityZones call names the zones; clocks that agree show no skew', async () => {
    const access = await endpoint.provider.checkAccess();
    expect(access.message).toMatch(/^EC2 in us-east-1 answered \(\d+ zones: us-east-1a/);
    expect(Math.abs(access.clockSkewMs ?? Number.NaN)).toBeLessThanOrEqual(1000);
    expect(endpoint.server.actions()).toEqual(['DescribeAvailabilityZones']);
  });

  it('reads the cloud\'s clock from the answer: a host clock 7 minutes ahead shows as skew', async () => {
    const access = await providerWithClockAhead(420_000).checkAccess();
    expect(access.clockSkewMs).toBeGreaterThanOrEqual(-421_000);
    expect(access.clockSkewMs).toBeLessThanOrEqual(-419_000);
  });

  it('a refused call is the translated error naming the IAM action', async () => {
    endpoint.server.failNext('DescribeAvailabilityZones', { code: 'UnauthorizedOperation', message: 'You are not authorized to perform this operation.', status: 403 });
    await expect(endpoint.provider.checkAccess()).rejects.toMatchObject({ code: 'ACCESS_DENIED', message: expect.stringContaining('DescribeAvailabilityZones') });
  });
});
