import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateFleetCommand, CreateLaunchTemplateCommand, DescribeImagesCommand, DescribeLaunchTemplatesCommand, DescribeSubnetsCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { anAwsTemplate } from '../../../support/mothers.js';
import { awsError, ec2Mock, instance, makeProvider, resetMocks, ssmMock } from './aws-test-kit.js';

const PARAMETER = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-x86_64';
/** What the public parameter holds in each region: every region has AMIs of its own. */
const AMI_IN: Record<string, string> = { 'us-east-1': 'ami-0east00000000000a', 'eu-west-1': 'ami-0west00000000000b' };

/** The region of the client that sent a call. */
async function regionOf(getClient: () => { config: { region: unknown } }): Promise<string> {
  const region = getClient().config.region;
  return typeof region === 'function' ? ((await region()) as string) : String(region);
}

describe('what the provider looks up and keeps, per region', () => {
  beforeEach(() => {
    resetMocks();
    ssmMock.on(GetParameterCommand).callsFake(async (_input, getClient) => ({ Parameter: { Value: AMI_IN[await regionOf(getClient)] } }));
    ec2Mock.on(DescribeImagesCommand).callsFake(async (input: { ImageIds: string[] }) => ({ Images: [{ ImageId: input.ImageIds[0], RootDeviceName: '/dev/xvda' }] }));
    ec2Mock.on(DescribeLaunchTemplatesCommand).rejects(awsError('InvalidLaunchTemplateName.NotFoundException'));
    ec2Mock.on(CreateLaunchTemplateCommand).resolves({ LaunchTemplate: { LaunchTemplateId: 'lt-ours' } });
    ec2Mock.on(RunInstancesCommand).resolves({ ReservationId: 'r-1', Instances: [instance({ state: 'pending' })] });
  });

  it('reads a template\'s SSM parameter in the template\'s region, and the other template\'s in AWS_REGION', async () => {
    const { provider } = makeProvider();
    await provider.launch({ requestId: 'req-east', template: anAwsTemplate({ imageId: PARAMETER, rootDeviceVolumeSize: 20 }), units: 1 });
    await provider.launch({ requestId: 'req-west', template: anAwsTemplate({ templateId: 'Tpl-West', region: 'eu-west-1', imageId: PARAMETER, rootDeviceVolumeSize: 20 }), units: 1 });

    const images = ec2Mock.commandCalls(CreateLaunchTemplateCommand).map((call) => call.args[0].input.LaunchTemplateData?.ImageId);
    expect(images).toEqual([AMI_IN['us-east-1'], AMI_IN['eu-west-1']]);
    expect(ssmMock.commandCalls(GetParameterCommand)).toHaveLength(2);
  });

  it('keeps the subnets of a template\'s own region in a cache of that region, AWS_REGION\'s in aws-subnets.json', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'aws-regional-'));
    onTestFinished(() => rmSync(workDir, { recursive: true, force: true }));
    ec2Mock.on(DescribeSubnetsCommand).callsFake(async (input: { SubnetIds: string[] }, getClient) => {
      const region = await regionOf(getClient);
      return { Subnets: input.SubnetIds.map((SubnetId, index) => ({ SubnetId, AvailabilityZone: `${region}${'ab'[index % 2]}`, AvailableIpAddressCount: 100 })) };
    });
    ec2Mock.on(CreateFleetCommand).resolves({ FleetId: 'fleet-1', Instances: [{ InstanceIds: ['i-1'], InstanceType: 'm5.large', Lifecycle: 'spot' }], Errors: [] });
    const { provider } = makeProvider({}, { workDir });
    const fleet = anAwsTemplate({ templateId: 'Fleet-West', region: 'eu-west-1', priceType: 'spot', providerApi: 'EC2Fleet', subnetIds: ['subnet-w1', 'subnet-w2'], vmType: 'm5.large' });
    await provider.launch({ requestId: 'req-fleet-west', template: fleet, units: 1 });

    const cache = JSON.parse(readFileSync(join(workDir, 'aws-subnets.eu-west-1.json'), 'utf8')) as { subnets: Record<string, { zone: string }> };
    expect(Object.entries(cache.subnets).map(([id, facts]) => [id, facts.zone])).toEqual([['subnet-w1', 'eu-west-1a'], ['subnet-w2', 'eu-west-1b']]);
    expect(existsSync(join(workDir, 'aws-subnets.json'))).toBe(false);
  });
});
