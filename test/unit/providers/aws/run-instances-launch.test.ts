import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import {
  CreateLaunchTemplateCommand,
  DescribeImagesCommand,
  DescribeLaunchTemplatesCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { HostFactoryError } from '../../../../src/domain/errors.js';
import { awsError, ec2Mock, inputsOf, instance, makeProvider, REQUEST_ID, resetMocks, ssmMock } from './aws-test-kit.js';
import { anAwsTemplate } from '../../../support/mothers.js';

const tagsOf = (spec: Array<{ ResourceType: string; Tags: Array<{ Key: string; Value: string }> }>, type: string) =>
  Object.fromEntries((spec.find((entry) => entry.ResourceType === type)?.Tags ?? []).map((tag) => [tag.Key, tag.Value]));

describe('RunInstances launch', () => {
  beforeEach(() => {
    resetMocks();
    ec2Mock.on(DescribeLaunchTemplatesCommand).rejects(awsError('InvalidLaunchTemplateName.NotFoundException'));
    ec2Mock.on(CreateLaunchTemplateCommand).resolves({ LaunchTemplate: { LaunchTemplateId: 'lt-ours' } });
  });

  it('creates a launch template from every template field and launches with a token from the request id', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aws-ud-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const script = join(dir, 'boot.sh');
    writeFileSync(script, '#!/bin/sh\necho hello\n');
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: 'ami-0resolved' } });
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [{ ImageId: 'ami-0resolved', RootDeviceName: '/dev/sda1' }] });
    ec2Mock.on(RunInstancesCommand).resolves({ ReservationId: 'r-1', Instances: [instance({ id: 'i-1', state: 'pending' }), instance({ id: 'i-2', state: 'pending' })] });
    const { provider } = makeProvider();
    const template = anAwsTemplate({
      imageId: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-x86_64',
      keyName: 'cluster-key',
      securityGroupIds: ['sg-1', 'sg-2'],
      instanceProfile: 'arn:aws:iam::123456789012:instance-profile/compute',
      userDataScript: script,
      rootDeviceVolumeSize: 40,
      volumeType: 'io2',
      iops: 3000,
      instanceTags: { team: 'hpc', 'cost-center': '1234' },
    });

    const result = await provider.launch({ requestId: REQUEST_ID, template, units: 2 });

    expect(inputsOf(ssmMock, GetParameterCommand)[0].Name).toBe('/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-x86_64');
    const created = inputsOf(ec2Mock, CreateLaunchTemplateCommand)[0];
    expect(created.ClientToken).toBe(`${REQUEST_ID}-lt`);
    expect(created.LaunchTemplateName).toMatch(/^hostfactory-[0-9a-f]{32}$/);
    const data = created.LaunchTemplateData;
    expect(data.ImageId).toBe('ami-0resolved');
    expect(data.KeyName).toBe('cluster-key');
    expect(data.SecurityGroupIds).toEqual(['sg-1', 'sg-2']);
    expect(data.IamInstanceProfile).toEqual({ Arn: 'arn:aws:iam::123456789012:instance-profile/compute' });
    expect(Buffer.from(data.UserData, 'base64').toString()).toBe('#!/bin/sh\necho hello\n');
    expect(data.BlockDeviceMappings).toEqual([
      { DeviceName: '/dev/sda1', Ebs: { VolumeSize: 40, VolumeType: 'io2', Iops: 3000, DeleteOnTermination: true } },
    ]);
    expect(tagsOf(data.TagSpecifications, 'instance')).toEqual({
      team: 'hpc',
      'cost-center': '1234',
      'hostfactory:template-id': 'Tpl-1',
      'hostfactory:provider': 'awsinst',
    });

    const run = inputsOf(ec2Mock, RunInstancesCommand);
    expect(run).toHaveLength(1);
    expect(run[0]).toMatchObject({
      MinCount: 1,
      MaxCount: 2,
      InstanceType: 'm5.large',
      SubnetId: 'subnet-a',
      ClientToken: `${REQUEST_ID}-0`,
      LaunchTemplate: { LaunchTemplateId: 'lt-ours', Version: '$Default' },
    });
    expect(run[0].InstanceMarketOptions).toBeUndefined();
    expect(tagsOf(run[0].TagSpecifications, 'instance')).toMatchObject({ 'hostfactory:request-id': REQUEST_ID, 'hostfactory:template-id': 'Tpl-1', team: 'hpc' });

    expect(result.machines.map((machine) => [machine.machineId, machine.status, machine.resourceId])).toEqual([
      ['i-1', 'pending', 'r-1'],
      ['i-2', 'pending', 'r-1'],
    ]);
    expect(result.providerData).toMatchObject({ api: 'RunInstances', reservationIds: ['r-1'], instanceIds: ['i-1', 'i-2'], launchTemplateId: 'lt-ours', launchTemplateCreated: true });
    expect(result.message).toBeUndefined();
  });

  it('resolves an SSM image path once per process', async () => {
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: 'ami-0resolved' } });
    ec2Mock.on(RunInstancesCommand).resolves({ ReservationId: 'r-1', Instances: [instance()] });
    const { provider } = makeProvider();
    const template = anAwsTemplate({ imageId: '/aws/service/ami' });
    await provider.launch({ requestId: REQUEST_ID, template, units: 1 });
    await provider.launch({ requestId: 'req-second', template, units: 1 });
    expect(ssmMock.commandCalls(GetParameterCommand)).toHaveLength(1);
  });

  it('reuses our launch template when one with the same content exists', async () => {
    ec2Mock.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [{ LaunchTemplateId: 'lt-existing' }] });
    ec2Mock.on(RunInstancesCommand).resolves({ ReservationId: 'r-1', Instances: [instance()] });
    const { provider } = makeProvider();
    await provider.launch({ requestId: REQUEST_ID, template: anAwsTemplate(), units: 1 });
    expect(ec2Mock.commandCalls(CreateLaunchTemplateCommand)).toHaveLength(0);
    expect(inputsOf(ec2Mock, RunInstancesCommand)[0].LaunchTemplate.LaunchTemplateId).toBe('lt-existing');
  });

  it('uses a given launchTemplateId and sends the template fields as overrides', async () => {
    ec2Mock.on(RunInstancesCommand).resolves({ ReservationId: 'r-1', Instances: [instance()] });
    const { provider } = makeProvider();
    await provider.launch({ requestId: REQUEST_ID, template: anAwsTemplate({ launchTemplateId: 'lt-admin', keyName: 'k' }), units: 1 });
    expect(ec2Mock.commandCalls(CreateLaunchTemplateCommand)).toHaveLength(0);
    const run = inputsOf(ec2Mock, RunInstancesCommand)[0];
    expect(run.LaunchTemplate).toEqual({ LaunchTemplateId: 'lt-admin', Version: '$Default' });
    expect(run).toMatchObject({ ImageId: 'ami-0123456789abcdef0', KeyName: 'k', SecurityGroupIds: ['sg-1'] });
  });

  it('moves to the next subnet on a capacity error, with a new token, and is short-free when that works', async () => {
    ec2Mock
      .on(RunInstancesCommand, { SubnetId: 'subnet-a' })
      .rejects(awsError('InsufficientInstanceCapacity', 'We currently do not have sufficient m5.large capacity'))
      .on(RunInstancesCommand, { SubnetId: 'subnet-b' })
      .resolves({ ReservationId: 'r-2', Instances: [instance(), instance(), instance()] });
    const { provider } = makeProvider();
    const result = await provider.launch({ requestId: REQUEST_ID, template: anAwsTemplate({ subnetIds: ['subnet-a', 'subnet-b'] }), units: 3 });
    expect(inputsOf(ec2Mock, RunInstancesCommand).map((input) => [input.SubnetId, input.ClientToken])).toEqual([
      ['subnet-a', `${REQUEST_ID}-0`],
      ['subnet-b', `${REQUEST_ID}-1`],
    ]);
    expect(result.machines).toHaveLength(3);
    expect(result.message).toBeUndefined();
  });

  it('reports the AWS reason when it could launch only part of the units', async () => {
    ec2Mock
      .on(RunInstancesCommand, { SubnetId: 'subnet-a' })
      .resolves({ ReservationId: 'r-1', Instances: [instance()] })
      .on(RunInstancesCommand, { SubnetId: 'subnet-b' })
      .rejects(awsError('InsufficientInstanceCapacity', 'no m5.large'));
    const { provider } = makeProvider();
    const result = await provider.launch({ requestId: REQUEST_ID, template: anAwsTemplate({ subnetIds: ['subnet-a', 'subnet-b'] }), units: 3 });
    expect(inputsOf(ec2Mock, RunInstancesCommand).map((input) => input.MaxCount)).toEqual([3, 2]);
    expect(result.message).toContain('launched 1 of 3 units');
    expect(result.message).toContain('InsufficientInstanceCapacity');
    expect(result.providerData.launchMessage).toBe(result.message);
  });

  it('stops at the first error that is not about capacity, keeping what already runs', async () => {
    ec2Mock
      .on(RunInstancesCommand, { SubnetId: 'subnet-a' })
      .resolves({ ReservationId: 'r-1', Instances: [instance()] })
      .on(RunInstancesCommand, { SubnetId: 'subnet-b' })
      .rejects(awsError('InvalidSubnetID.NotFound', "The subnet ID 'subnet-b' does not exist"));
    const { provider } = makeProvider();
    const template = anAwsTemplate({ vmType: undefined, vmTypes: { 'm5.large': 1, 'm5a.large': 1 }, subnetIds: ['subnet-a', 'subnet-b'] });
    const result = await provider.launch({ requestId: REQUEST_ID, template, units: 4 });
    expect(inputsOf(ec2Mock, RunInstancesCommand).map((input) => [input.InstanceType, input.SubnetId])).toEqual([
      ['m5.large', 'subnet-a'],
      ['m5.large', 'subnet-b'],
    ]);
    expect(result.machines).toHaveLength(1);
    expect(result.message).toContain('InvalidSubnetID.NotFound');
  });

  it('throws INSUFFICIENT_CAPACITY naming the AWS reason when nothing launches', async () => {
    ec2Mock.on(RunInstancesCommand).rejects(awsError('VcpuLimitExceeded', 'You have requested more vCPU capacity than your current vCPU limit'));
    const { provider } = makeProvider();
    const launch = provider.launch({ requestId: REQUEST_ID, template: anAwsTemplate(), units: 2 });
    await expect(launch).rejects.toBeInstanceOf(HostFactoryError);
    await expect(launch).rejects.toMatchObject({ code: 'INSUFFICIENT_CAPACITY', message: expect.stringContaining('VcpuLimitExceeded') });
  });

  it('throws ACCESS_DENIED naming the missing permission', async () => {
    ec2Mock.on(RunInstancesCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const { provider } = makeProvider();
    await expect(provider.launch({ requestId: REQUEST_ID, template: anAwsTemplate(), units: 1 })).rejects.toMatchObject({
      code: 'ACCESS_DENIED',
      message: expect.stringContaining('ec2:RunInstances'),
    });
  });

  it('counts weighted units: 5 units of a weight-2 type are 3 instances', async () => {
    ec2Mock.on(RunInstancesCommand).resolves({ ReservationId: 'r-1', Instances: [instance({ InstanceType: 'm5.xlarge' })] });
    const { provider } = makeProvider();
    const result = await provider.launch({ requestId: REQUEST_ID, template: anAwsTemplate({ vmType: undefined, vmTypes: { 'm5.xlarge': 2 } }), units: 5 });
    expect(inputsOf(ec2Mock, RunInstancesCommand)[0]).toMatchObject({ InstanceType: 'm5.xlarge', MaxCount: 3 });
    expect(result.machines[0].weight).toBe(2);
  });

  it('launches spot instances with a max price per instance for a spot template', async () => {
    ec2Mock.on(RunInstancesCommand).resolves({ ReservationId: 'r-1', Instances: [instance({ InstanceLifecycle: 'spot' })] });
    const { provider } = makeProvider();
    const template = anAwsTemplate({ priceType: 'spot', providerApi: 'RunInstances', vmType: undefined, vmTypes: { 'm5.xlarge': 2 }, maxSpotPrice: 0.05 });
    const result = await provider.launch({ requestId: REQUEST_ID, template, units: 2 });
    expect(inputsOf(ec2Mock, RunInstancesCommand)[0].InstanceMarketOptions).toEqual({
      MarketType: 'spot',
      SpotOptions: { SpotInstanceType: 'one-time', InstanceInterruptionBehavior: 'terminate', MaxPrice: '0.1' },
    });
    expect(result.machines[0].priceType).toBe('spot');
  });

  it('splits a heterogeneous template: percentOnDemand on vmTypesOnDemand, the rest spot', async () => {
    ec2Mock.on(RunInstancesCommand).callsFake((input: { MaxCount: number; InstanceType: string }) => ({
      ReservationId: `r-${input.InstanceType}`,
      Instances: Array.from({ length: input.MaxCount }, () => instance({ InstanceType: input.InstanceType as never })),
    }));
    const { provider } = makeProvider();
    const template = anAwsTemplate({
      priceType: 'heterogeneous',
      providerApi: 'RunInstances',
      vmType: undefined,
      vmTypes: { 'r5a.large': 1 },
      vmTypesOnDemand: { 'r5.large': 1 },
      percentOnDemand: 20,
    });
    await provider.launch({ requestId: REQUEST_ID, template, units: 10 });
    const run = inputsOf(ec2Mock, RunInstancesCommand);
    expect(run.map((input) => [input.InstanceType, input.MaxCount, input.InstanceMarketOptions?.MarketType ?? 'on-demand'])).toEqual([
      ['r5.large', 2, 'on-demand'],
      ['r5a.large', 8, 'spot'],
    ]);
  });

  it('replays the same tokens when the same request is launched again', async () => {
    ec2Mock.on(RunInstancesCommand).resolves({ ReservationId: 'r-1', Instances: [instance({ id: 'i-same' })] });
    const { provider } = makeProvider();
    const first = await provider.launch({ requestId: REQUEST_ID, template: anAwsTemplate(), units: 1 });
    const again = await provider.launch({ requestId: REQUEST_ID, template: anAwsTemplate(), units: 1 });
    const tokens = inputsOf(ec2Mock, RunInstancesCommand).map((input) => input.ClientToken);
    expect(tokens).toEqual([`${REQUEST_ID}-0`, `${REQUEST_ID}-0`]);
    expect(again.providerData).toEqual(first.providerData);
  });
});
