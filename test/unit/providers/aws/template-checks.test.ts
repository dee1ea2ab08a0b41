import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CreateFleetCommand,
  CreateLaunchTemplateCommand,
  DescribeImagesCommand,
  DescribeInstanceTypeOfferingsCommand,
  DescribeInstanceTypesCommand,
  DescribeKeyPairsCommand,
  DescribeLaunchTemplatesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSpotPriceHistoryCommand,
  DescribeSubnetsCommand,
  RequestSpotFleetCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { GetInstanceProfileCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import type { TemplateFinding } from '../../../../src/domain/ports/cloud-provider.js';
import type { Template } from '../../../../src/domain/template.js';
import { anAwsTemplate } from '../../../support/mothers.js';
import { awsError, ec2Mock, inputsOf, makeProvider, NOW, resetMocks, ssmMock } from './aws-test-kit.js';

const iamMock = mockClient(IAMClient);
const AMI = 'ami-0123456789abcdef0';
const template = (fields: Partial<Template> = {}) => anAwsTemplate({ keyName: 'hpc-key', instanceProfile: 'hpc-profile', ...fields });

async function check(fields: Partial<Template> = {}): Promise<TemplateFinding[]> {
  const [result] = await makeProvider().provider.checkTemplates([template(fields)]);
  return result.findings;
}
const of = (findings: TemplateFinding[], field: string) => findings.filter((finding) => finding.field === field);
const failed = (findings: TemplateFinding[]) => findings.filter((finding) => finding.status === 'fail');

/** A world where the template of anAwsTemplate() is fine: subnet-a in us-east-1a, vpc-1; sg-1 in vpc-1; an x86_64 AMI; m5.large everywhere. */
beforeEach(() => {
  resetMocks();
  iamMock.reset();
  ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: 'subnet-a', AvailabilityZone: 'us-east-1a', VpcId: 'vpc-1', AvailableIpAddressCount: 250 }] });
  ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-1', VpcId: 'vpc-1' }] });
  ec2Mock.on(DescribeImagesCommand).resolves({ Images: [{ ImageId: AMI, Architecture: 'x86_64', PlatformDetails: 'Linux/UNIX', State: 'available' }] });
  ec2Mock.on(DescribeInstanceTypesCommand).resolves({ InstanceTypes: [{ InstanceType: 'm5.large', ProcessorInfo: { SupportedArchitectures: ['x86_64'] } }] });
  ec2Mock.on(DescribeInstanceTypeOfferingsCommand).resolves({ InstanceTypeOfferings: [{ InstanceType: 'm5.large', LocationType: 'availability-zone', Location: 'us-east-1a' }] });
  ec2Mock.on(DescribeKeyPairsCommand).resolves({ KeyPairs: [{ KeyName: 'hpc-key' }] });
  ec2Mock.on(DescribeLaunchTemplatesCommand).rejects(awsError('InvalidLaunchTemplateName.NotFoundException'));
  ec2Mock.on(CreateLaunchTemplateCommand).rejects(awsError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.'));
  ec2Mock.on(RunInstancesCommand).rejects(awsError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.'));
  ec2Mock.on(CreateFleetCommand).rejects(awsError('DryRunOperation'));
  ec2Mock.on(RequestSpotFleetCommand).rejects(awsError('DryRunOperation'));
  ec2Mock.on(DescribeSpotPriceHistoryCommand).resolves({ SpotPriceHistory: [] });
  iamMock.on(GetInstanceProfileCommand).resolves({ InstanceProfile: { InstanceProfileName: 'hpc-profile', Roles: [{ RoleName: 'hpc-role' }] } as never });
  iamMock.on(GetRoleCommand).resolves({ Role: { Arn: 'arn:aws:iam::123456789012:role/fleet' } as never });
});

