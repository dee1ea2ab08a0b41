import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsCloudProvider } from '../../../src/providers/aws/aws-cloud-provider.js';
import { parseAwsConfig } from '../../../src/providers/aws/aws-config.js';
import { AwsClients } from '../../../src/providers/aws/ec2/aws-clients.js';
import { SteppingClock } from '../../support/aws-fake-endpoint.js';
import { FakeEc2Server } from '../../support/fake-ec2-server.js';
import { InMemoryResourceLease } from '../../support/in-memory-resource-lease.js';
import { aFakeEc2Template } from '../../support/mothers.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe('templates validate --cloud: IAM over its own endpoint (AWS_ENDPOINT_URL_IAM)', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('sends GetInstanceProfile and GetRole to AWS_ENDPOINT_URL_IAM and EC2 to AWS_ENDPOINT_URL; NoSuchEntity from the wire is a failed field', async () => {
    const clock = new SteppingClock();
    const server = new FakeEc2Server(() => clock.now(), { 'ami-0f3caa1cf4417e51b': '/dev/xvda' }, { iam: { instanceProfiles: { 'hpc-compute': ['symphony-compute'] }, roles: [] } });
    const ec2Url = await server.start();
    const iamUrl = await server.startExtraListener();
    cleanups.push(() => server.stop());
    const dir = mkdtempSync(join(tmpdir(), 'aws-validate-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'credentials'), '[default]\naws_access_key_id = AKIDFAKE\naws_secret_access_key = fake-secret\n');
    const config = parseAwsConfig(
      { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: ec2Url, AWS_ENDPOINT_URL_IAM: iamUrl, AWS_CREDENTIAL_FILE: join(dir, 'credentials'), AWS_REQUEST_RETRY_ATTEMPTS: 0 },
      join(dir, 'awsprov_config.json'),
    );
    const settings = { config, providerName: 'awsinst', workDir: dir };
    const provider = new AwsCloudProvider(settings, new AwsClients(settings), clock, quiet, new InMemoryResourceLease(clock));

    const role = 'arn:aws:iam::123456789012:role/aws-ec2-spot-fleet-tagging-role';
    const [good, missing] = await provider.checkTemplates([
      aFakeEc2Template({ templateId: 'Good', instanceProfile: 'hpc-compute' }),
      aFakeEc2Template({ templateId: 'Missing', priceType: 'spot', fleetRole: role, instanceProfile: 'arn:aws:iam::123456789012:instance-profile/gone' }),
    ]);
    expect(good.findings.filter((finding) => finding.status !== 'pass')).toEqual([]);
    expect(missing.findings.filter((finding) => finding.status === 'fail')).toEqual([
      { field: 'instanceProfile', status: 'fail', message: 'instance profile arn:aws:iam::123456789012:instance-profile/gone does not exist' },
      { field: 'fleetRole', status: 'fail', message: `role ${role} does not exist` },
    ]);
    const listeners = (service: string) => new Set(server.calls.filter((call) => call.service === service).map((call) => call.listener));
    expect(listeners('iam')).toEqual(new Set([1]));
    expect(listeners('ec2')).toEqual(new Set([0]));
    expect(server.callsOf('GetInstanceProfile').map((call) => call.params.get('InstanceProfileName'))).toEqual(['hpc-compute', 'gone']);
  });
});
