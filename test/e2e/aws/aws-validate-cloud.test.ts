import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_VPC } from '../../support/fake-aws/subnets.js';
import { base, startAwsE2eCloud, SUBNETS, TEMPLATES, type AwsE2eCloud } from './aws-e2e-cloud.js';

const OTHER_VPC_GROUP = 'sg-0b0b0b0b0b0b0b0b0';

/** A template wrong in four ways: an AMI EC2 does not have, a type not offered in its second subnet's zone, a group of another VPC, and a launch (CreateFleet) the credentials may not make. */
const BROKEN = base('Broken', {
  priceType: 'spot',
  providerApi: 'EC2Fleet',
  fleetType: 'instant',
  imageId: 'ami-00000000000000dead',
  vmTypes: { 'm5.large': 1, 'c6i.xlarge': 2 },
  securityGroupIds: [OTHER_VPC_GROUP],
  instanceProfile: 'no-such-profile',
});
const PROFILED = base('With-Profile', { priceType: 'ondemand', vmType: 'm5.large', keyName: 'hpc-key', instanceProfile: 'hpc-compute' });

/** `hostfactory templates validate --cloud` through the bundled CLI against the fake EC2/IAM endpoint. */
describe('templates validate --cloud against the fake AWS endpoint', () => {
  let cloud: AwsE2eCloud;

  beforeAll(async () => {
    cloud = await startAwsE2eCloud(
      { AWS_REQUEST_RETRY_ATTEMPTS: 0 },
      {
        templates: [BROKEN, PROFILED],
        server: {
          securityGroups: { 'sg-0123456789abcdef0': DEFAULT_VPC, [OTHER_VPC_GROUP]: 'vpc-0ffffffffffffffff' },
          iam: { instanceProfiles: { 'hpc-compute': ['symphony-compute'] } },
        },
      },
    );
    cloud.server.catalog.notOffered('c6i.xlarge', cloud.server.subnetZone(SUBNETS[1]));
  });
  afterAll(() => cloud.close());

  it('passes the good templates of every API (exit 0), launching and creating nothing', { timeout: 60_000 }, async () => {
    const good = [...TEMPLATES, PROFILED].map((template) => template.templateId);
    const result = await cloud.hf.cli(['templates', 'validate', '--cloud', ...good, '--json']);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.json.passed).toBe(true);
    expect(result.json.checks.map((check: { templateId: string }) => check.templateId)).toEqual(good);
    const launches = result.json.checks.map((check: any) => check.findings.find((finding: any) => finding.field === 'launch').message);
    for (const action of ['RunInstances', 'CreateFleet', 'RequestSpotFleet']) expect(launches).toContainEqual(expect.stringContaining(`ec2:${action} allowed`));
    const profile = result.json.checks.at(-1).findings.find((finding: any) => finding.field === 'instanceProfile');
    expect(profile).toEqual({ field: 'instanceProfile', status: 'pass', message: 'hpc-compute (role symphony-compute)' });
    // Every launch call went out as a DryRun; nothing runs and no launch template was made.
    for (const action of ['RunInstances', 'CreateFleet', 'RequestSpotFleet', 'CreateLaunchTemplate']) {
      expect(cloud.server.callsOf(action).length, action).toBeGreaterThan(0);
      for (const call of cloud.server.callsOf(action)) expect(call.params.get('DryRun'), action).toBe('true');
    }
    expect(cloud.server.instances.size).toBe(0);
    expect(cloud.server.launchTemplates.size).toBe(0);
    expect(cloud.server.calls.filter((call) => call.service === 'iam').map((call) => call.action)).toContain('GetRole');
  });

  it('fails a template with a wrong AMI, a type not offered in a subnet\'s zone, a group of another VPC and a denied launch (exit 1), naming each field', { timeout: 60_000 }, async () => {
    cloud.server.permissions.deny('ec2:CreateFleet');
    const table = await cloud.hf.cli(['templates', 'validate', '--cloud', 'Broken']);
    const json = await cloud.hf.cli(['templates', 'validate', '--cloud', 'Broken', '--json']);
    cloud.server.permissions.allow('ec2:CreateFleet');
    expect(table.exitCode, table.stderr).toBe(1);
    expect(table.stdout).toMatch(/^Broken: 5 problem\(s\)\nFIELD\s+STATUS\s+MESSAGE\n/);
    for (const field of ['imageId', 'vmTypes', 'securityGroupIds', 'instanceProfile', 'launch']) expect(table.stdout).toMatch(new RegExp(`^${field}\\s+fail\\s`, 'm'));
    expect(json.exitCode).toBe(1);
    const failures = json.json.checks[0].findings.filter((finding: any) => finding.status === 'fail');
    const zone = cloud.server.subnetZone(SUBNETS[1]);
    expect(failures).toEqual([
      { field: 'securityGroupIds', status: 'fail', message: `${OTHER_VPC_GROUP} is in vpc-0ffffffffffffffff, the subnets are in ${DEFAULT_VPC}` },
      { field: 'imageId', status: 'fail', message: 'ami-00000000000000dead: AMI not found (or not shared with this account)' },
      { field: 'vmTypes', status: 'fail', message: `c6i.xlarge: not offered in ${zone} (${SUBNETS[1]})` },
      { field: 'instanceProfile', status: 'fail', message: 'instance profile no-such-profile does not exist' },
      { field: 'launch', status: 'fail', message: expect.stringMatching(/^ec2:CreateFleet not allowed for these credentials \(UnauthorizedOperation\): allow ec2:CreateFleet/) },
    ]);
  });

  it('without --cloud keeps the offline checks and asks the cloud nothing', async () => {
    const before = cloud.server.calls.length;
    const offline = await cloud.hf.cli(['templates', 'validate']);
    expect(offline.exitCode, offline.stderr).toBe(0);
    expect(offline.stdout).toContain(`${TEMPLATES.length + 2} valid template(s)`);
    const available = await cloud.hf.script('getAvailableTemplates', {});
    expect(available.exitCode).toBe(0);
    expect(cloud.server.calls.length).toBe(before);
  });
});
