import { beforeEach, describe, expect, it } from 'vitest';
import {
  CreateAutoScalingGroupCommand,
  DeleteAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  UpdateAutoScalingGroupCommand,
  type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import {
  DeleteLaunchTemplateCommand,
  DescribeFleetsCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeSpotFleetRequestsCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import type { AllocationStrategy } from '../../../../src/domain/template.js';
import type { TrackedRequest } from '../../../../src/domain/ports/cloud-provider.js';
import { asgMock, awsError, ec2Mock, inputsOf, instance, makeMachine, makeProvider, makeRequest, makeTemplate, NOW, REQUEST_ID, resetMocks } from './aws-test-kit.js';

const GROUP = `hostfactory-${REQUEST_ID}`;

const asgTemplate = makeTemplate({
  providerApi: 'ASG',
  priceType: 'heterogeneous',
  percentOnDemand: 50,
  subnetIds: ['subnet-a', 'subnet-b'],
  vmType: undefined,
  vmTypes: { 'c5.large': 1, 'c5.xlarge': 2 },
  allocationStrategy: 'capacityOptimized',
  maxSpotPrice: 0.04,
});

const group = (instances: Array<[string, string, string?]>, extra: Partial<AutoScalingGroup> = {}): AutoScalingGroup =>
  ({
    AutoScalingGroupName: GROUP,
    DesiredCapacity: 4,
    MinSize: 0,
    MaxSize: 4,
    Instances: instances.map(([InstanceId, LifecycleState, WeightedCapacity]) => ({ InstanceId, LifecycleState, WeightedCapacity: WeightedCapacity ?? '1' })),
    ...extra,
  }) as AutoScalingGroup;

describe('Auto Scaling groups', () => {
  beforeEach(() => {
    resetMocks();
    ec2Mock.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [{ LaunchTemplateId: 'lt-ours' }] });
    asgMock.on(CreateAutoScalingGroupCommand).resolves({});
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    ec2Mock.on(DescribeFleetsCommand).resolves({ Fleets: [] });
    ec2Mock.on(DescribeSpotFleetRequestsCommand).resolves({ SpotFleetRequestConfigs: [] });
  });

  it('creates a group named after the request, in weighted units, across the subnets, with propagated tags', async () => {
    const { provider } = makeProvider();
    const result = await provider.launch({ requestId: REQUEST_ID, template: asgTemplate, units: 6 });
    const input = inputsOf(asgMock, CreateAutoScalingGroupCommand)[0];
    expect(input).toMatchObject({
      AutoScalingGroupName: GROUP,
      MinSize: 0,
      MaxSize: 6,
      DesiredCapacity: 6,
      DesiredCapacityType: 'units',
      VPCZoneIdentifier: 'subnet-a,subnet-b',
      NewInstancesProtectedFromScaleIn: true,
    });
    expect(input.MixedInstancesPolicy.LaunchTemplate).toEqual({
      LaunchTemplateSpecification: { LaunchTemplateId: 'lt-ours', Version: '$Default' },
      Overrides: [
        { InstanceType: 'c5.large', WeightedCapacity: '1' },
        { InstanceType: 'c5.xlarge', WeightedCapacity: '2' },
      ],
    });
    expect(input.MixedInstancesPolicy.InstancesDistribution).toEqual({
      OnDemandAllocationStrategy: 'lowest-price',
      OnDemandBaseCapacity: 3,
      OnDemandPercentageAboveBaseCapacity: 0,
      SpotAllocationStrategy: 'capacity-optimized',
      SpotMaxPrice: '0.04',
    });
    expect(input.Tags).toContainEqual({ Key: 'hostfactory:request-id', Value: REQUEST_ID, PropagateAtLaunch: true, ResourceId: GROUP, ResourceType: 'auto-scaling-group' });
    expect(input.Tags).toContainEqual(expect.objectContaining({ Key: 'team', Value: 'hpc', PropagateAtLaunch: true }));
    expect(result.providerData).toMatchObject({ api: 'ASG', asgName: GROUP, units: 6, validUntil: NOW + 30 * 60_000 });
  });

  it('treats an existing group of the same request as the same launch', async () => {
    asgMock.on(CreateAutoScalingGroupCommand).rejects(awsError('AlreadyExists', `AutoScalingGroup by this name already exists - ${GROUP}`));
    const { provider } = makeProvider();
    const result = await provider.launch({ requestId: REQUEST_ID, template: asgTemplate, units: 6 });
    expect(result.providerData.asgName).toBe(GROUP);
  });

  it.each<[AllocationStrategy, string, number | undefined]>([
    ['lowestPrice', 'lowest-price', 4],
    ['diversified', 'lowest-price', 4],
    ['capacityOptimized', 'capacity-optimized', undefined],
    ['capacityOptimizedPrioritized', 'capacity-optimized-prioritized', undefined],
    ['priceCapacityOptimized', 'price-capacity-optimized', undefined],
  ])('spells allocationStrategy %s as %s', async (strategy, spelled, pools) => {
    const { provider } = makeProvider();
    await provider.launch({ requestId: REQUEST_ID, template: makeTemplate({ ...asgTemplate, allocationStrategy: strategy, poolsCount: strategy === 'lowestPrice' ? 4 : undefined }), units: 2 });
    const distribution = inputsOf(asgMock, CreateAutoScalingGroupCommand)[0].MixedInstancesPolicy.InstancesDistribution;
    expect(distribution.SpotAllocationStrategy).toBe(spelled);
    expect(distribution.SpotInstancePools).toBe(pools);
  });

  it('sends an all on-demand group for an ondemand template', async () => {
    const { provider } = makeProvider();
    await provider.launch({ requestId: REQUEST_ID, template: makeTemplate({ providerApi: 'ASG' }), units: 2 });
    expect(inputsOf(asgMock, CreateAutoScalingGroupCommand)[0].MixedInstancesPolicy.InstancesDistribution).toMatchObject({
      OnDemandBaseCapacity: 2,
      OnDemandPercentageAboveBaseCapacity: 100,
    });
  });

  it('reports the group instances, leaving out those on their way out', async () => {
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [group([['i-1', 'InService', '2'], ['i-2', 'Pending'], ['i-3', 'Terminating']])],
    });
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [instance({ id: 'i-1', InstanceType: 'c5.xlarge' }), instance({ id: 'i-2', state: 'pending', InstanceType: 'c5.large' })] }] });
    const { provider } = makeProvider();
    const tracked: TrackedRequest = { request: makeRequest({ api: 'ASG', asgName: GROUP, units: 4, validUntil: NOW + 60_000 }), template: asgTemplate, machines: [] };
    const report = (await provider.describeRequests([tracked])).get(REQUEST_ID)!;
    expect(inputsOf(asgMock, DescribeAutoScalingGroupsCommand)[0].AutoScalingGroupNames).toEqual([GROUP]);
    expect(report.final).toBe(false);
    expect(report.machines.map((machine) => [machine.machineId, machine.weight, machine.resourceId])).toEqual([
      ['i-1', 2, GROUP],
      ['i-2', 1, GROUP],
    ]);
  });

  it('gives up on a short group at its expiry: desired capacity set to what runs, failed activity as the message', async () => {
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group([['i-1', 'InService']])] });
    asgMock.on(DescribeScalingActivitiesCommand).resolves({
      Activities: [
        { ActivityId: 'a', AutoScalingGroupName: GROUP, Cause: '', StartTime: new Date(), StatusCode: 'Failed', StatusMessage: 'We currently do not have sufficient c5.large capacity in the Availability Zone you requested' },
        { ActivityId: 'b', AutoScalingGroupName: GROUP, Cause: '', StartTime: new Date(), StatusCode: 'Successful' },
      ],
    });
    asgMock.on(UpdateAutoScalingGroupCommand).resolves({});
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [instance({ id: 'i-1' })] }] });
    const { provider } = makeProvider();
    const tracked: TrackedRequest = { request: makeRequest({ api: 'ASG', asgName: GROUP, units: 4, validUntil: NOW - 1 }), template: asgTemplate, machines: [] };
    const report = (await provider.describeRequests([tracked])).get(REQUEST_ID)!;
    expect(report.final).toBe(true);
    expect(report.message).toContain('reached 1 of 4 units');
    expect(report.message).toContain('sufficient c5.large capacity');
    expect(inputsOf(asgMock, UpdateAutoScalingGroupCommand)).toEqual([{ AutoScalingGroupName: GROUP, DesiredCapacity: 1, MaxSize: 1 }]);
    expect(report.providerData).toMatchObject({ final: true });
  });

  it('reports a deleted group final', async () => {
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    const { provider } = makeProvider();
    const tracked: TrackedRequest = { request: makeRequest({ api: 'ASG', asgName: GROUP, units: 4, validUntil: NOW + 60_000 }), template: asgTemplate, machines: [] };
    const report = (await provider.describeRequests([tracked])).get(REQUEST_ID)!;
    expect(report).toMatchObject({ final: true, message: `Auto Scaling group ${GROUP} no longer exists` });
  });

  it('terminates with the desired capacity decremented, and deletes the group once empty', async () => {
    asgMock.on(TerminateInstanceInAutoScalingGroupCommand).resolves({});
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group([['i-1', 'Terminating'], ['i-2', 'InService']])] });
    asgMock.on(DeleteAutoScalingGroupCommand).resolves({});
    const { provider } = makeProvider();
    await provider.release([makeMachine('i-1'), makeMachine('i-2')], [makeRequest({ api: 'ASG', asgName: GROUP })]);
    expect(inputsOf(asgMock, TerminateInstanceInAutoScalingGroupCommand)).toEqual([
      { InstanceId: 'i-1', ShouldDecrementDesiredCapacity: true },
      { InstanceId: 'i-2', ShouldDecrementDesiredCapacity: true },
    ]);
    expect(inputsOf(asgMock, DeleteAutoScalingGroupCommand)).toEqual([{ AutoScalingGroupName: GROUP, ForceDelete: true }]);
  });

  it('keeps the group while other instances remain, and terminates machines the group no longer holds', async () => {
    asgMock
      .on(TerminateInstanceInAutoScalingGroupCommand, { InstanceId: 'i-detached' })
      .rejects(awsError('ValidationError', 'Instance Id not found - No managed instance found for instance ID: i-detached'))
      .on(TerminateInstanceInAutoScalingGroupCommand, { InstanceId: 'i-1' })
      .resolves({});
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group([['i-1', 'Terminating'], ['i-2', 'InService']])] });
    ec2Mock.on(TerminateInstancesCommand).resolves({});
    const { provider } = makeProvider();
    await provider.release([makeMachine('i-1'), makeMachine('i-detached')], [makeRequest({ api: 'ASG', asgName: GROUP })]);
    expect(inputsOf(ec2Mock, TerminateInstancesCommand)).toEqual([{ InstanceIds: ['i-detached'] }]);
    expect(asgMock.commandCalls(DeleteAutoScalingGroupCommand)).toHaveLength(0);
  });

  it('deletes our launch template once the only group using it is being deleted, not while a live group uses it', async () => {
    const using = (name: string, launchTemplateId: string, extra: Partial<AutoScalingGroup> = {}) =>
      group([], { AutoScalingGroupName: name, MixedInstancesPolicy: { LaunchTemplate: { LaunchTemplateSpecification: { LaunchTemplateId: launchTemplateId } } }, ...extra });
    asgMock.on(TerminateInstanceInAutoScalingGroupCommand).resolves({});
    asgMock.on(DeleteAutoScalingGroupCommand).resolves({});
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [using(GROUP, 'lt-ours', { Status: 'Delete in progress' }), using('hostfactory-req-busy', 'lt-busy')],
    });
    ec2Mock.on(DeleteLaunchTemplateCommand).resolves({});
    const { provider } = makeProvider();
    await provider.release(
      [makeMachine('i-1'), makeMachine('i-2', { requestId: 'req-done' })],
      [
        makeRequest({ api: 'ASG', asgName: GROUP, launchTemplateId: 'lt-ours', launchTemplateCreated: true }),
        makeRequest({ api: 'ASG', asgName: 'hostfactory-req-done', launchTemplateId: 'lt-busy', launchTemplateCreated: true }, { requestId: 'req-done' }),
      ],
    );
    expect(inputsOf(ec2Mock, DeleteLaunchTemplateCommand)).toEqual([{ LaunchTemplateId: 'lt-ours' }]);
  });
});
