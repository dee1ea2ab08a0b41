import { beforeEach, describe, expect, it } from 'vitest';
import {
  CreateAutoScalingGroupCommand,
  DeleteAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  SuspendProcessesCommand,
  UpdateAutoScalingGroupCommand,
  type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import { DescribeFleetsCommand, DescribeInstancesCommand, DescribeLaunchTemplatesCommand, DescribeSpotFleetRequestsCommand } from '@aws-sdk/client-ec2';
import type { AllocationStrategy } from '../../../../src/domain/template.js';
import type { TrackedRequest } from '../../../../src/domain/ports/cloud-provider.js';
import { asgMock, awsError, ec2Mock, inputsOf, instance, makeProvider, NOW, REQUEST_ID, resetMocks } from './aws-test-kit.js';
import { anAwsRequest, anAwsTemplate } from '../../../support/mothers.js';

const GROUP = `hostfactory-${REQUEST_ID}`;

const asgTemplate = anAwsTemplate({
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
    asgMock.on(SuspendProcessesCommand).resolves({});
    asgMock.on(UpdateAutoScalingGroupCommand).resolves({});
    asgMock.on(DeleteAutoScalingGroupCommand).resolves({});
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
    await provider.launch({ requestId: REQUEST_ID, template: anAwsTemplate({ ...asgTemplate, allocationStrategy: strategy, poolsCount: strategy === 'lowestPrice' ? 4 : undefined }), units: 2 });
    const distribution = inputsOf(asgMock, CreateAutoScalingGroupCommand)[0].MixedInstancesPolicy.InstancesDistribution;
    expect(distribution.SpotAllocationStrategy).toBe(spelled);
    expect(distribution.SpotInstancePools).toBe(pools);
  });

  it('sends an all on-demand group for an ondemand template', async () => {
    const { provider } = makeProvider();
    await provider.launch({ requestId: REQUEST_ID, template: anAwsTemplate({ providerApi: 'ASG' }), units: 2 });
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
    const tracked: TrackedRequest = { request: anAwsRequest({ api: 'ASG', asgName: GROUP, units: 4, validUntil: NOW + 60_000 }), template: asgTemplate, machines: [] };
    const report = (await provider.describeRequests([tracked])).get(REQUEST_ID)!;
    expect(inputsOf(asgMock, DescribeAutoScalingGroupsCommand)[0].AutoScalingGroupNames).toEqual([GROUP]);
    expect(report.final).toBe(false);
    expect(report.machines.map((machine) => [machine.machineId, machine.weight, machine.resourceId])).toEqual([
      ['i-1', 2, GROUP],
      ['i-2', 1, GROUP],
    ]);
  });

  it('gives up on a short group at its expiry: Launch suspended, desired capacity set to what runs, failed activity as the message', async () => {
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group([['i-1', 'InService']])] });
    asgMock.on(DescribeScalingActivitiesCommand).resolves({
      Activities: [
        { ActivityId: 'a', AutoScalingGroupName: GROUP, Cause: '', StartTime: new Date(), StatusCode: 'Failed', StatusMessage: 'We currently do not have sufficient c5.large capacity in the Availability Zone you requested' },
        { ActivityId: 'b', AutoScalingGroupName: GROUP, Cause: '', StartTime: new Date(), StatusCode: 'Successful' },
      ],
    });
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [instance({ id: 'i-1' })] }] });
    const { provider } = makeProvider();
    const tracked: TrackedRequest = { request: anAwsRequest({ api: 'ASG', asgName: GROUP, units: 4, validUntil: NOW - 1 }), template: asgTemplate, machines: [] };
    const report = (await provider.describeRequests([tracked])).get(REQUEST_ID)!;
    expect(report.final).toBe(true);
    expect(report.message).toContain('reached 1 of 4 units');
    expect(report.message).toContain('sufficient c5.large capacity');
    expect(inputsOf(asgMock, SuspendProcessesCommand)).toEqual([{ AutoScalingGroupName: GROUP, ScalingProcesses: ['Launch', 'AZRebalance'] }]);
    expect(inputsOf(asgMock, UpdateAutoScalingGroupCommand)).toEqual([{ AutoScalingGroupName: GROUP, DesiredCapacity: 1, MinSize: 0, MaxSize: 1 }]);
    expect(asgMock.commandCalls(DeleteAutoScalingGroupCommand)).toHaveLength(0);
    expect(report.providerData).toMatchObject({ final: true, processesSuspended: true, finalMessage: report.message });
  });

  it('deletes a group that reaches its expiry with no member', async () => {
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group([['i-old', 'Terminated']])] });
    asgMock.on(DescribeScalingActivitiesCommand).resolves({ Activities: [] });
    const { provider } = makeProvider();
    const tracked: TrackedRequest = { request: anAwsRequest({ api: 'ASG', asgName: GROUP, units: 4, validUntil: NOW - 1 }), template: asgTemplate, machines: [] };
    const report = (await provider.describeRequests([tracked])).get(REQUEST_ID)!;
    expect(report).toMatchObject({ final: true, machines: [], message: `Auto Scaling group ${GROUP} reached 0 of 4 units by its expiry` });
    expect(inputsOf(asgMock, SuspendProcessesCommand)).toHaveLength(1);
    expect(inputsOf(asgMock, DeleteAutoScalingGroupCommand)).toEqual([{ AutoScalingGroupName: GROUP, ForceDelete: true }]);
    expect(asgMock.commandCalls(UpdateAutoScalingGroupCommand)).toHaveLength(0);
  });

  it('suspends Launch and AZRebalance once, when the group reaches its units, and reports the request final', async () => {
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group([['i-1', 'InService', '2'], ['i-2', 'Pending']])] });
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [instance({ id: 'i-1', InstanceType: 'c5.xlarge' }), instance({ id: 'i-2', InstanceType: 'c5.large' })] }] });
    const { provider } = makeProvider();
    const tracked: TrackedRequest = { request: anAwsRequest({ api: 'ASG', asgName: GROUP, units: 3, validUntil: NOW + 60_000 }), template: asgTemplate, machines: [] };
    const report = (await provider.describeRequests([tracked])).get(REQUEST_ID)!;
    expect(report.final).toBe(true);
    expect(report.message).toBeUndefined();
    expect(inputsOf(asgMock, SuspendProcessesCommand)).toEqual([{ AutoScalingGroupName: GROUP, ScalingProcesses: ['Launch', 'AZRebalance'] }]);
    expect(report.providerData).toMatchObject({ final: true, processesSuspended: true });

    asgMock.resetHistory();
    const again = (await provider.describeRequests([{ ...tracked, request: { ...tracked.request, providerData: report.providerData! } }])).get(REQUEST_ID)!;
    expect(again.final).toBe(true);
    expect(again.machines).toHaveLength(2);
    expect(asgMock.commandCalls(SuspendProcessesCommand)).toHaveLength(0);
  });

  it('keeps a request running while its group is not visible yet (eventual consistency)', async () => {
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    const { provider } = makeProvider();
    const data = { api: 'ASG', asgName: GROUP, units: 4, validUntil: NOW + 60_000 };
    const report = (await provider.describeRequests([{ request: anAwsRequest(data, { createdAt: NOW - 170_000 }), template: asgTemplate, machines: [] }])).get(REQUEST_ID)!;
    expect(report).toMatchObject({ final: false, message: `Auto Scaling group ${GROUP} not visible yet (eventual consistency)` });
    expect(report.providerData).toBeUndefined();
  });

  it('reports a group that no longer exists final once the request is older than the pending timeout', async () => {
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    const { provider } = makeProvider();
    const data = { api: 'ASG', asgName: GROUP, units: 4, validUntil: NOW + 60_000 };
    const report = (await provider.describeRequests([{ request: anAwsRequest(data, { createdAt: NOW - 181_000 }), template: asgTemplate, machines: [] }])).get(REQUEST_ID)!;
    const message = `Auto Scaling group ${GROUP} no longer exists`;
    expect(report).toMatchObject({ final: true, message, providerData: { final: true, finalMessage: message } });
  });
});
