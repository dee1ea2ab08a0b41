import { beforeEach, describe, expect, it } from 'vitest';
import {
  DeleteFleetsCommand,
  DeleteLaunchTemplateCommand,
  DescribeFleetInstancesCommand,
  DescribeFleetsCommand,
  DescribeInstancesCommand,
  DescribeSpotFleetRequestsCommand,
  ModifyFleetCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { awsError, ec2Mock, inputsOf, instance, makeProvider, NOW, REQUEST_ID, resetMocks } from './aws-test-kit.js';
import { anAwsMachine, anAwsRequest } from '../../../support/mothers.js';

const fleet = (id: string, target: number, fulfilled: number, onDemand = 0, type: 'maintain' | 'request' = 'maintain') => ({
  FleetId: id,
  FleetState: 'active' as const,
  Type: type,
  FulfilledCapacity: fulfilled,
  TargetCapacitySpecification: { TotalTargetCapacity: target, OnDemandTargetCapacity: onDemand, DefaultTargetCapacityType: 'spot' as const },
});

const active = (...ids: string[]) => ({ ActiveInstances: ids.map((InstanceId) => ({ InstanceId, InstanceType: 'm5.large' as const })) });
const OLD = Math.floor((NOW - 3_600_000) / 1000);

describe('releasing RunInstances and EC2 Fleet machines', () => {
  beforeEach(() => {
    resetMocks();
    ec2Mock.on(TerminateInstancesCommand).resolves({});
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    ec2Mock.on(DescribeFleetsCommand).resolves({ Fleets: [] });
    ec2Mock.on(DescribeSpotFleetRequestsCommand).resolves({ SpotFleetRequestConfigs: [] });
  });

  it('terminates RunInstances machines and counts instances long gone from EC2 as released', async () => {
    ec2Mock
      .on(TerminateInstancesCommand, { InstanceIds: ['i-1', 'i-gone', 'i-2'] })
      .rejects(awsError('InvalidInstanceID.NotFound', "The instance ID 'i-gone' does not exist"))
      .on(TerminateInstancesCommand, { InstanceIds: ['i-1', 'i-2'] })
      .resolves({});
    const { provider } = makeProvider();
    const owner = anAwsRequest({ api: 'RunInstances', reservationIds: ['r-1'], launchTemplateId: 'lt-admin', launchTemplateCreated: false });
    const result = await provider.release([anAwsMachine('i-1'), anAwsMachine('i-gone', { launchTime: OLD }), anAwsMachine('i-2')], [owner]);
    expect(result).toEqual({ failed: {} });
    expect(inputsOf(ec2Mock, TerminateInstancesCommand).map((input) => input.InstanceIds)).toEqual([
      ['i-1', 'i-gone', 'i-2'],
      ['i-1', 'i-2'],
    ]);
    // The unknown id is looked up again before it counts as gone.
    expect(inputsOf(ec2Mock, DescribeInstancesCommand)).toEqual([{ InstanceIds: ['i-gone'] }]);
    expect(ec2Mock.commandCalls(DeleteLaunchTemplateCommand)).toHaveLength(0);
  });

  it('re-checks ids TerminateInstances does not know: terminates the ones now visible, returns young unknown ones as failed', async () => {
    ec2Mock
      .on(TerminateInstancesCommand, { InstanceIds: ['i-1', 'i-young', 'i-late'] })
      .rejects(awsError('InvalidInstanceID.NotFound', "The instance IDs 'i-young, i-late' do not exist"))
      .on(TerminateInstancesCommand, { InstanceIds: ['i-1'] })
      .resolves({})
      .on(TerminateInstancesCommand, { InstanceIds: ['i-late'] })
      .resolves({});
    ec2Mock.on(DescribeInstancesCommand, { InstanceIds: ['i-young', 'i-late'] }).resolves({ Reservations: [{ Instances: [instance({ id: 'i-late', state: 'pending' })] }] });
    const { provider } = makeProvider();
    const result = await provider.release([anAwsMachine('i-1'), anAwsMachine('i-young'), anAwsMachine('i-late')], [anAwsRequest({ api: 'RunInstances' })]);
    expect(inputsOf(ec2Mock, TerminateInstancesCommand).map((input) => input.InstanceIds)).toEqual([['i-1', 'i-young', 'i-late'], ['i-1'], ['i-late']]);
    expect(result).toEqual({ failed: { 'i-young': expect.stringContaining('not visible in EC2 yet') } });
  });

  it('terminates instant fleet machines without touching the fleet', async () => {
    const { provider } = makeProvider();
    const owner = anAwsRequest({ api: 'EC2Fleet', fleetType: 'instant', fleetId: 'fleet-i' });
    await provider.release([anAwsMachine('i-1', { resourceId: 'fleet-i' })], [owner]);
    expect(inputsOf(ec2Mock, TerminateInstancesCommand)).toEqual([{ InstanceIds: ['i-1'] }]);
    expect(ec2Mock.commandCalls(ModifyFleetCommand)).toHaveLength(0);
    expect(ec2Mock.commandCalls(DeleteFleetsCommand)).toHaveLength(0);
  });

  it('lowers a maintain fleet by the weighted units returned before terminating, so nothing is replaced', async () => {
    ec2Mock.on(DescribeFleetsCommand, { FleetIds: ['fleet-m'] }).resolves({ Fleets: [fleet('fleet-m', 10, 10, 2)] });
    ec2Mock.on(DescribeFleetInstancesCommand, { FleetId: 'fleet-m' }).resolves(active('i-1', 'i-2', 'i-3'));
    const { provider } = makeProvider();
    const owner = anAwsRequest({ api: 'EC2Fleet', fleetType: 'maintain', fleetId: 'fleet-m', units: 10, onDemandUnits: 2 });
    await provider.release([anAwsMachine('i-1', { weight: 2, priceType: 'spot' }), anAwsMachine('i-2', { weight: 1, priceType: 'spot' })], [owner]);
    expect(inputsOf(ec2Mock, ModifyFleetCommand)).toEqual([
      {
        FleetId: 'fleet-m',
        ExcessCapacityTerminationPolicy: 'no-termination',
        TargetCapacitySpecification: { TotalTargetCapacity: 7, OnDemandTargetCapacity: 2, SpotTargetCapacity: 5 },
      },
    ]);
    expect(inputsOf(ec2Mock, TerminateInstancesCommand)).toEqual([{ InstanceIds: ['i-1', 'i-2'] }]);
    const order = ec2Mock.calls().map((call) => call.args[0].constructor.name);
    expect(order.indexOf('ModifyFleetCommand')).toBeLessThan(order.indexOf('TerminateInstancesCommand'));
    expect(ec2Mock.commandCalls(DeleteFleetsCommand)).toHaveLength(0);
  });

  it('lowers a still-filling maintain fleet to what its request asked for less every machine of it returned, gone ones included', async () => {
    ec2Mock.on(DescribeFleetsCommand, { FleetIds: ['fleet-m'] }).resolves({ Fleets: [fleet('fleet-m', 10, 6)] });
    ec2Mock.on(DescribeFleetInstancesCommand, { FleetId: 'fleet-m' }).resolves(active('i-1', 'i-2', 'i-3'));
    const { provider } = makeProvider();
    const owner = anAwsRequest({ api: 'EC2Fleet', fleetType: 'maintain', fleetId: 'fleet-m', units: 10 });
    const earlier = anAwsMachine('i-returned-before', { priceType: 'spot', returnRequestId: 'ret-1', status: 'terminated' });
    await provider.release([anAwsMachine('i-1', { priceType: 'spot' }), anAwsMachine('i-interrupted', { priceType: 'spot' })], [owner], [earlier]);
    expect(inputsOf(ec2Mock, ModifyFleetCommand)[0].TargetCapacitySpecification).toEqual({ TotalTargetCapacity: 7, OnDemandTargetCapacity: 0, SpotTargetCapacity: 7 });
  });

  it('sets a settled short maintain fleet to the units of the tracked hosts it keeps, so it launches nothing more later', async () => {
    ec2Mock.on(DescribeFleetsCommand, { FleetIds: ['fleet-m'] }).resolves({ Fleets: [fleet('fleet-m', 10, 6)] });
    ec2Mock.on(DescribeFleetInstancesCommand, { FleetId: 'fleet-m' }).resolves(active('i-1', 'i-2', 'i-3', 'i-4', 'i-5', 'i-6'));
    const tracked = ['i-1', 'i-2', 'i-3', 'i-4', 'i-5', 'i-6'].map((id) => anAwsMachine(id, { priceType: 'spot' }));
    const { provider } = makeProvider();
    const owner = anAwsRequest({ api: 'EC2Fleet', fleetType: 'maintain', fleetId: 'fleet-m' }, { status: 'complete_with_error' });
    await provider.release(tracked.slice(0, 2), [owner], tracked);
    expect(inputsOf(ec2Mock, ModifyFleetCommand)[0].TargetCapacitySpecification).toEqual({ TotalTargetCapacity: 4, OnDemandTargetCapacity: 0, SpotTargetCapacity: 4 });
    expect(inputsOf(ec2Mock, TerminateInstancesCommand)).toEqual([{ InstanceIds: ['i-1', 'i-2'] }]);
  });

  it('deletes a maintain fleet with its instances once it is emptied, then deletes our unused launch template', async () => {
    ec2Mock.on(DescribeFleetsCommand, { FleetIds: ['fleet-m'] }).resolves({ Fleets: [fleet('fleet-m', 2, 2)] });
    ec2Mock.on(DescribeFleetInstancesCommand, { FleetId: 'fleet-m' }).resolves(active('i-1', 'i-2'));
    ec2Mock.on(DeleteFleetsCommand).resolves({ SuccessfulFleetDeletions: [{ FleetId: 'fleet-m' }] });
    ec2Mock.on(DeleteLaunchTemplateCommand).resolves({});
    const { provider } = makeProvider();
    const owner = anAwsRequest({ api: 'EC2Fleet', fleetType: 'maintain', fleetId: 'fleet-m', units: 2, launchTemplateId: 'lt-ours', launchTemplateCreated: true });
    await provider.release([anAwsMachine('i-1'), anAwsMachine('i-2')], [owner]);
    expect(ec2Mock.commandCalls(ModifyFleetCommand)).toHaveLength(0);
    expect(inputsOf(ec2Mock, DeleteFleetsCommand)).toEqual([{ FleetIds: ['fleet-m'], TerminateInstances: true }]);
    expect(inputsOf(ec2Mock, DescribeInstancesCommand)[0].Filters).toEqual([
      { Name: 'tag:aws:ec2launchtemplate:id', Values: ['lt-ours'] },
      { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
    ]);
    expect(inputsOf(ec2Mock, DeleteLaunchTemplateCommand)).toEqual([{ LaunchTemplateId: 'lt-ours' }]);
  });

  it('keeps our launch template while a live instance or a fleet of its API still uses it', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [{ InstanceId: 'i-other', Tags: [{ Key: 'aws:ec2launchtemplate:id', Value: 'lt-a' }] }] }],
    });
    ec2Mock.on(DescribeFleetsCommand).resolves({
      Fleets: [{ FleetId: 'fleet-x', FleetState: 'active', LaunchTemplateConfigs: [{ LaunchTemplateSpecification: { LaunchTemplateId: 'lt-b' } }] }],
    });
    ec2Mock.on(DeleteLaunchTemplateCommand).resolves({});
    const { provider } = makeProvider();
    await provider.release(
      [anAwsMachine('i-1'), anAwsMachine('i-2', { requestId: 'req-b' }), anAwsMachine('i-3', { requestId: 'req-c' })],
      [
        anAwsRequest({ api: 'RunInstances', launchTemplateId: 'lt-a', launchTemplateCreated: true }),
        anAwsRequest({ api: 'EC2Fleet', fleetType: 'instant', fleetId: 'fleet-b', launchTemplateId: 'lt-b', launchTemplateCreated: true }, { requestId: 'req-b' }),
        anAwsRequest({ api: 'RunInstances', launchTemplateId: 'lt-c', launchTemplateCreated: true }, { requestId: 'req-c' }),
      ],
    );
    expect(inputsOf(ec2Mock, DeleteLaunchTemplateCommand)).toEqual([{ LaunchTemplateId: 'lt-c' }]);
  });

  it('terminates request fleet machines and deletes the fleet once none of its instances is left', async () => {
    ec2Mock.on(DescribeFleetsCommand).callsFake((input: { FleetIds: string[] }) => ({ Fleets: input.FleetIds.map((id) => fleet(id, 2, 2, 0, 'request')) }));
    ec2Mock.on(DescribeFleetInstancesCommand, { FleetId: 'fleet-r' }).resolves({ ActiveInstances: [{ InstanceId: 'i-1' }, { InstanceId: 'i-2' }] });
    ec2Mock.on(DescribeFleetInstancesCommand, { FleetId: 'fleet-busy' }).resolves({ ActiveInstances: [{ InstanceId: 'i-3' }, { InstanceId: 'i-4' }] });
    ec2Mock.on(DeleteFleetsCommand).resolves({});
    const { provider } = makeProvider();
    await provider.release(
      [anAwsMachine('i-1'), anAwsMachine('i-2'), anAwsMachine('i-3', { requestId: 'req-busy' })],
      [
        anAwsRequest({ api: 'EC2Fleet', fleetType: 'request', fleetId: 'fleet-r' }),
        anAwsRequest({ api: 'EC2Fleet', fleetType: 'request', fleetId: 'fleet-busy' }, { requestId: 'req-busy' }),
      ],
    );
    expect(inputsOf(ec2Mock, TerminateInstancesCommand)).toEqual([{ InstanceIds: ['i-1', 'i-2'] }, { InstanceIds: ['i-3'] }]);
    expect(ec2Mock.commandCalls(ModifyFleetCommand)).toHaveLength(0);
    expect(inputsOf(ec2Mock, DeleteFleetsCommand)).toEqual([{ FleetIds: ['fleet-r'], TerminateInstances: true }]);
  });

  it('terminates machines whose request is unknown', async () => {
    const { provider } = makeProvider();
    await provider.release([anAwsMachine('i-orphan', { requestId: 'req-unknown' })], []);
    expect(inputsOf(ec2Mock, TerminateInstancesCommand)).toEqual([{ InstanceIds: ['i-orphan'] }]);
  });

  it('throws ACCESS_DENIED when nothing could be released', async () => {
    ec2Mock.on(TerminateInstancesCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const { provider } = makeProvider();
    await expect(provider.release([anAwsMachine('i-1')], [anAwsRequest({ api: 'RunInstances' })])).rejects.toMatchObject({
      code: 'ACCESS_DENIED',
      message: expect.stringContaining('ec2:TerminateInstances'),
    });
  });

  it('returns the machines it could not release and releases the others', async () => {
    ec2Mock.on(DescribeFleetsCommand, { FleetIds: ['fleet-m'] }).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const { provider } = makeProvider();
    const result = await provider.release(
      [anAwsMachine('i-1'), anAwsMachine('i-2', { requestId: 'req-fleet' })],
      [anAwsRequest({ api: 'RunInstances' }), anAwsRequest({ api: 'EC2Fleet', fleetType: 'maintain', fleetId: 'fleet-m' }, { requestId: 'req-fleet' })],
    );
    expect(result).toEqual({ failed: { 'i-2': expect.stringContaining('UnauthorizedOperation') } });
    expect(inputsOf(ec2Mock, TerminateInstancesCommand)).toEqual([{ InstanceIds: ['i-1'] }]);
  });

  it('gives back nothing twice: a second release of machines EC2 no longer knows resolves with nothing failed', async () => {
    ec2Mock.on(TerminateInstancesCommand).rejects(awsError('InvalidInstanceID.NotFound', "The instance ID 'i-1' does not exist"));
    const { provider } = makeProvider();
    const owner = anAwsRequest({ api: 'RunInstances' }, { requestId: REQUEST_ID });
    await expect(provider.release([anAwsMachine('i-1', { launchTime: OLD })], [owner])).resolves.toEqual({ failed: {} });
  });
});
