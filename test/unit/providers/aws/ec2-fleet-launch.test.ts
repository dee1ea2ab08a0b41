import { beforeEach, describe, expect, it } from 'vitest';
import { CreateFleetCommand, CreateLaunchTemplateCommand, DescribeLaunchTemplatesCommand } from '@aws-sdk/client-ec2';
import type { AllocationStrategy } from '../../../../src/domain/template.js';
import { awsError, ec2Mock, inputsOf, makeProvider, NOW, REQUEST_ID, resetMocks } from './aws-test-kit.js';
import { anAwsTemplate } from '../../../support/mothers.js';

const spotTemplate = anAwsTemplate({
  priceType: 'spot',
  providerApi: 'EC2Fleet',
  subnetIds: ['subnet-a', 'subnet-b'],
  vmType: undefined,
  vmTypes: { 'm5.xlarge': 1, 'm5a.xlarge': 1, 'm5.2xlarge': 2 },
  allocationStrategy: 'capacityOptimized',
});

describe('EC2 Fleet launch', () => {
  beforeEach(() => {
    resetMocks();
    ec2Mock.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [{ LaunchTemplateId: 'lt-ours' }] });
  });

  it('sends an instant fleet with one override per type and subnet, weights, strategies and tags', async () => {
    ec2Mock.on(CreateFleetCommand).resolves({
      FleetId: 'fleet-1',
      Instances: [
        { InstanceIds: ['i-1', 'i-2'], InstanceType: 'm5.xlarge', Lifecycle: 'spot' },
        { InstanceIds: ['i-3'], InstanceType: 'm5.2xlarge', Lifecycle: 'spot' },
      ],
      Errors: [],
    });
    const { provider } = makeProvider();
    const result = await provider.launch({ requestId: REQUEST_ID, template: spotTemplate, units: 4 });

    const input = inputsOf(ec2Mock, CreateFleetCommand)[0];
    expect(input.ClientToken).toBe(REQUEST_ID);
    expect(input.Type).toBe('instant');
    expect(input.LaunchTemplateConfigs[0].LaunchTemplateSpecification).toEqual({ LaunchTemplateId: 'lt-ours', Version: '$Default' });
    expect(input.LaunchTemplateConfigs[0].Overrides.map((o: any) => [o.InstanceType, o.SubnetId, o.WeightedCapacity])).toEqual([
      ['m5.xlarge', 'subnet-a', 1],
      ['m5.xlarge', 'subnet-b', 1],
      ['m5a.xlarge', 'subnet-a', 1],
      ['m5a.xlarge', 'subnet-b', 1],
      ['m5.2xlarge', 'subnet-a', 2],
      ['m5.2xlarge', 'subnet-b', 2],
    ]);
    expect(input.TargetCapacitySpecification).toEqual({
      TotalTargetCapacity: 4,
      OnDemandTargetCapacity: 0,
      SpotTargetCapacity: 4,
      DefaultTargetCapacityType: 'spot',
    });
    expect(input.SpotOptions).toEqual({ AllocationStrategy: 'capacity-optimized', InstanceInterruptionBehavior: 'terminate' });
    expect(input.OnDemandOptions).toEqual({ AllocationStrategy: 'lowest-price' });
    expect(input.TagSpecifications.map((spec: any) => spec.ResourceType)).toEqual(['fleet', 'instance', 'volume']);
    for (const spec of input.TagSpecifications) {
      expect(spec.Tags).toEqual(expect.arrayContaining([{ Key: 'hostfactory:request-id', Value: REQUEST_ID }, { Key: 'team', Value: 'hpc' }]));
    }
    expect(input.ValidUntil).toBeUndefined();

    // An instant fleet's instances are machines at once: pending, no host name yet, owned by the fleet.
    const tags = { team: 'hpc', 'hostfactory:template-id': 'Tpl-1', 'hostfactory:provider': 'awsinst', 'hostfactory:request-id': REQUEST_ID };
    const launched = (machineId: string, instanceType: string, weight: number) => ({
      machineId,
      name: '',
      status: 'pending',
      privateIpAddress: null,
      publicIpAddress: null,
      launchTime: NOW / 1000,
      instanceType,
      priceType: 'spot',
      weight,
      instanceTags: tags,
      cloudHostId: null,
      resourceId: 'fleet-1',
      region: 'us-east-1',
    });
    expect(result.machines).toEqual([launched('i-1', 'm5.xlarge', 1), launched('i-2', 'm5.xlarge', 1), launched('i-3', 'm5.2xlarge', 2)]);
    expect(result.providerData).toMatchObject({ api: 'EC2Fleet', fleetType: 'instant', fleetId: 'fleet-1', instanceIds: ['i-1', 'i-2', 'i-3'] });
    expect(result.message).toBeUndefined();
  });

  it('reports an instant fleet that came back short with the AWS errors', async () => {
    ec2Mock.on(CreateFleetCommand).resolves({
      FleetId: 'fleet-1',
      Instances: [{ InstanceIds: ['i-1'], InstanceType: 'm5.2xlarge' }],
      Errors: [{ ErrorCode: 'InsufficientInstanceCapacity', ErrorMessage: 'There is no Spot capacity available that matches your request.' }],
    });
    const { provider } = makeProvider();
    const result = await provider.launch({ requestId: REQUEST_ID, template: spotTemplate, units: 4 });
    expect(result.message).toBe('launched 2 of 4 units; InsufficientInstanceCapacity: There is no Spot capacity available that matches your request.');
    expect(result.providerData.launchMessage).toBe(result.message);
  });

  it('throws when an instant fleet launches nothing, with the AWS error code', async () => {
    ec2Mock.on(CreateFleetCommand).resolves({
      FleetId: 'fleet-1',
      Instances: [],
      Errors: [{ ErrorCode: 'InsufficientInstanceCapacity', ErrorMessage: 'no capacity' }],
    });
    const { provider } = makeProvider();
    await expect(provider.launch({ requestId: REQUEST_ID, template: spotTemplate, units: 4 })).rejects.toMatchObject({
      code: 'INSUFFICIENT_CAPACITY',
      message: expect.stringContaining('InsufficientInstanceCapacity'),
    });
  });

  it('throws INVALID_INPUT when an instant fleet launches nothing and one pool failed for a reason other than capacity', async () => {
    ec2Mock.on(CreateFleetCommand).resolves({
      FleetId: 'fleet-1',
      Instances: [],
      Errors: [
        { ErrorCode: 'InsufficientInstanceCapacity', ErrorMessage: 'no m5.xlarge' },
        { ErrorCode: 'InvalidParameterValue', ErrorMessage: 'm5a.xlarge is not supported in us-east-1e' },
        { ErrorCode: 'VcpuLimitExceeded', ErrorMessage: 'vCPU limit' },
      ],
    });
    const { provider } = makeProvider();
    const launch = provider.launch({ requestId: REQUEST_ID, template: spotTemplate, units: 4 });
    await expect(launch).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('InvalidParameterValue') });
    // Every pool's reason is kept in the message.
    await expect(launch).rejects.toMatchObject({ message: expect.stringContaining('no m5.xlarge') });
  });

  it('throws INSUFFICIENT_CAPACITY when every pool of an instant fleet failed for capacity or quota', async () => {
    ec2Mock.on(CreateFleetCommand).resolves({
      FleetId: 'fleet-1',
      Errors: [
        { ErrorCode: 'InsufficientInstanceCapacity', ErrorMessage: 'no m5.xlarge' },
        { ErrorCode: 'VcpuLimitExceeded', ErrorMessage: 'vCPU limit' },
      ],
    });
    const { provider } = makeProvider();
    await expect(provider.launch({ requestId: REQUEST_ID, template: spotTemplate, units: 4 })).rejects.toMatchObject({
      code: 'INSUFFICIENT_CAPACITY',
      message: expect.stringMatching(/InsufficientInstanceCapacity.*VcpuLimitExceeded/),
    });
  });

  it('sends a heterogeneous maintain fleet with percentOnDemand, vmTypesOnDemand first, and no ValidUntil: it maintains until returned', async () => {
    ec2Mock.on(CreateFleetCommand).resolves({ FleetId: 'fleet-2' });
    const { provider } = makeProvider();
    const template = anAwsTemplate({
      priceType: 'heterogeneous',
      providerApi: 'EC2Fleet',
      fleetType: 'maintain',
      vmType: undefined,
      vmTypes: { 'r5a.2xlarge': 1, 'r6i.2xlarge': 1 },
      vmTypesOnDemand: { 'r5.2xlarge': 1 },
      percentOnDemand: 20,
      spotFleetRequestExpiry: 45,
      maxSpotPrice: 0.2,
      poolsCount: 3,
      allocationStrategy: 'lowestPrice',
    });
    const result = await provider.launch({ requestId: REQUEST_ID, template, units: 10 });
    const input = inputsOf(ec2Mock, CreateFleetCommand)[0];
    expect(input.Type).toBe('maintain');
    expect(input.TargetCapacitySpecification).toEqual({ TotalTargetCapacity: 10, OnDemandTargetCapacity: 2, SpotTargetCapacity: 8, DefaultTargetCapacityType: 'spot' });
    expect(input.OnDemandOptions).toEqual({ AllocationStrategy: 'prioritized' });
    expect(input.SpotOptions).toEqual({ AllocationStrategy: 'lowest-price', InstanceInterruptionBehavior: 'terminate', InstancePoolsToUseCount: 3 });
    const overrides = input.LaunchTemplateConfigs[0].Overrides;
    const priorityOf = (type: string) => overrides.find((o: any) => o.InstanceType === type).Priority;
    expect(priorityOf('r5.2xlarge')).toBeLessThan(priorityOf('r5a.2xlarge'));
    expect(priorityOf('r5.2xlarge')).toBeLessThan(priorityOf('r6i.2xlarge'));
    expect(overrides.every((o: any) => o.MaxPrice === '0.2')).toBe(true);
    expect(input.ValidUntil).toBeUndefined();
    expect(input.TerminateInstancesWithExpiration).toBe(false);
    expect(input.ExcessCapacityTerminationPolicy).toBe('no-termination');
    expect(input.TagSpecifications.map((spec: any) => spec.ResourceType)).toEqual(['fleet']);
    expect(result.providerData).toMatchObject({ api: 'EC2Fleet', fleetType: 'maintain', fleetId: 'fleet-2', validUntil: NOW + 45 * 60_000 });
    expect(result.providerData.instanceIds).toBeUndefined();
  });

  it('sends an on-demand request fleet with on-demand as the default capacity type', async () => {
    ec2Mock.on(CreateFleetCommand).resolves({ FleetId: 'fleet-3' });
    const { provider } = makeProvider();
    await provider.launch({ requestId: REQUEST_ID, template: anAwsTemplate({ providerApi: 'EC2Fleet', fleetType: 'request' }), units: 3 });
    const input = inputsOf(ec2Mock, CreateFleetCommand)[0];
    expect(input.Type).toBe('request');
    expect(input.TargetCapacitySpecification).toEqual({ TotalTargetCapacity: 3, OnDemandTargetCapacity: 3, SpotTargetCapacity: 0, DefaultTargetCapacityType: 'on-demand' });
    expect(input.LaunchTemplateConfigs[0].Overrides).toEqual([{ InstanceType: 'm5.large', SubnetId: 'subnet-a', WeightedCapacity: 1, Priority: 0 }]);
  });

  it.each<[AllocationStrategy, string]>([
    ['lowestPrice', 'lowest-price'],
    ['diversified', 'diversified'],
    ['capacityOptimized', 'capacity-optimized'],
    ['capacityOptimizedPrioritized', 'capacity-optimized-prioritized'],
    ['priceCapacityOptimized', 'price-capacity-optimized'],
  ])('spells allocationStrategy %s as %s', async (strategy, spelled) => {
    ec2Mock.on(CreateFleetCommand).resolves({ FleetId: 'fleet-1', Instances: [{ InstanceIds: ['i-1'], InstanceType: 'm5.large' }] });
    const { provider } = makeProvider();
    await provider.launch({ requestId: REQUEST_ID, template: anAwsTemplate({ ...spotTemplate, allocationStrategy: strategy }), units: 1 });
    expect(inputsOf(ec2Mock, CreateFleetCommand)[0].SpotOptions.AllocationStrategy).toBe(spelled);
  });

  it('always sends a spot strategy: price-capacity-optimized when the template has none', async () => {
    ec2Mock.on(CreateFleetCommand).resolves({ FleetId: 'fleet-1', Instances: [{ InstanceIds: ['i-1'], InstanceType: 'm5.large' }] });
    const { provider } = makeProvider();
    await provider.launch({ requestId: REQUEST_ID, template: anAwsTemplate({ ...spotTemplate, allocationStrategy: undefined }), units: 1 });
    expect(inputsOf(ec2Mock, CreateFleetCommand)[0].SpotOptions.AllocationStrategy).toBe('price-capacity-optimized');
  });

  it('picks an EC2 instant fleet for a spot template without providerApi or fleetRole', async () => {
    ec2Mock.on(CreateFleetCommand).resolves({ FleetId: 'fleet-1', Instances: [{ InstanceIds: ['i-1'], InstanceType: 'm5.large' }] });
    const { provider } = makeProvider();
    const result = await provider.launch({ requestId: REQUEST_ID, template: anAwsTemplate({ priceType: 'spot' }), units: 1 });
    expect(result.providerData).toMatchObject({ api: 'EC2Fleet', fleetType: 'instant' });
  });

  it('makes the launch template again when it was deleted under us, then launches once', async () => {
    ec2Mock.on(DescribeLaunchTemplatesCommand).resolvesOnce({ LaunchTemplates: [{ LaunchTemplateId: 'lt-old' }] }).rejects(awsError('InvalidLaunchTemplateName.NotFoundException'));
    ec2Mock.on(CreateLaunchTemplateCommand).resolves({ LaunchTemplate: { LaunchTemplateId: 'lt-new' } });
    ec2Mock
      .on(CreateFleetCommand)
      .rejectsOnce(awsError('InvalidLaunchTemplateId.NotFound', 'The specified launch template, with template ID lt-old, does not exist.'))
      .resolves({ FleetId: 'fleet-1', Instances: [{ InstanceIds: ['i-1'], InstanceType: 'm5.large' }] });
    const { provider } = makeProvider();
    const result = await provider.launch({ requestId: REQUEST_ID, template: spotTemplate, units: 1 });
    expect(inputsOf(ec2Mock, CreateFleetCommand).map((input) => input.LaunchTemplateConfigs[0].LaunchTemplateSpecification.LaunchTemplateId)).toEqual(['lt-old', 'lt-new']);
    expect(result.providerData.launchTemplateId).toBe('lt-new');
  });
});
