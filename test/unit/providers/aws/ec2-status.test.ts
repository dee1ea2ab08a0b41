import { beforeEach, describe, expect, it } from 'vitest';
import {
  CreateTagsCommand,
  DeleteFleetsCommand,
  DescribeFleetHistoryCommand,
  DescribeFleetInstancesCommand,
  DescribeFleetsCommand,
  DescribeInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { acquireProgress } from '../../../../src/domain/request-progress.js';
import { newMachine } from '../../../../src/domain/machine.js';
import type { FulfilmentReport, TrackedRequest } from '../../../../src/domain/ports/cloud-provider.js';
import { awsError, ec2Mock, inputsOf, instance, makeProvider, NOW, REQUEST_ID, resetMocks } from './aws-test-kit.js';
import { anAwsMachine, anAwsRequest, anAwsTemplate } from '../../../support/mothers.js';

function progressOf(tracked: TrackedRequest, report: FulfilmentReport) {
  const machines = report.machines.map((seen) => {
    const machine = newMachine(tracked.request.requestId, 'Tpl-1', seen, NOW);
    return report.failedMachines?.[seen.machineId] ? { ...machine, failureMessage: report.failedMachines[seen.machineId] } : machine;
  });
  return acquireProgress(tracked.request, machines, { final: report.final, cloudMessage: report.message });
}

const reservation = (...instances: ReturnType<typeof instance>[]) => ({ Reservations: [{ Instances: instances }] });

describe('status of RunInstances and EC2 Fleet requests', () => {
  beforeEach(() => resetMocks());

  it('reports a RunInstances request complete once every unit runs, with names, IPs and weights', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves(
      reservation(
        instance({ id: 'i-1', InstanceType: 'm5.xlarge', PrivateDnsName: 'ip-10-0-0-1.ec2.internal', PrivateIpAddress: '10.0.0.1', PublicIpAddress: '3.3.3.3' }),
        instance({ id: 'i-2', InstanceType: 'm5.large' }),
      ),
    );
    const { provider } = makeProvider();
    const tracked: TrackedRequest = {
      request: anAwsRequest({ api: 'RunInstances', reservationIds: ['r-1'], instanceIds: ['i-1', 'i-2'], owners: { 'i-1': 'r-1', 'i-2': 'r-1' } }, { machineCount: 3 }),
      template: anAwsTemplate({ vmType: undefined, vmTypes: { 'm5.xlarge': 2, 'm5.large': 1 } }),
      machines: [],
    };
    const report = (await provider.describeRequests([tracked])).get(REQUEST_ID)!;
    expect(inputsOf(ec2Mock, DescribeInstancesCommand)[0].InstanceIds).toEqual(['i-1', 'i-2']);
    expect(report.final).toBe(true);
    expect(report.machines[0]).toMatchObject({
      machineId: 'i-1',
      name: 'ip-10-0-0-1.ec2.internal',
      status: 'running',
      privateIpAddress: '10.0.0.1',
      publicIpAddress: '3.3.3.3',
      weight: 2,
      resourceId: 'r-1',
      priceType: 'ondemand',
      launchTime: Math.floor((NOW - 60_000) / 1000),
      instanceTags: { 'hostfactory:request-id': REQUEST_ID },
    });
    expect(progressOf(tracked, report).status).toBe('complete');
  });

  it('terminates instances stuck pending past AWS_INSTANCE_PENDING_TIMEOUT_SEC and reports them failed', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves(
      reservation(instance({ id: 'i-stuck', state: 'pending', LaunchTime: new Date(NOW - 301_000) }), instance({ id: 'i-ok', state: 'pending', LaunchTime: new Date(NOW - 100_000) })),
    );
    ec2Mock.on(TerminateInstancesCommand).resolves({});
    const { provider } = makeProvider({ AWS_INSTANCE_PENDING_TIMEOUT_SEC: 300 });
    const tracked: TrackedRequest = { request: anAwsRequest({ api: 'RunInstances', instanceIds: ['i-stuck', 'i-ok'] }), template: anAwsTemplate(), machines: [] };
    const report = (await provider.describeRequests([tracked])).get(REQUEST_ID)!;
    expect(inputsOf(ec2Mock, TerminateInstancesCommand)).toEqual([{ InstanceIds: ['i-stuck'] }]);
    expect(Object.keys(report.failedMachines ?? {})).toEqual(['i-stuck']);
    expect(report.failedMachines!['i-stuck']).toContain('pending for more than 300 s');
    expect(report.machines.find((machine) => machine.machineId === 'i-stuck')).toMatchObject({ status: 'shutting-down' });
    expect(report.machines.find((machine) => machine.machineId === 'i-ok')).toMatchObject({ status: 'pending' });
  });

  it('keeps reporting an instance stuck pending as pending, not failed, when terminating it fails: the next poll tries again', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves(
      reservation(instance({ id: 'i-stuck', state: 'pending', LaunchTime: new Date(NOW - 301_000) }), instance({ id: 'i-ok', state: 'pending', LaunchTime: new Date(NOW - 100_000) })),
    );
    ec2Mock.on(TerminateInstancesCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const { provider, logger } = makeProvider({ AWS_INSTANCE_PENDING_TIMEOUT_SEC: 300 });
    const tracked: TrackedRequest = { request: anAwsRequest({ api: 'RunInstances', instanceIds: ['i-stuck', 'i-ok'] }), template: anAwsTemplate(), machines: [] };
    const report = (await provider.describeRequests([tracked])).get(REQUEST_ID)!;
    expect(inputsOf(ec2Mock, TerminateInstancesCommand)).toEqual([{ InstanceIds: ['i-stuck'] }]);
    expect(Object.keys(report.failedMachines ?? {})).toEqual([]);
    expect(report.machines.map((machine) => [machine.machineId, machine.status, machine.failureMessage])).toEqual([
      ['i-stuck', 'pending', undefined],
      ['i-ok', 'pending', undefined],
    ]);
    expect(progressOf(tracked, report).status).toBe('running');
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'error', message: 'could not terminate instances stuck pending', fields: expect.objectContaining({ instanceIds: ['i-stuck'] }) }));

    ec2Mock.on(TerminateInstancesCommand).resolves({});
    const next = (await provider.describeRequests([tracked])).get(REQUEST_ID)!;
    expect(Object.keys(next.failedMachines ?? {})).toEqual(['i-stuck']);
  });

  it('reports a short RunInstances request complete_with_error with the launch reason', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves(reservation(instance({ id: 'i-1' })));
    const { provider } = makeProvider();
    const tracked: TrackedRequest = {
      request: anAwsRequest({ api: 'RunInstances', instanceIds: ['i-1'], launchMessage: 'launched 1 of 2 units; InsufficientInstanceCapacity: none left' }, { machineCount: 2 }),
      template: anAwsTemplate(),
      machines: [],
    };
    const report = (await provider.describeRequests([tracked])).get(REQUEST_ID)!;
    const progress = progressOf(tracked, report);
    expect(progress.status).toBe('complete_with_error');
    expect(progress.message).toContain('InsufficientInstanceCapacity');
  });

  it('treats instances EC2 no longer knows as terminated once they are older than the pending timeout', async () => {
    ec2Mock
      .on(DescribeInstancesCommand, { InstanceIds: ['i-old', 'i-new', 'i-live'] })
      .rejects(awsError('InvalidInstanceID.NotFound', "The instance IDs 'i-old, i-new' do not exist"))
      .on(DescribeInstancesCommand, { InstanceIds: ['i-live'] })
      .resolves(reservation(instance({ id: 'i-live' })));
    const { provider } = makeProvider();
    const tracked: TrackedRequest = {
      request: anAwsRequest({ api: 'RunInstances', instanceIds: ['i-old', 'i-new', 'i-live'] }),
      template: anAwsTemplate(),
      machines: [
        anAwsMachine('i-old', { launchTime: Math.floor((NOW - 3_600_000) / 1000) }),
        anAwsMachine('i-new', { status: 'pending', launchTime: Math.floor(NOW / 1000) - 5 }),
      ],
    };
    const report = (await provider.describeRequests([tracked])).get(REQUEST_ID)!;
    expect(report.machines.map((machine) => [machine.machineId, machine.status])).toEqual([
      ['i-old', 'terminated'],
      ['i-live', 'running'],
    ]);
  });

  it('reports an instant fleet final from its stored instances, without describing the fleet', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves(reservation(instance({ id: 'i-1', InstanceLifecycle: 'spot' })));
    const { provider } = makeProvider();
    const tracked: TrackedRequest = {
      request: anAwsRequest({ api: 'EC2Fleet', fleetType: 'instant', fleetId: 'fleet-1', instanceIds: ['i-1'], launchMessage: 'launched 1 of 2 units; InsufficientInstanceCapacity: x' }, { machineCount: 2 }),
      template: anAwsTemplate(),
      machines: [],
    };
    const report = (await provider.describeRequests([tracked])).get(REQUEST_ID)!;
    expect(ec2Mock.commandCalls(DescribeFleetsCommand)).toHaveLength(0);
    expect(report).toMatchObject({ final: true, message: 'launched 1 of 2 units; InsufficientInstanceCapacity: x' });
    expect(report.machines[0]).toMatchObject({ machineId: 'i-1', resourceId: 'fleet-1', priceType: 'spot' });
  });

  it('keeps a partly filled maintain fleet running before ValidUntil and tags its new instances', async () => {
    ec2Mock.on(DescribeFleetsCommand).resolves({
      Fleets: [{ FleetId: 'fleet-m', FleetState: 'active', ActivityStatus: 'pending_fulfillment', FulfilledCapacity: 2, TargetCapacitySpecification: { TotalTargetCapacity: 4 } as never }],
    });
    ec2Mock.on(DescribeFleetInstancesCommand).resolves({ ActiveInstances: [{ InstanceId: 'i-1', InstanceType: 'm5.large' }, { InstanceId: 'i-2', InstanceType: 'm5.large' }] });
    ec2Mock.on(DescribeInstancesCommand).resolves(reservation(instance({ id: 'i-1', Tags: [] }), instance({ id: 'i-2' })));
    ec2Mock.on(CreateTagsCommand).resolves({});
    const { provider } = makeProvider();
    const tracked: TrackedRequest = {
      request: anAwsRequest({ api: 'EC2Fleet', fleetType: 'maintain', fleetId: 'fleet-m', validUntil: NOW + 60_000, historyReadUntil: NOW - 10_000 }),
      template: anAwsTemplate(),
      machines: [],
    };
    const report = (await provider.describeRequests([tracked])).get(REQUEST_ID)!;
    expect(report.final).toBe(false);
    expect(report.machines.map((machine) => [machine.machineId, machine.resourceId])).toEqual([
      ['i-1', 'fleet-m'],
      ['i-2', 'fleet-m'],
    ]);
    expect(progressOf(tracked, report).status).toBe('running');
    expect(inputsOf(ec2Mock, CreateTagsCommand)).toEqual([
      {
        Resources: ['i-1'],
        Tags: [
          { Key: 'hostfactory:request-id', Value: REQUEST_ID },
          { Key: 'hostfactory:provider', Value: 'awsinst' },
          { Key: 'hostfactory:template-id', Value: 'Tpl-1' },
        ],
      },
    ]);
    expect(report.machines[0].instanceTags).toMatchObject({ 'hostfactory:request-id': REQUEST_ID, 'hostfactory:template-id': 'Tpl-1' });
    expect(ec2Mock.commandCalls(DescribeFleetHistoryCommand)).toHaveLength(0);
  });

  it('does not report the request tag on fleet instances it could not tag', async () => {
    ec2Mock.on(DescribeFleetsCommand).resolves({
      Fleets: [{ FleetId: 'fleet-m', FleetState: 'active', ActivityStatus: 'fulfilled', FulfilledCapacity: 1, TargetCapacitySpecification: { TotalTargetCapacity: 1 } as never }],
    });
    ec2Mock.on(DescribeFleetInstancesCommand).resolves({ ActiveInstances: [{ InstanceId: 'i-1', InstanceType: 'm5.large' }] });
    ec2Mock.on(DescribeInstancesCommand).resolves(reservation(instance({ id: 'i-1', Tags: [{ Key: 'team', Value: 'hpc' }] })));
    ec2Mock.on(CreateTagsCommand).rejects(awsError('UnauthorizedOperation'));
    const { provider } = makeProvider();
    const tracked: TrackedRequest = {
      request: anAwsRequest({ api: 'EC2Fleet', fleetType: 'maintain', fleetId: 'fleet-m', validUntil: NOW + 60_000 }),
      template: anAwsTemplate(),
      machines: [],
    };
    const report = (await provider.describeRequests([tracked])).get(REQUEST_ID)!;
    expect(report.machines[0].instanceTags).toEqual({ team: 'hpc' });
  });

  it('makes a short request fleet final at ValidUntil with the error from its history, deleting it but keeping its hosts, once', async () => {
    ec2Mock.on(DescribeFleetsCommand).resolves({
      Fleets: [{ FleetId: 'fleet-r', FleetState: 'active', Type: 'request', ActivityStatus: 'error', FulfilledCapacity: 1, TargetCapacitySpecification: { TotalTargetCapacity: 4 } as never }],
    });
    ec2Mock.on(DeleteFleetsCommand).resolves({ SuccessfulFleetDeletions: [{ FleetId: 'fleet-r' }] });
    ec2Mock.on(DescribeFleetInstancesCommand).resolves({ ActiveInstances: [{ InstanceId: 'i-1', InstanceType: 'm5.large' }] });
    ec2Mock.on(DescribeFleetHistoryCommand).resolves({
      HistoryRecords: [
        { EventType: 'instance-change', EventInformation: { EventSubType: 'launched', InstanceId: 'i-1' } },
        { EventType: 'service-error', EventInformation: { EventSubType: 'spotFleetRequestConfigurationInvalid', EventDescription: 'InsufficientInstanceCapacity in us-east-1a' } },
      ],
    });
    ec2Mock.on(DescribeInstancesCommand).resolves(reservation(instance({ id: 'i-1' })));
    const { provider } = makeProvider();
    const tracked: TrackedRequest = {
      request: anAwsRequest({ api: 'EC2Fleet', fleetType: 'request', fleetId: 'fleet-r', validUntil: NOW - 1 }),
      template: anAwsTemplate(),
      machines: [],
    };
    const report = (await provider.describeRequests([tracked])).get(REQUEST_ID)!;
    expect(report.final).toBe(true);
    expect(report.message).toContain('InsufficientInstanceCapacity in us-east-1a');
    expect(report.providerData).toMatchObject({ final: true, finalMessage: report.message });
    const progress = progressOf(tracked, report);
    expect(progress.status).toBe('complete_with_error');
    expect(progress.message).toContain('1 of 4 units running');
    expect(inputsOf(ec2Mock, DeleteFleetsCommand)).toEqual([{ FleetIds: ['fleet-r'], TerminateInstances: false }]);

    ec2Mock.resetHistory();
    const again: TrackedRequest = { ...tracked, request: { ...tracked.request, providerData: report.providerData! } };
    const second = (await provider.describeRequests([again])).get(REQUEST_ID)!;
    expect(second.message).toBe(report.message);
    expect(ec2Mock.commandCalls(DescribeFleetHistoryCommand)).toHaveLength(0);
    expect(ec2Mock.commandCalls(DeleteFleetsCommand)).toHaveLength(0);
  });

  it('reports a fulfilled request fleet final and a fleet EC2 no longer knows as gone once past the pending timeout', async () => {
    const notFound = () => Object.assign(new Error("The fleet ID 'fleet-gone' does not exist"), { name: 'InvalidFleetId.NotFound' });
    ec2Mock
      .on(DescribeFleetsCommand, { FleetIds: ['fleet-gone', 'fleet-ok'] })
      .rejects(notFound())
      .on(DescribeFleetsCommand, { FleetIds: ['fleet-gone'] })
      .rejects(notFound())
      .on(DescribeFleetsCommand, { FleetIds: ['fleet-ok'] })
      .resolves({ Fleets: [{ FleetId: 'fleet-ok', FleetState: 'active', ActivityStatus: 'fulfilled', FulfilledCapacity: 1, TargetCapacitySpecification: { TotalTargetCapacity: 1 } as never }] });
    ec2Mock.on(DescribeFleetInstancesCommand).resolves({ ActiveInstances: [{ InstanceId: 'i-1' }] });
    ec2Mock.on(DescribeInstancesCommand).resolves(reservation(instance({ id: 'i-1' })));
    const { provider } = makeProvider();
    const gone = { api: 'EC2Fleet', fleetType: 'request', fleetId: 'fleet-gone', validUntil: NOW + 60_000 };
    const reports = await provider.describeRequests([
      { request: anAwsRequest(gone, { requestId: 'req-gone', createdAt: NOW - 600_000 }), template: anAwsTemplate(), machines: [] },
      { request: anAwsRequest({ api: 'EC2Fleet', fleetType: 'request', fleetId: 'fleet-ok', validUntil: NOW + 60_000 }, { machineCount: 1 }), template: anAwsTemplate(), machines: [] },
    ]);
    expect(reports.get('req-gone')).toMatchObject({ final: true, message: 'EC2 Fleet no longer exists', providerData: { final: true, finalMessage: 'EC2 Fleet no longer exists' } });
    expect(reports.get(REQUEST_ID)).toMatchObject({ final: true });
    expect(reports.get(REQUEST_ID)!.message).toBeUndefined();
  });

  it('keeps a request whose fleet EC2 does not show yet running while it is younger than the pending timeout (eventual consistency)', async () => {
    ec2Mock.on(DescribeFleetsCommand).rejects(Object.assign(new Error("The fleet ID 'fleet-new' does not exist"), { name: 'InvalidFleetId.NotFound' }));
    const { provider } = makeProvider();
    const data = { api: 'EC2Fleet', fleetType: 'maintain', fleetId: 'fleet-new', validUntil: NOW + 60_000 };
    const report = (await provider.describeRequests([{ request: anAwsRequest(data, { createdAt: NOW - 170_000 }), template: anAwsTemplate(), machines: [] }])).get(REQUEST_ID)!;
    expect(report).toMatchObject({ final: false, message: 'EC2 Fleet fleet-new not visible in EC2 yet (eventual consistency)' });
    expect(report.providerData).toBeUndefined();
  });

  it('reports a deleted or failed fleet final, the message naming the API and the state', async () => {
    ec2Mock.on(DescribeFleetsCommand).resolves({ Fleets: [{ FleetId: 'fleet-f', FleetState: 'failed', FulfilledCapacity: 0, TargetCapacitySpecification: { TotalTargetCapacity: 2 } as never }] });
    ec2Mock.on(DescribeFleetHistoryCommand).resolves({ HistoryRecords: [{ EventType: 'service-error', EventInformation: { EventDescription: 'iam:PassRole not allowed' } }] });
    const { provider } = makeProvider();
    const tracked: TrackedRequest = { request: anAwsRequest({ api: 'EC2Fleet', fleetType: 'maintain', fleetId: 'fleet-f', validUntil: NOW + 60_000 }), template: anAwsTemplate(), machines: [] };
    const report = (await provider.describeRequests([tracked])).get(REQUEST_ID)!;
    expect(report.final).toBe(true);
    expect(report.message).toBe('EC2 Fleet failed: iam:PassRole not allowed');
    expect(ec2Mock.commandCalls(DescribeFleetInstancesCommand)).toHaveLength(0);
  });
});
