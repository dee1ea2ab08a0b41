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
import { awsError, ec2Mock, inputsOf, makeMachine, makeProvider, makeRequest, REQUEST_ID, resetMocks } from './aws-test-kit.js';

const fleet = (id: string, target: number, fulfilled: number, onDemand = 0) => ({
  FleetId: id,
  FleetState: 'active' as const,
  FulfilledCapacity: fulfilled,
  TargetCapacitySpecification: { TotalTargetCapacity: target, OnDemandTargetCapacity: onDemand, DefaultTargetCapacityType: 'spot' as const },
});

describe('releasing RunInstances and EC2 Fleet machines', () => {
  beforeEach(() => {
    resetMocks();
    ec2Mock.on(TerminateInstancesCommand).resolves({});
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    ec2Mock.on(DescribeFleetsCommand).resolves({ Fleets: [] });
    ec2Mock.on(DescribeSpotFleetRequestsCommand).resolves({ SpotFleetRequestConfigs: [] });
  });

  it('terminates RunInstances machines and counts instances already gone as released', async () => {
    ec2Mock
      .on(TerminateInstancesCommand, { InstanceIds: ['i-1', 'i-gone', 'i-2'] })
      .rejects(awsError('InvalidInstanceID.NotFound', "The instance ID 'i-gone' does not exist"))
      .on(TerminateInstancesCommand, { InstanceIds: ['i-1', 'i-2'] })
      .resolves({});
    const { provider } = makeProvider();
    const owner = makeRequest({ api: 'RunInstances', reservationIds: ['r-1'], launchTemplateId: 'lt-admin', launchTemplateCreated: false });
    await provider.release([makeMachine('i-1'), makeMachine('i-gone'), makeMachine('i-2')], [owner]);
    expect(inputsOf(ec2Mock, TerminateInstancesCommand).map((input) => input.InstanceIds)).toEqual([
      ['i-1', 'i-gone', 'i-2'],
      ['i-1', 'i-2'],
    ]);
    expect(ec2Mock.commandCalls(DeleteLaunchTemplateCommand)).toHaveLength(0);
  });

  it('terminates instant fleet machines without touching the fleet', async () => {
    const { provider } = makeProvider();
    const owner = makeRequest({ api: 'EC2Fleet', fleetType: 'instant', fleetId: 'fleet-i' });
    await provider.release([makeMachine('i-1', { resourceId: 'fleet-i' })], [owner]);
    expect(inputsOf(ec2Mock, TerminateInstancesCommand)).toEqual([{ InstanceIds: ['i-1'] }]);
    expect(ec2Mock.commandCalls(ModifyFleetCommand)).toHaveLength(0);
    expect(ec2Mock.commandCalls(DeleteFleetsCommand)).toHaveLength(0);
  });

  it('lowers a maintain fleet by the weighted units returned before terminating, so nothing is replaced', async () => {
    ec2Mock.on(DescribeFleetsCommand, { FleetIds: ['fleet-m'] }).resolves({ Fleets: [fleet('fleet-m', 10, 10, 2)] });
    const { provider } = makeProvider();
    const owner = makeRequest({ api: 'EC2Fleet', fleetType: 'maintain', fleetId: 'fleet-m' });
    await provider.release([makeMachine('i-1', { weight: 2 }), makeMachine('i-2', { weight: 1 })], [owner]);
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

  it('lowers from the fulfilled capacity when the maintain fleet is short, so it does not launch more later', async () => {
    ec2Mock.on(DescribeFleetsCommand, { FleetIds: ['fleet-m'] }).resolves({ Fleets: [fleet('fleet-m', 10, 6)] });
    const { provider } = makeProvider();
    await provider.release([makeMachine('i-1'), makeMachine('i-2')], [makeRequest({ api: 'EC2Fleet', fleetType: 'maintain', fleetId: 'fleet-m' })]);
    expect(inputsOf(ec2Mock, ModifyFleetCommand)[0].TargetCapacitySpecification.TotalTargetCapacity).toBe(4);
  });

  it('deletes a maintain fleet with its instances once it is emptied, then deletes our unused launch template', async () => {
    ec2Mock.on(DescribeFleetsCommand, { FleetIds: ['fleet-m'] }).resolves({ Fleets: [fleet('fleet-m', 2, 2)] });
    ec2Mock.on(DeleteFleetsCommand).resolves({ SuccessfulFleetDeletions: [{ FleetId: 'fleet-m' }] });
    ec2Mock.on(DeleteLaunchTemplateCommand).resolves({});
    const { provider } = makeProvider();
    const owner = makeRequest({ api: 'EC2Fleet', fleetType: 'maintain', fleetId: 'fleet-m', launchTemplateId: 'lt-ours', launchTemplateCreated: true });
    await provider.release([makeMachine('i-1'), makeMachine('i-2')], [owner]);
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
      [makeMachine('i-1'), makeMachine('i-2', { requestId: 'req-b' }), makeMachine('i-3', { requestId: 'req-c' })],
      [
        makeRequest({ api: 'RunInstances', launchTemplateId: 'lt-a', launchTemplateCreated: true }),
        makeRequest({ api: 'EC2Fleet', fleetType: 'instant', fleetId: 'fleet-b', launchTemplateId: 'lt-b', launchTemplateCreated: true }, { requestId: 'req-b' }),
        makeRequest({ api: 'RunInstances', launchTemplateId: 'lt-c', launchTemplateCreated: true }, { requestId: 'req-c' }),
      ],
    );
    expect(inputsOf(ec2Mock, DeleteLaunchTemplateCommand)).toEqual([{ LaunchTemplateId: 'lt-c' }]);
  });

  it('terminates request fleet machines and deletes the fleet once none of its instances is left', async () => {
    ec2Mock.on(DescribeFleetInstancesCommand, { FleetId: 'fleet-r' }).resolves({ ActiveInstances: [{ InstanceId: 'i-1' }, { InstanceId: 'i-2' }] });
    ec2Mock.on(DescribeFleetInstancesCommand, { FleetId: 'fleet-busy' }).resolves({ ActiveInstances: [{ InstanceId: 'i-3' }, { InstanceId: 'i-4' }] });
    ec2Mock.on(DeleteFleetsCommand).resolves({});
    const { provider } = makeProvider();
    await provider.release(
      [makeMachine('i-1'), makeMachine('i-2'), makeMachine('i-3', { requestId: 'req-busy' })],
      [
        makeRequest({ api: 'EC2Fleet', fleetType: 'request', fleetId: 'fleet-r' }),
        makeRequest({ api: 'EC2Fleet', fleetType: 'request', fleetId: 'fleet-busy' }, { requestId: 'req-busy' }),
      ],
    );
    expect(inputsOf(ec2Mock, TerminateInstancesCommand)).toEqual([{ InstanceIds: ['i-1', 'i-2', 'i-3'] }]);
    expect(inputsOf(ec2Mock, DeleteFleetsCommand)).toEqual([{ FleetIds: ['fleet-r'], TerminateInstances: true }]);
  });

  it('terminates machines whose request is unknown', async () => {
    const { provider } = makeProvider();
    await provider.release([makeMachine('i-orphan', { requestId: 'req-unknown' })], []);
    expect(inputsOf(ec2Mock, TerminateInstancesCommand)).toEqual([{ InstanceIds: ['i-orphan'] }]);
  });

  it('throws ACCESS_DENIED when nothing could be released', async () => {
    ec2Mock.on(TerminateInstancesCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const { provider } = makeProvider();
    await expect(provider.release([makeMachine('i-1')], [makeRequest({ api: 'RunInstances' })])).rejects.toMatchObject({
      code: 'ACCESS_DENIED',
      message: expect.stringContaining('ec2:TerminateInstances'),
    });
  });

  it('gives back nothing twice: a second release of gone machines succeeds', async () => {
    ec2Mock.on(TerminateInstancesCommand).rejects(awsError('InvalidInstanceID.NotFound', "The instance ID 'i-1' does not exist"));
    const { provider } = makeProvider();
    await expect(provider.release([makeMachine('i-1')], [makeRequest({ api: 'RunInstances' }, { requestId: REQUEST_ID })])).resolves.toBeUndefined();
  });
});
