import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CreateFleetCommand, CreateLaunchTemplateCommand, DescribeLaunchTemplatesCommand, DescribeSubnetsCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { anAwsTemplate } from '../../../support/mothers.js';
import { awsError, ec2Mock, inputsOf, makeProvider, resetMocks } from './aws-test-kit.js';

const ZONES: Record<string, string> = { 'subnet-a': 'us-east-1a', 'subnet-b': 'us-east-1b' };
const DRY_RUN_OK = () => awsError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.');

describe('machines request --dry-run on AWS', () => {
  let workDir: string;
  beforeEach(() => {
    resetMocks();
    workDir = mkdtempSync(join(tmpdir(), 'aws-dry-run-'));
    ec2Mock.on(DescribeSubnetsCommand).callsFake((input: { SubnetIds: string[] }) => ({
      Subnets: input.SubnetIds.map((id) => ({ SubnetId: id, AvailabilityZone: ZONES[id], VpcId: 'vpc-1', AvailableIpAddressCount: 100 })),
    }));
    ec2Mock.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [{ LaunchTemplateId: 'lt-ours' }] });
    ec2Mock.on(RunInstancesCommand).rejects(DRY_RUN_OK());
    ec2Mock.on(CreateFleetCommand).rejects(DRY_RUN_OK());
  });
  afterEach(() => rmSync(workDir, { recursive: true, force: true }));

  it('shows the API, the pools (remembered ones last), units and tags, and makes the launch call with DryRun only', async () => {
    const { provider } = makeProvider({}, { workDir });
    const template = anAwsTemplate({ priceType: 'ondemand', vmType: undefined, vmTypes: { 'm5.large': 1, 'm5.xlarge': 2 }, subnetIds: ['subnet-a', 'subnet-b'], instanceTags: { team: 'hpc' } });
    const remembered = { instanceType: 'm5.large', zone: 'us-east-1a', market: 'ondemand' as const };

    const plan = await provider.planLaunch({ requestId: 'req-dry-1', template, units: 4, unavailable: [remembered] });

    expect(plan.calls).toHaveLength(1);
    const [call] = plan.calls;
    expect(call).toMatchObject({ api: 'RunInstances', units: 4, tags: expect.objectContaining({ team: 'hpc', 'hostfactory:request-id': 'req-dry-1', 'hostfactory:template-id': template.templateId, 'hostfactory:provider': 'awsinst' }) });
    expect(call.pools).toEqual([
      { instanceType: 'm5.large', zone: 'us-east-1b', market: 'ondemand' },
      { instanceType: 'm5.xlarge', zone: 'us-east-1a', market: 'ondemand' },
      { instanceType: 'm5.xlarge', zone: 'us-east-1b', market: 'ondemand' },
      remembered,
    ]);
    expect(call.cloudCheck).toMatchObject({ field: 'launch', status: 'pass', message: expect.stringContaining('ec2:RunInstances allowed') });
    const runs = inputsOf(ec2Mock, RunInstancesCommand);
    expect(runs.length).toBeGreaterThan(0);
    for (const run of runs) expect(run.DryRun).toBe(true);
    expect(inputsOf(ec2Mock, CreateLaunchTemplateCommand)).toEqual([]);
  });

  it('an EC2 Fleet plan is its CreateFleet, made with DryRun for the units asked; a refusal says the launch would fail', async () => {
    ec2Mock.on(CreateFleetCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const { provider } = makeProvider({}, { workDir });
    const template = anAwsTemplate({ priceType: 'spot', providerApi: 'EC2Fleet', fleetType: 'instant', subnetIds: ['subnet-a'] });

    const plan = await provider.planLaunch({ requestId: 'req-dry-2', template, units: 5 });

    expect(plan.calls[0]).toMatchObject({ api: 'EC2Fleet (instant)', units: 5, cloudCheck: { field: 'launch', status: 'fail' } });
    expect(plan.message).toMatch(/^the launch would fail \(5 spot units\): ec2:CreateFleet not allowed/);
    const [fleet] = inputsOf(ec2Mock, CreateFleetCommand);
    expect(fleet).toMatchObject({ DryRun: true, TargetCapacitySpecification: { TotalTargetCapacity: 5 } });
  });
});
