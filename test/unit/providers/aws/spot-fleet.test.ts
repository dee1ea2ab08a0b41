import { beforeEach, describe, expect, it } from 'vitest';
import {
  CancelSpotFleetRequestsCommand,
  DescribeFleetsCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeSpotFleetInstancesCommand,
  DescribeSpotFleetRequestHistoryCommand,
  DescribeSpotFleetRequestsCommand,
  ModifySpotFleetRequestCommand,
  RequestSpotFleetCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  type SpotFleetRequestConfig,
} from '@aws-sdk/client-ec2';
import type { AllocationStrategy } from '../../../../src/domain/template.js';
import type { TrackedRequest } from '../../../../src/domain/ports/cloud-provider.js';
import { awsError, ec2Mock, inputsOf, instance, makeProvider, NOW, REQUEST_ID, resetMocks } from './aws-test-kit.js';
import { anAwsMachine, anAwsRequest, anAwsTemplate } from '../../../support/mothers.js';

const ROLE = 'arn:aws:iam::123456789012:role/aws-ec2-spot-fleet-tagging-role';

const spotTemplate = anAwsTemplate({
  priceType: 'spot',
  subnetIds: ['subnet-a', 'subnet-b'],
  vmType: undefined,
  vmTypes: { 'm5.xlarge': 1, 'm5.2xlarge': 2 },
  allocationStrategy: 'capacityOptimized',
  fleetRole: ROLE,
  spotFleetRequestExpiry: 30,
});

const spotFleet = (id: string, state: string, target: number, fulfilled: number, extra: Partial<SpotFleetRequestConfig> = {}, type: 'request' | 'maintain' = 'request'): SpotFleetRequestConfig => ({
  SpotFleetRequestId: id,
  SpotFleetRequestState: state as never,
  SpotFleetRequestConfig: { IamFleetRole: ROLE, Type: type, TargetCapacity: target, FulfilledCapacity: fulfilled, OnDemandTargetCapacity: 0 },
  ...extra,
});
const active = (...ids: string[]) => ({ ActiveInstances: ids.map((InstanceId) => ({ InstanceId, InstanceType: 'm5.2xlarge' as const })) });