describe('templates validate --cloud on AWS', () => {
  it('passes a good template on every field, and the launch check is a DryRun of the RunInstances call a request makes, creating nothing', async () => {
    const findings = await check();
    expect(failed(findings)).toEqual([]);
    expect(findings.map((finding) => finding.field)).toEqual(['subnetId', 'securityGroupIds', 'imageId', 'vmType', 'keyName', 'instanceProfile', 'launchTemplate', 'launch']);
    expect(of(findings, 'launch')[0].message).toContain('ec2:RunInstances allowed');
    const [run] = inputsOf(ec2Mock, RunInstancesCommand);
    // Our launch template does not exist yet: its content goes inline, as the handler sends it for a template it did not make.
    expect(run).toMatchObject({ DryRun: true, InstanceType: 'm5.large', SubnetId: 'subnet-a', ImageId: AMI, KeyName: 'hpc-key', SecurityGroupIds: ['sg-1'], MinCount: 1, MaxCount: 1 });
    expect(run.LaunchTemplate).toBeUndefined();
    expect(inputsOf(ec2Mock, CreateLaunchTemplateCommand)).toEqual([expect.objectContaining({ DryRun: true })]);
    expect(inputsOf(ec2Mock, DescribeInstanceTypeOfferingsCommand)[0]).toMatchObject({ LocationType: 'availability-zone' });
  });

  it('imageId: an AMI EC2 does not know fails', async () => {
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [] });
    expect(of(await check(), 'imageId')).toEqual([expect.objectContaining({ status: 'fail', message: expect.stringContaining(`${AMI}: AMI not found`) })]);
  });

  it('imageId: an SSM parameter path is resolved with GetParameter; a missing parameter fails', async () => {
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: AMI } });
    const resolved = of(await check({ imageId: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64' }), 'imageId');
    expect(resolved).toEqual([expect.objectContaining({ status: 'pass', message: expect.stringContaining(`→ ${AMI}: x86_64`) })]);
    ssmMock.on(GetParameterCommand).rejects(awsError('ParameterNotFound'));
    const missing = of(await check({ imageId: '/aws/service/nope' }), 'imageId');
    expect(missing).toEqual([expect.objectContaining({ status: 'fail', message: 'SSM parameter /aws/service/nope not found' })]);
  });

  it("imageId: an AMI whose architecture an instance type does not support fails, naming the type", async () => {
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [{ ImageId: AMI, Architecture: 'arm64', State: 'available' }] });
    const findings = of(await check(), 'imageId');
    expect(findings.map((finding) => finding.status)).toEqual(['pass', 'fail']);
    expect(findings[1].message).toBe(`${AMI} is arm64; it does not run on m5.large (x86_64)`);
  });

  it('vmTypes: a type not offered in the zone of a subnet fails, naming the zone and the subnet', async () => {
    ec2Mock.on(DescribeSubnetsCommand).resolves({
      Subnets: [
        { SubnetId: 'subnet-a', AvailabilityZone: 'us-east-1a', VpcId: 'vpc-1', AvailableIpAddressCount: 250 },
        { SubnetId: 'subnet-b', AvailabilityZone: 'us-east-1b', VpcId: 'vpc-1', AvailableIpAddressCount: 250 },
      ],
    });
    ec2Mock.on(DescribeInstanceTypesCommand).resolves({
      InstanceTypes: ['m5.large', 'c5.xlarge'].map((type) => ({ InstanceType: type as never, ProcessorInfo: { SupportedArchitectures: ['x86_64' as const] } })),
    });
    ec2Mock.on(DescribeInstanceTypeOfferingsCommand).resolves({
      InstanceTypeOfferings: [
        { InstanceType: 'm5.large', Location: 'us-east-1a' },
        { InstanceType: 'm5.large', Location: 'us-east-1b' },
        { InstanceType: 'c5.xlarge', Location: 'us-east-1a' },
      ],
    });
    const findings = of(await check({ subnetIds: ['subnet-a', 'subnet-b'], vmType: undefined, vmTypes: { 'm5.large': 1, 'c5.xlarge': 2 } }), 'vmTypes');
    expect(findings.map((finding) => [finding.status, finding.message])).toEqual([
      ['pass', 'm5.large: x86_64, offered in us-east-1a, us-east-1b'],
      ['fail', 'c5.xlarge: not offered in us-east-1b (subnet-b)'],
    ]);
    expect(inputsOf(ec2Mock, DescribeInstanceTypeOfferingsCommand)[0].Filters).toEqual([
      { Name: 'instance-type', Values: ['m5.large', 'c5.xlarge'] },
      { Name: 'location', Values: ['us-east-1a', 'us-east-1b'] },
    ]);
  });

  it('vmType: a type EC2 does not know fails (the batch is asked again one type at a time)', async () => {
    ec2Mock.on(DescribeInstanceTypesCommand).callsFake((input: { InstanceTypes: string[] }) => {
      if (input.InstanceTypes.includes('m5.nope')) throw awsError('InvalidInstanceType', 'The following supplied instance types do not exist: [m5.nope]');
      return { InstanceTypes: [{ InstanceType: 'm5.large', ProcessorInfo: { SupportedArchitectures: ['x86_64'] } }] };
    });
    const findings = of(await check({ vmType: undefined, vmTypes: { 'm5.large': 1, 'm5.nope': 1 } }), 'vmTypes');
    expect(findings.map((finding) => finding.status)).toEqual(['pass', 'fail']);
    expect(findings[1].message).toBe('m5.nope: not an instance type EC2 knows in this region');
  });

  it('subnetId: a subnet that does not exist fails, one with no free address fails, the others show zone, VPC and free addresses', async () => {
    ec2Mock.on(DescribeSubnetsCommand).callsFake((input: { SubnetIds: string[] }) => {
      if (input.SubnetIds.includes('subnet-gone')) throw awsError('InvalidSubnetID.NotFound', "The subnet ID 'subnet-gone' does not exist");
      const all = [
        { SubnetId: 'subnet-a', AvailabilityZone: 'us-east-1a', VpcId: 'vpc-1', AvailableIpAddressCount: 250 },
        { SubnetId: 'subnet-full', AvailabilityZone: 'us-east-1b', VpcId: 'vpc-1', AvailableIpAddressCount: 0 },
      ];
      return { Subnets: all.filter((subnet) => input.SubnetIds.includes(subnet.SubnetId)) };
    });
    const findings = of(await check({ subnetIds: ['subnet-a', 'subnet-gone', 'subnet-full'] }), 'subnetId');
    expect(findings.map((finding) => [finding.status, finding.message])).toEqual([
      ['pass', 'subnet-a: us-east-1a, vpc-1, 250 free addresses'],
      ['fail', 'subnet-gone does not exist'],
      ['fail', 'subnet-full: us-east-1b, vpc-1, 0 free addresses: no instance can start there'],
    ]);
  });

  it('securityGroupIds: a group in another VPC than the subnets fails, naming both VPCs; an unknown group fails', async () => {
    ec2Mock.on(DescribeSecurityGroupsCommand).callsFake((input: { GroupIds: string[] }) => {
      if (input.GroupIds.includes('sg-gone')) throw awsError('InvalidGroup.NotFound', "The security group 'sg-gone' does not exist");
      return { SecurityGroups: [{ GroupId: 'sg-1', VpcId: 'vpc-1' }, { GroupId: 'sg-other', VpcId: 'vpc-2' }].filter((group) => input.GroupIds.includes(group.GroupId)) };
    });
    const findings = of(await check({ securityGroupIds: ['sg-1', 'sg-other', 'sg-gone'] }), 'securityGroupIds');
    expect(findings.map((finding) => [finding.status, finding.message])).toEqual([
      ['pass', 'sg-1 in vpc-1'],
      ['fail', 'sg-other is in vpc-2, the subnets are in vpc-1'],
      ['fail', 'sg-gone does not exist'],
    ]);
  });

  it('keyName and instanceProfile: missing ones fail', async () => {
    ec2Mock.on(DescribeKeyPairsCommand).rejects(awsError('InvalidKeyPair.NotFound', "The key pair 'hpc-key' does not exist"));
    iamMock.on(GetInstanceProfileCommand).rejects(awsError('NoSuchEntityException', 'Instance Profile hpc-profile cannot be found.'));
    const findings = await check();
    expect(of(findings, 'keyName')).toEqual([expect.objectContaining({ status: 'fail', message: 'key pair hpc-key does not exist in this region' })]);
    expect(of(findings, 'instanceProfile')).toEqual([expect.objectContaining({ status: 'fail', message: 'instance profile hpc-profile does not exist' })]);
    expect(iamMock.commandCalls(GetInstanceProfileCommand)[0].args[0].input).toEqual({ InstanceProfileName: 'hpc-profile' });
  });

  it('fleetRole: checked (GetRole, by the name in its ARN) only for a Spot Fleet, which needs it', async () => {
    const role = 'arn:aws:iam::123456789012:role/aws-ec2-spot-fleet-tagging-role';
    await check({ priceType: 'spot', providerApi: 'EC2Fleet', fleetRole: role });
    expect(iamMock.commandCalls(GetRoleCommand)).toHaveLength(0);
    iamMock.on(GetRoleCommand).rejects(awsError('NoSuchEntityException', 'The role with name aws-ec2-spot-fleet-tagging-role cannot be found.'));
    const findings = await check({ priceType: 'spot', fleetRole: role });
    expect(iamMock.commandCalls(GetRoleCommand)[0].args[0].input).toEqual({ RoleName: 'aws-ec2-spot-fleet-tagging-role' });
    expect(of(findings, 'fleetRole')).toEqual([expect.objectContaining({ status: 'fail', message: `role ${role} does not exist` })]);
  });

  it('launch: UnauthorizedOperation on the DryRun fails, naming the IAM action to allow', async () => {
    ec2Mock.on(RunInstancesCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation. Encoded authorization failure message: x'));
    const [launch] = of(await check(), 'launch');
    expect(launch.status).toBe('fail');
    expect(launch.message).toMatch(/^ec2:RunInstances not allowed for these credentials \(UnauthorizedOperation\): allow ec2:RunInstances \(with ec2:CreateTags, iam:PassRole\)/);
  });

  it('launch: an EC2 Fleet is checked with a DryRun CreateFleet naming the launch template its first request will make', async () => {
    const findings = await check({ priceType: 'spot', providerApi: 'EC2Fleet', fleetType: 'instant' });
    expect(of(findings, 'launch')[0]).toMatchObject({ status: 'pass', message: expect.stringContaining('ec2:CreateFleet allowed') });
    const [fleet] = inputsOf(ec2Mock, CreateFleetCommand);
    expect(fleet).toMatchObject({ DryRun: true, Type: 'instant', TargetCapacitySpecification: { TotalTargetCapacity: 1, SpotTargetCapacity: 1 } });
    expect(fleet.LaunchTemplateConfigs[0].LaunchTemplateSpecification.LaunchTemplateName).toMatch(/^hostfactory-[0-9a-f]{32}$/);
  });

  it('launch: a Spot Fleet is checked with a DryRun RequestSpotFleet carrying its fleet role; our existing launch template is named by id', async () => {
    ec2Mock.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [{ LaunchTemplateId: 'lt-0abc' }] });
    const findings = await check({ priceType: 'spot', fleetRole: 'arn:aws:iam::123456789012:role/fleet' });
    expect(of(findings, 'launchTemplate')[0].message).toContain('(lt-0abc) made by an earlier request');
    const [request] = inputsOf(ec2Mock, RequestSpotFleetCommand);
    expect(request.DryRun).toBe(true);
    expect(request.SpotFleetRequestConfig).toMatchObject({ IamFleetRole: 'arn:aws:iam::123456789012:role/fleet', TargetCapacity: 1 });
    expect(request.SpotFleetRequestConfig.LaunchTemplateConfigs[0].LaunchTemplateSpecification).toEqual({ LaunchTemplateId: 'lt-0abc', Version: '$Default' });
    expect(inputsOf(ec2Mock, CreateLaunchTemplateCommand)).toEqual([]);
  });

  it('launch: an Auto Scaling group is checked with a RunInstances DryRun of its launch template (CreateAutoScalingGroup has no DryRun)', async () => {
    ec2Mock.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [{ LaunchTemplateId: 'lt-0asg' }] });
    const findings = await check({ priceType: 'spot', providerApi: 'ASG' });
    expect(of(findings, 'launch')[0].message).toBe('ec2:RunInstances allowed (DryRun of the call a request makes) (autoscaling:CreateAutoScalingGroup has no DryRun: not checked)');
    expect(inputsOf(ec2Mock, RunInstancesCommand)[0]).toMatchObject({ DryRun: true, LaunchTemplate: { LaunchTemplateId: 'lt-0asg' }, InstanceMarketOptions: { MarketType: 'spot' } });
  });

  it('launchTemplate: CreateLaunchTemplate not allowed fails (the first request makes it)', async () => {
    ec2Mock.on(CreateLaunchTemplateCommand).rejects(awsError('UnauthorizedOperation'));
    expect(of(await check(), 'launchTemplate')).toEqual([expect.objectContaining({ status: 'fail', message: expect.stringMatching(/^ec2:CreateLaunchTemplate not allowed/) })]);
  });

  it('maxSpotPrice: the latest price per type and zone, per unit, against the limit: all zones above fails, some warns', async () => {
    ec2Mock.on(DescribeSubnetsCommand).resolves({
      Subnets: [
        { SubnetId: 'subnet-a', AvailabilityZone: 'us-east-1a', VpcId: 'vpc-1', AvailableIpAddressCount: 250 },
        { SubnetId: 'subnet-b', AvailabilityZone: 'us-east-1b', VpcId: 'vpc-1', AvailableIpAddressCount: 250 },
      ],
    });
    ec2Mock.on(DescribeInstanceTypesCommand).resolves({
      InstanceTypes: ['m5.large', 'm5.xlarge'].map((type) => ({ InstanceType: type as never, ProcessorInfo: { SupportedArchitectures: ['x86_64' as const] } })),
    });
    ec2Mock.on(DescribeInstanceTypeOfferingsCommand).resolves({
      InstanceTypeOfferings: ['m5.large', 'm5.xlarge'].flatMap((type) => ['us-east-1a', 'us-east-1b'].map((zone) => ({ InstanceType: type as never, Location: zone }))),
    });
    const at = (minutesAgo: number) => new Date(NOW - minutesAgo * 60_000);
    ec2Mock.on(DescribeSpotPriceHistoryCommand).resolves({
      SpotPriceHistory: [
        // m5.large: 0.09 an hour ago, 0.04 now in us-east-1a; 0.06 in us-east-1b.
        { InstanceType: 'm5.large', AvailabilityZone: 'us-east-1a', SpotPrice: '0.090000', Timestamp: at(60) },
        { InstanceType: 'm5.large', AvailabilityZone: 'us-east-1a', SpotPrice: '0.040000', Timestamp: at(5) },
        { InstanceType: 'm5.large', AvailabilityZone: 'us-east-1b', SpotPrice: '0.060000', Timestamp: at(5) },
        // m5.xlarge (weight 2): 0.12 and 0.14 an instance, 0.06 and 0.07 a unit.
        { InstanceType: 'm5.xlarge', AvailabilityZone: 'us-east-1a', SpotPrice: '0.120000', Timestamp: at(5) },
        { InstanceType: 'm5.xlarge', AvailabilityZone: 'us-east-1b', SpotPrice: '0.140000', Timestamp: at(5) },
      ],
    });
    const findings = of(await check({ priceType: 'spot', providerApi: 'EC2Fleet', subnetIds: ['subnet-a', 'subnet-b'], vmType: undefined, vmTypes: { 'm5.large': 1, 'm5.xlarge': 2 }, maxSpotPrice: 0.05 }), 'maxSpotPrice');
    expect(findings.map((finding) => [finding.status, finding.message])).toEqual([
      ['warn', 'm5.large: spot 0.04 in us-east-1a, 0.06 in us-east-1b per unit hour: above maxSpotPrice 0.05 in us-east-1b'],
      ['fail', 'm5.xlarge: spot 0.06 in us-east-1a, 0.07 in us-east-1b per unit hour: all above maxSpotPrice 0.05'],
    ]);
    expect(inputsOf(ec2Mock, DescribeSpotPriceHistoryCommand)[0]).toMatchObject({ ProductDescriptions: ['Linux/UNIX'], StartTime: new Date(NOW), Filters: [{ Name: 'availability-zone', Values: ['us-east-1a', 'us-east-1b'] }] });
  });

  it('a lookup the credentials may not make is a warning, not a failure (the validation statement of the IAM policy is optional)', async () => {
    ec2Mock.on(DescribeKeyPairsCommand).rejects(awsError('UnauthorizedOperation'));
    iamMock.on(GetInstanceProfileCommand).rejects(awsError('AccessDenied'));
    const findings = await check();
    expect(failed(findings)).toEqual([]);
    expect(of(findings, 'keyName')[0]).toMatchObject({ status: 'warn', message: expect.stringContaining('not checked: ec2:DescribeKeyPairs is not allowed') });
    expect(of(findings, 'instanceProfile')[0]).toMatchObject({ status: 'warn', message: expect.stringContaining('iam:GetInstanceProfile') });
  });
});
