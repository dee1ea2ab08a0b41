import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CreateFleetCommand, DescribeLaunchTemplatesCommand, DescribeSubnetsCommand, RequestSpotFleetCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { awsError, ec2Mock, inputsOf, instance, makeProvider, REQUEST_ID, resetMocks } from './aws-test-kit.js';
import { anAwsTemplate } from '../../../support/mothers.js';

const SUBNETS = ['subnet-a1', 'subnet-a2', 'subnet-b1'];
const subnets = {
  Subnets: [
    { SubnetId: 'subnet-a1', AvailabilityZone: 'us-east-1a', AvailableIpAddressCount: 10 },
    { SubnetId: 'subnet-a2', AvailabilityZone: 'us-east-1a', AvailableIpAddressCount: 250 },
    { SubnetId: 'subnet-b1', AvailabilityZone: 'us-east-1b', AvailableIpAddressCount: 5 },
  ],
};
const fleetTemplate = anAwsTemplate({ priceType: 'spot', providerApi: 'EC2Fleet', fleetType: 'request', subnetIds: SUBNETS });
const overrideSubnets = (overrides: Array<{ SubnetId?: string }>) => [...new Set(overrides.map((override) => override.SubnetId))];

describe('one subnet per Availability Zone for fleets', () => {
  let workDir: string;

  beforeEach(() => {
    resetMocks();
    workDir = mkdtempSync(join(tmpdir(), 'aws-subnets-'));
    ec2Mock.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [{ LaunchTemplateId: 'lt-ours' }] });
    ec2Mock.on(DescribeSubnetsCommand).resolves(subnets);
    ec2Mock.on(CreateFleetCommand).resolves({ FleetId: 'fleet-1' });
    ec2Mock.on(RequestSpotFleetCommand).resolves({ SpotFleetRequestId: 'sfr-1' });
  });

  afterEach(() => rmSync(workDir, { recursive: true, force: true }));

  it('sends an EC2 Fleet only the subnet with the most free addresses in each zone, zones in template order', async () => {
    const { provider } = makeProvider({}, { workDir });
    await provider.launch({ requestId: REQUEST_ID, template: fleetTemplate, units: 2 });
    expect(inputsOf(ec2Mock, DescribeSubnetsCommand)).toEqual([{ SubnetIds: SUBNETS }]);
    expect(overrideSubnets(inputsOf(ec2Mock, CreateFleetCommand)[0].LaunchTemplateConfigs[0].Overrides)).toEqual(['subnet-a2', 'subnet-b1']);
  });

  it('does the same for a Spot Fleet', async () => {
    const { provider } = makeProvider({}, { workDir });
    await provider.launch({ requestId: REQUEST_ID, template: anAwsTemplate({ ...fleetTemplate, providerApi: 'SpotFleet', fleetRole: 'arn:aws:iam::1:role/f' }), units: 2 });
    expect(overrideSubnets(inputsOf(ec2Mock, RequestSpotFleetCommand)[0].SpotFleetRequestConfig.LaunchTemplateConfigs[0].Overrides)).toEqual(['subnet-a2', 'subnet-b1']);
  });

  it('keeps what it learnt in aws-subnets.json in the work dir, so the next process asks EC2 nothing for an hour', async () => {
    const first = makeProvider({}, { workDir });
    await first.provider.launch({ requestId: REQUEST_ID, template: fleetTemplate, units: 2 });
    const cache = JSON.parse(readFileSync(join(workDir, 'aws-subnets.json'), 'utf8')) as { subnets: Record<string, { zone: string; freeAddresses: number }> };
    expect(cache.subnets['subnet-a2']).toMatchObject({ zone: 'us-east-1a', freeAddresses: 250 });

    const second = makeProvider({}, { workDir });
    await second.provider.launch({ requestId: 'req-second', template: fleetTemplate, units: 2 });
    expect(ec2Mock.commandCalls(DescribeSubnetsCommand)).toHaveLength(1);
    expect(overrideSubnets(inputsOf(ec2Mock, CreateFleetCommand)[1].LaunchTemplateConfigs[0].Overrides)).toEqual(['subnet-a2', 'subnet-b1']);

    const later = makeProvider({}, { workDir });
    later.clock.time += 3601_000;
    await later.provider.launch({ requestId: 'req-later', template: fleetTemplate, units: 2 });
    expect(ec2Mock.commandCalls(DescribeSubnetsCommand)).toHaveLength(2);
  });

  it('gives the fleet every subnet when DescribeSubnets fails, and writes no cache', async () => {
    ec2Mock.on(DescribeSubnetsCommand).rejects(awsError('UnauthorizedOperation', 'not allowed'));
    const { provider, logger } = makeProvider({}, { workDir });
    await provider.launch({ requestId: REQUEST_ID, template: fleetTemplate, units: 2 });
    expect(overrideSubnets(inputsOf(ec2Mock, CreateFleetCommand)[0].LaunchTemplateConfigs[0].Overrides)).toEqual(SUBNETS);
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: expect.stringContaining('subnets not resolved') }));
    expect(existsSync(join(workDir, 'aws-subnets.json'))).toBe(false);
  });

  it('leaves RunInstances alone: it tries every subnet in turn', async () => {
    ec2Mock.on(RunInstancesCommand).resolves({ ReservationId: 'r-1', Instances: [instance()] });
    const { provider } = makeProvider({}, { workDir });
    await provider.launch({ requestId: REQUEST_ID, template: anAwsTemplate({ subnetIds: SUBNETS }), units: 1 });
    expect(ec2Mock.commandCalls(DescribeSubnetsCommand)).toHaveLength(0);
  });
});