describe('Spot Fleet', () => {
  beforeEach(() => {
    resetMocks();
    ec2Mock.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [{ LaunchTemplateId: 'lt-ours' }] });
    ec2Mock.on(RequestSpotFleetCommand).resolves({ SpotFleetRequestId: 'sfr-1' });
    ec2Mock.on(TerminateInstancesCommand).resolves({});
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    ec2Mock.on(DescribeFleetsCommand).resolves({ Fleets: [] });
  });

  it('is the default for a spot template with a fleetRole: a request fleet with overrides, weights, role, expiry and tags', async () => {
    const { provider } = makeProvider();
    const result = await provider.launch({ requestId: REQUEST_ID, template: spotTemplate, units: 6 });
    const config = inputsOf(ec2Mock, RequestSpotFleetCommand)[0].SpotFleetRequestConfig;
    expect(config).toMatchObject({
      ClientToken: REQUEST_ID,
      IamFleetRole: ROLE,
      Type: 'request',
      TargetCapacity: 6,
      OnDemandTargetCapacity: 0,
      AllocationStrategy: 'capacityOptimized',
      OnDemandAllocationStrategy: 'lowestPrice',
      ValidUntil: new Date(NOW + 30 * 60_000),
      TerminateInstancesWithExpiration: false,
    });
    expect(config.ExcessCapacityTerminationPolicy).toBeUndefined();
    expect(config.LaunchTemplateConfigs[0].LaunchTemplateSpecification).toEqual({ LaunchTemplateId: 'lt-ours', Version: '$Default' });
    expect(config.LaunchTemplateConfigs[0].Overrides.map((o: any) => [o.InstanceType, o.SubnetId, o.WeightedCapacity])).toEqual([
      ['m5.xlarge', 'subnet-a', 1],
      ['m5.xlarge', 'subnet-b', 1],
      ['m5.2xlarge', 'subnet-a', 2],
      ['m5.2xlarge', 'subnet-b', 2],
    ]);
    expect(config.TagSpecifications[0].ResourceType).toBe('spot-fleet-request');
    expect(config.TagSpecifications[0].Tags).toEqual(expect.arrayContaining([{ Key: 'hostfactory:request-id', Value: REQUEST_ID }, { Key: 'hostfactory:template-id', Value: 'Tpl-1' }]));
    expect(result.providerData).toMatchObject({ api: 'SpotFleet', fleetType: 'request', spotFleetRequestId: 'sfr-1', validUntil: NOW + 30 * 60_000 });
  });

  it('sends a heterogeneous maintain fleet with on-demand units, max price per unit and pools', async () => {
    const { provider } = makeProvider();
    const template = anAwsTemplate({
      ...spotTemplate,
      priceType: 'heterogeneous',
      fleetType: 'maintain',
      providerApi: 'SpotFleet',
      percentOnDemand: 25,
      vmTypesOnDemand: { 'm5.xlarge': 1 },
      allocationStrategy: 'lowestPrice',
      allocationStrategyOnDemand: 'prioritized',
      poolsCount: 2,
      maxSpotPrice: 0.07,
    });
    await provider.launch({ requestId: REQUEST_ID, template, units: 8 });
    const config = inputsOf(ec2Mock, RequestSpotFleetCommand)[0].SpotFleetRequestConfig;
    expect(config).toMatchObject({
      Type: 'maintain',
      TargetCapacity: 8,
      OnDemandTargetCapacity: 2,
      AllocationStrategy: 'lowestPrice',
      OnDemandAllocationStrategy: 'prioritized',
      InstancePoolsToUseCount: 2,
      SpotPrice: '0.07',
      ExcessCapacityTerminationPolicy: 'noTermination',
    });
  });

  it.each<[AllocationStrategy]>([['lowestPrice'], ['diversified'], ['capacityOptimized'], ['capacityOptimizedPrioritized'], ['priceCapacityOptimized']])(
    'sends allocationStrategy %s in Spot Fleet spelling',
    async (strategy) => {
      const { provider } = makeProvider();
      await provider.launch({ requestId: REQUEST_ID, template: anAwsTemplate({ ...spotTemplate, allocationStrategy: strategy }), units: 1 });
      expect(inputsOf(ec2Mock, RequestSpotFleetCommand)[0].SpotFleetRequestConfig.AllocationStrategy).toBe(strategy);
    },
  );

  it('refuses providerApi SpotFleet without a fleetRole', async () => {
    const { provider } = makeProvider();
    await expect(
      provider.launch({ requestId: REQUEST_ID, template: anAwsTemplate({ ...spotTemplate, providerApi: 'SpotFleet', fleetRole: undefined }), units: 1 }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('fleetRole') });
    expect(ec2Mock.commandCalls(RequestSpotFleetCommand)).toHaveLength(0);
  });

  it('lists an active fleet instances and keeps it running while it fills', async () => {
    ec2Mock.on(DescribeSpotFleetRequestsCommand).resolves({ SpotFleetRequestConfigs: [spotFleet('sfr-1', 'active', 4, 2)] });
    ec2Mock.on(DescribeSpotFleetInstancesCommand).resolves({ ActiveInstances: [{ InstanceId: 'i-1', InstanceType: 'm5.2xlarge' }] });
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [instance({ id: 'i-1', InstanceType: 'm5.2xlarge', InstanceLifecycle: 'spot' })] }] });
    const { provider } = makeProvider();
    const tracked: TrackedRequest = { request: anAwsRequest({ api: 'SpotFleet', fleetType: 'request', spotFleetRequestId: 'sfr-1', validUntil: NOW + 60_000 }), template: spotTemplate, machines: [] };
    const report = (await provider.describeRequests([tracked])).get(REQUEST_ID)!;
    expect(report.final).toBe(false);
    expect(report.machines[0]).toMatchObject({ machineId: 'i-1', weight: 2, priceType: 'spot', resourceId: 'sfr-1' });
  });

  it('reports an expired, short fleet final with the error history, and cancels it keeping the hosts it launched', async () => {
    ec2Mock.on(DescribeSpotFleetRequestsCommand).resolves({ SpotFleetRequestConfigs: [spotFleet('sfr-1', 'active', 4, 1, { ActivityStatus: 'error' })] });
    ec2Mock.on(DescribeSpotFleetInstancesCommand).resolves({ ActiveInstances: [{ InstanceId: 'i-1', InstanceType: 'm5.xlarge' }] });
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [instance({ id: 'i-1', InstanceType: 'm5.xlarge', InstanceLifecycle: 'spot' })] }] });
    ec2Mock.on(CancelSpotFleetRequestsCommand).resolves({ SuccessfulFleetRequests: [{ SpotFleetRequestId: 'sfr-1' }] });
    ec2Mock.on(DescribeSpotFleetRequestHistoryCommand).resolves({
      HistoryRecords: [{ EventType: 'error', EventInformation: { EventSubType: 'allLaunchSpecsTemporarilyBlacklisted', EventDescription: 'capacity-not-available' } }],
    });
    const { provider } = makeProvider();
    const tracked: TrackedRequest = { request: anAwsRequest({ api: 'SpotFleet', fleetType: 'request', spotFleetRequestId: 'sfr-1', validUntil: NOW - 1 }), template: spotTemplate, machines: [] };
    const report = (await provider.describeRequests([tracked])).get(REQUEST_ID)!;
    expect(report.final).toBe(true);
    expect(report.message).toBe('spot fleet active, expired, in error: allLaunchSpecsTemporarilyBlacklisted: capacity-not-available');
    expect(inputsOf(ec2Mock, DescribeSpotFleetRequestHistoryCommand)).toContainEqual(expect.objectContaining({ SpotFleetRequestId: 'sfr-1', EventType: 'error' }));
    expect(inputsOf(ec2Mock, CancelSpotFleetRequestsCommand)).toEqual([{ SpotFleetRequestIds: ['sfr-1'], TerminateInstances: false }]);
    expect(ec2Mock.commandCalls(TerminateInstancesCommand)).toHaveLength(0);
  });

  it('reports a request fleet final once AWS says it is fulfilled', async () => {
    ec2Mock.on(DescribeSpotFleetRequestsCommand).resolves({ SpotFleetRequestConfigs: [spotFleet('sfr-1', 'active', 2, 2, { ActivityStatus: 'fulfilled' })] });
    ec2Mock.on(DescribeSpotFleetInstancesCommand).resolves({ ActiveInstances: [{ InstanceId: 'i-1' }] });
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [instance({ id: 'i-1', InstanceLifecycle: 'spot' })] }] });
    const { provider } = makeProvider();
    const tracked: TrackedRequest = { request: anAwsRequest({ api: 'SpotFleet', fleetType: 'request', spotFleetRequestId: 'sfr-1', validUntil: NOW + 60_000 }), template: spotTemplate, machines: [] };
    expect((await provider.describeRequests([tracked])).get(REQUEST_ID)!.final).toBe(true);
  });

  it('keeps a fulfilled fleet not final while an instance it lists is not visible in DescribeInstances yet (eventual consistency)', async () => {
    ec2Mock.on(DescribeSpotFleetRequestsCommand).resolves({ SpotFleetRequestConfigs: [spotFleet('sfr-1', 'active', 2, 2, { ActivityStatus: 'fulfilled' })] });
    ec2Mock.on(DescribeSpotFleetInstancesCommand).resolves({ ActiveInstances: [{ InstanceId: 'i-1' }] });
    ec2Mock.on(DescribeInstancesCommand).rejects(awsError('InvalidInstanceID.NotFound', "The instance ID 'i-1' does not exist"));
    const { provider } = makeProvider();
    const tracked: TrackedRequest = { request: anAwsRequest({ api: 'SpotFleet', fleetType: 'request', spotFleetRequestId: 'sfr-1', validUntil: NOW + 60_000 }), template: spotTemplate, machines: [] };
    expect((await provider.describeRequests([tracked])).get(REQUEST_ID)!.final).toBe(false);
  });

  it('describes the other fleets when one fleet id no longer exists, reporting that one gone once past the pending timeout', async () => {
    ec2Mock
      .on(DescribeSpotFleetRequestsCommand, { SpotFleetRequestIds: ['sfr-gone', 'sfr-1'] })
      .rejects(Object.assign(new Error("The spot fleet request ID 'sfr-gone' does not exist"), { name: 'InvalidSpotFleetRequestId.NotFound' }))
      .on(DescribeSpotFleetRequestsCommand, { SpotFleetRequestIds: ['sfr-gone'] })
      .rejects(Object.assign(new Error("The spot fleet request ID 'sfr-gone' does not exist"), { name: 'InvalidSpotFleetRequestId.NotFound' }))
      .on(DescribeSpotFleetRequestsCommand, { SpotFleetRequestIds: ['sfr-1'] })
      .resolves({ SpotFleetRequestConfigs: [spotFleet('sfr-1', 'active', 4, 1)] });
    ec2Mock.on(DescribeSpotFleetInstancesCommand).resolves({ ActiveInstances: [] });
    const { provider } = makeProvider();
    const reports = await provider.describeRequests([
      {
        request: anAwsRequest({ api: 'SpotFleet', fleetType: 'request', spotFleetRequestId: 'sfr-gone', validUntil: NOW + 60_000 }, { requestId: 'req-gone', createdAt: NOW - 181_000 }),
        template: spotTemplate,
        machines: [],
      },
      { request: anAwsRequest({ api: 'SpotFleet', fleetType: 'request', spotFleetRequestId: 'sfr-1', validUntil: NOW + 60_000 }), template: spotTemplate, machines: [] },
    ]);
    expect(reports.get('req-gone')).toMatchObject({ final: true, message: 'spot fleet no longer exists' });
    expect(reports.get(REQUEST_ID)).toMatchObject({ final: false });
  });

  it('reports a failed fleet (for example a bad fleet role) final without listing instances', async () => {
    ec2Mock.on(DescribeSpotFleetRequestsCommand).resolves({ SpotFleetRequestConfigs: [spotFleet('sfr-1', 'failed', 4, 0)] });
    ec2Mock.on(DescribeSpotFleetRequestHistoryCommand).resolves({ HistoryRecords: [{ EventType: 'error', EventInformation: { EventDescription: 'iamFleetRoleInvalid' } }] });
    const { provider } = makeProvider();
    const tracked: TrackedRequest = { request: anAwsRequest({ api: 'SpotFleet', fleetType: 'request', spotFleetRequestId: 'sfr-1', validUntil: NOW + 60_000 }), template: spotTemplate, machines: [] };
    const report = (await provider.describeRequests([tracked])).get(REQUEST_ID)!;
    expect(report).toMatchObject({ final: true, message: 'spot fleet failed: iamFleetRoleInvalid', machines: [] });
    expect(ec2Mock.commandCalls(DescribeSpotFleetInstancesCommand)).toHaveLength(0);
  });

  it('lowers a maintain fleet by the weighted units, then terminates; cancels it when emptied', async () => {
    ec2Mock.on(DescribeSpotFleetRequestsCommand).callsFake((input: { SpotFleetRequestIds: string[] }) => ({
      SpotFleetRequestConfigs: [spotFleet('sfr-keep', 'active', 6, 6, {}, 'maintain'), spotFleet('sfr-empty', 'active', 2, 2, {}, 'maintain')].filter((fleet) =>
        input.SpotFleetRequestIds.includes(fleet.SpotFleetRequestId!),
      ),
    }));
    ec2Mock.on(DescribeSpotFleetInstancesCommand, { SpotFleetRequestId: 'sfr-keep' }).resolves(active('i-1', 'i-3', 'i-4'));
    ec2Mock.on(DescribeSpotFleetInstancesCommand, { SpotFleetRequestId: 'sfr-empty' }).resolves(active('i-2'));
    ec2Mock.on(CancelSpotFleetRequestsCommand).resolves({ SuccessfulFleetRequests: [{ SpotFleetRequestId: 'sfr-empty' }] });
    const { provider } = makeProvider();
    const result = await provider.release(
      [anAwsMachine('i-1', { weight: 2, priceType: 'spot' }), anAwsMachine('i-2', { requestId: 'req-empty', weight: 2, priceType: 'spot' })],
      [
        anAwsRequest({ api: 'SpotFleet', fleetType: 'maintain', spotFleetRequestId: 'sfr-keep', units: 6 }),
        anAwsRequest({ api: 'SpotFleet', fleetType: 'maintain', spotFleetRequestId: 'sfr-empty', units: 2 }, { requestId: 'req-empty' }),
      ],
    );
    expect(result).toEqual({ failed: {} });
    expect(inputsOf(ec2Mock, ModifySpotFleetRequestCommand)).toEqual([
      { SpotFleetRequestId: 'sfr-keep', TargetCapacity: 4, OnDemandTargetCapacity: 0, ExcessCapacityTerminationPolicy: 'noTermination' },
    ]);
    expect(inputsOf(ec2Mock, TerminateInstancesCommand)).toEqual([{ InstanceIds: ['i-1'] }, { InstanceIds: ['i-2'] }]);
    expect(inputsOf(ec2Mock, CancelSpotFleetRequestsCommand)).toEqual([{ SpotFleetRequestIds: ['sfr-empty'], TerminateInstances: true }]);
  });

  it('terminates request fleet machines and cancels the request once none of its instances is left', async () => {
    ec2Mock.on(DescribeSpotFleetRequestsCommand).resolves({ SpotFleetRequestConfigs: [spotFleet('sfr-1', 'active', 1, 1)] });
    ec2Mock.on(DescribeSpotFleetInstancesCommand).resolves({ ActiveInstances: [{ InstanceId: 'i-1' }] });
    ec2Mock.on(CancelSpotFleetRequestsCommand).resolves({});
    const { provider } = makeProvider();
    await provider.release([anAwsMachine('i-1')], [anAwsRequest({ api: 'SpotFleet', fleetType: 'request', spotFleetRequestId: 'sfr-1' })]);
    expect(ec2Mock.commandCalls(ModifySpotFleetRequestCommand)).toHaveLength(0);
    expect(inputsOf(ec2Mock, TerminateInstancesCommand)).toEqual([{ InstanceIds: ['i-1'] }]);
    expect(inputsOf(ec2Mock, CancelSpotFleetRequestsCommand)).toEqual([{ SpotFleetRequestIds: ['sfr-1'], TerminateInstances: true }]);
  });
});

describe('heterogeneous Spot Fleet falling back to on-demand', () => {
  const heterogeneous = anAwsTemplate({
    ...spotTemplate,
    priceType: 'heterogeneous',
    vmTypes: { 'r5a.large': 1, 'r6i.large': 1 },
    vmTypesOnDemand: { 'r5.large': 1 },
  });
  const data = { api: 'SpotFleet', fleetType: 'request', spotFleetRequestId: 'sfr-h', launchTemplateId: 'lt-ours', launchTemplateCreated: true, validUntil: NOW + 60_000 };

  beforeEach(() => {
    resetMocks();
    ec2Mock.on(DescribeSpotFleetRequestsCommand).resolves({ SpotFleetRequestConfigs: [spotFleet('sfr-h', 'active', 5, 2)] });
    ec2Mock.on(DescribeSpotFleetInstancesCommand).resolves({ ActiveInstances: [{ InstanceId: 'i-s1' }, { InstanceId: 'i-s2' }] });
    ec2Mock.on(CancelSpotFleetRequestsCommand).resolves({});
    ec2Mock.on(RunInstancesCommand).callsFake((input: { MaxCount: number }) => ({
      ReservationId: 'r-od',
      Instances: Array.from({ length: input.MaxCount }, (_, n) => instance({ id: `i-od${n}`, InstanceType: 'r5.large' })),
    }));
    ec2Mock.on(DescribeInstancesCommand).callsFake((input: { InstanceIds: string[] }) => ({
      Reservations: [{ Instances: input.InstanceIds.map((id) => instance({ id, InstanceType: 'r5.large' })) }],
    }));
  });

  it('cancels the short fleet near its expiry, keeps its instances and launches the missing units on vmTypesOnDemand', async () => {
    const { provider } = makeProvider();
    const tracked: TrackedRequest = { request: anAwsRequest(data, { machineCount: 5 }), template: heterogeneous, machines: [] };
    const report = (await provider.describeRequests([tracked])).get(REQUEST_ID)!;
    expect(inputsOf(ec2Mock, CancelSpotFleetRequestsCommand)).toEqual([{ SpotFleetRequestIds: ['sfr-h'], TerminateInstances: false }]);
    const run = inputsOf(ec2Mock, RunInstancesCommand);
    expect(run).toHaveLength(1);
    expect(run[0]).toMatchObject({ InstanceType: 'r5.large', MaxCount: 3, ClientToken: `${REQUEST_ID}-od-0` });
    expect(run[0].InstanceMarketOptions).toBeUndefined();
    expect(run[0].TagSpecifications[0].Tags).toContainEqual({ Key: 'hostfactory:request-id', Value: REQUEST_ID });
    expect(report.final).toBe(true);
    expect(report.machines.map((machine) => [machine.machineId, machine.resourceId])).toEqual([
      ['i-s1', 'sfr-h'],
      ['i-s2', 'sfr-h'],
      ['i-od0', 'r-od'],
      ['i-od1', 'r-od'],
      ['i-od2', 'r-od'],
    ]);
    expect(report.providerData).toMatchObject({ final: true, fallbackInstanceIds: ['i-od0', 'i-od1', 'i-od2'] });

    ec2Mock.resetHistory();
    const next = (await provider.describeRequests([{ ...tracked, request: { ...tracked.request, providerData: report.providerData! } }])).get(REQUEST_ID)!;
    expect(ec2Mock.commandCalls(RunInstancesCommand)).toHaveLength(0);
    expect(ec2Mock.commandCalls(DescribeSpotFleetRequestHistoryCommand)).toHaveLength(0);
    expect(next.machines).toHaveLength(5);
  });

  it('ends the request with the reason, keeping the fleet\'s instances, when the on-demand launch fails; no later poll launches it again', async () => {
    ec2Mock.on(RunInstancesCommand).rejects(awsError('InsufficientInstanceCapacity', 'We currently do not have sufficient r5.large capacity.'));
    const { provider, logger } = makeProvider();
    const tracked: TrackedRequest = { request: anAwsRequest(data, { machineCount: 5 }), template: heterogeneous, machines: [] };
    const report = (await provider.describeRequests([tracked])).get(REQUEST_ID)!;
    const reason = 'on-demand fallback for 3 unit(s) failed: InsufficientInstanceCapacity: We currently do not have sufficient r5.large capacity.';
    expect(inputsOf(ec2Mock, CancelSpotFleetRequestsCommand)).toEqual([{ SpotFleetRequestIds: ['sfr-h'], TerminateInstances: false }]);
    expect(ec2Mock.commandCalls(TerminateInstancesCommand)).toHaveLength(0);
    expect(report).toMatchObject({ final: true, message: reason });
    expect(report.machines.map((machine) => [machine.machineId, machine.resourceId])).toEqual([
      ['i-s1', 'sfr-h'],
      ['i-s2', 'sfr-h'],
    ]);
    expect(report.providerData).toMatchObject({ final: true, fallbackInstanceIds: [], finalMessage: reason });
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'heterogeneous fallback failed' }));

    ec2Mock.resetHistory();
    const next = (await provider.describeRequests([{ ...tracked, request: { ...tracked.request, providerData: report.providerData! } }])).get(REQUEST_ID)!;
    expect(ec2Mock.commandCalls(RunInstancesCommand)).toHaveLength(0);
    expect(next).toMatchObject({ final: true, message: reason });
    expect(next.machines).toHaveLength(2);
  });

  it('keeps the request open when the on-demand launch is throttled, and launches with the same token on the next poll', async () => {
    ec2Mock
      .on(RunInstancesCommand)
      .rejectsOnce(awsError('RequestLimitExceeded', 'Request limit exceeded.'))
      .callsFake((input: { MaxCount: number }) => ({
        ReservationId: 'r-od',
        Instances: Array.from({ length: input.MaxCount }, (_, n) => instance({ id: `i-od${n}`, InstanceType: 'r5.large' })),
      }));
    const { provider } = makeProvider();
    const tracked: TrackedRequest = { request: anAwsRequest(data, { machineCount: 5 }), template: heterogeneous, machines: [] };
    const first = (await provider.describeRequests([tracked])).get(REQUEST_ID)!;
    expect(first).toMatchObject({ final: false, message: expect.stringMatching(/RequestLimitExceeded.*retried next poll$/) });
    expect(first.providerData?.fallbackInstanceIds).toBeUndefined();

    const next = (await provider.describeRequests([{ ...tracked, request: { ...tracked.request, providerData: first.providerData ?? data } }])).get(REQUEST_ID)!;
    const tokens = inputsOf(ec2Mock, RunInstancesCommand).map((input) => input.ClientToken);
    expect(tokens).toEqual([`${REQUEST_ID}-od-0`, `${REQUEST_ID}-od-0`]);
    expect(next.final).toBe(true);
    expect(next.machines).toHaveLength(5);
  });

  it('waits while the fleet is far from its expiry', async () => {
    const { provider } = makeProvider();
    const tracked: TrackedRequest = { request: anAwsRequest({ ...data, validUntil: NOW + 600_000 }), template: heterogeneous, machines: [] };
    const report = (await provider.describeRequests([tracked])).get(REQUEST_ID)!;
    expect(report.final).toBe(false);
    expect(ec2Mock.commandCalls(CancelSpotFleetRequestsCommand)).toHaveLength(0);
    expect(ec2Mock.commandCalls(RunInstancesCommand)).toHaveLength(0);
  });
});
