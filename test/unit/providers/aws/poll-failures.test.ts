import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DescribeFleetInstancesCommand, DescribeFleetsCommand, DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { DescribeAutoScalingGroupsCommand, SuspendProcessesCommand, type AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { CloudProvider, type TrackedRequest } from '../../../../src/domain/ports/cloud-provider.js';
import { HostFactoryOperations } from '../../../../src/infrastructure/hostfactory/hostfactory-operations.js';
import { useCaseContainer } from '../../../support/test-container.js';
import { asgMock, awsError, ec2Mock, instance, makeProvider, NOW, REQUEST_ID, resetMocks } from './aws-test-kit.js';
import { anAwsMachine, anAwsRequest, anAwsTemplate } from '../../../support/mothers.js';

const maintain = (fleetId: string, requestId: string, machineIds: string[] = []): TrackedRequest => ({
  request: anAwsRequest({ api: 'EC2Fleet', fleetType: 'maintain', fleetId, validUntil: NOW + 600_000 }, { requestId }),
  template: anAwsTemplate(),
  machines: machineIds.map((id) => anAwsMachine(id, { requestId, resourceId: fleetId })),
});

const runInstances = (requestId: string, instanceIds: string[]): TrackedRequest => ({
  request: anAwsRequest({ api: 'RunInstances', instanceIds }, { requestId, machineCount: instanceIds.length }),
  template: anAwsTemplate(),
  machines: [],
});

const describedAsRunning = (input: { InstanceIds: string[] }) => ({ Reservations: [{ Instances: input.InstanceIds.map((id) => instance({ id })) }] });

describe('a status poll when some AWS calls fail', () => {
  beforeEach(() => {
    resetMocks();
    ec2Mock.on(DescribeInstancesCommand).callsFake(describedAsRunning);
    ec2Mock.on(DescribeFleetsCommand).callsFake((input: { FleetIds: string[] }) => ({
      Fleets: input.FleetIds.map((FleetId) => ({ FleetId, FleetState: 'active', Type: 'maintain', FulfilledCapacity: 1, TargetCapacitySpecification: { TotalTargetCapacity: 2 } })),
    }));
  });

  it('a fleet whose instance listing fails gets the reason and stays not final; the other requests are answered', async () => {
    ec2Mock.on(DescribeFleetInstancesCommand, { FleetId: 'fleet-broken' }).rejects(awsError('InternalError', 'An internal error has occurred'));
    ec2Mock.on(DescribeFleetInstancesCommand, { FleetId: 'fleet-ok' }).resolves({ ActiveInstances: [{ InstanceId: 'i-ok', InstanceType: 'm5.large' }] });
    const { provider } = makeProvider();
    const reports = await provider.describeRequests([maintain('fleet-broken', 'req-broken', ['i-stored']), maintain('fleet-ok', 'req-ok'), runInstances('req-run', ['i-run'])]);
    expect(reports.get('req-broken')).toMatchObject({
      final: false,
      message: 'could not observe its fleet (InternalError: An internal error has occurred); retried next poll',
    });
    // What the store holds is still described.
    expect(reports.get('req-broken')!.machines.map((machine) => machine.machineId)).toEqual(['i-stored']);
    expect(reports.get('req-broken')!.providerData).toBeUndefined();
    expect(reports.get('req-ok')).toMatchObject({ final: false, machines: [expect.objectContaining({ machineId: 'i-ok', status: 'running' })] });
    expect(reports.get('req-ok')!.message).toBeUndefined();
    expect(reports.get('req-run')).toMatchObject({ final: true, machines: [expect.objectContaining({ machineId: 'i-run' })] });
  });

  it('a failing DescribeFleets leaves every fleet request not final with the reason, and still answers the others', async () => {
    ec2Mock.on(DescribeFleetsCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const { provider } = makeProvider();
    const reports = await provider.describeRequests([maintain('fleet-a', 'req-a'), maintain('fleet-b', 'req-b'), runInstances('req-run', ['i-run'])]);
    for (const id of ['req-a', 'req-b']) {
      expect(reports.get(id)).toMatchObject({ final: false, message: expect.stringMatching(/^could not observe its fleet \(UnauthorizedOperation: .*\); retried next poll$/) });
    }
    expect(reports.get('req-run')).toMatchObject({ final: true });
  });

  it('a group whose SuspendProcesses fails gets the reason and stays not final; another group is answered', async () => {
    const group = (name: string) =>
      ({ AutoScalingGroupName: name, DesiredCapacity: 1, MinSize: 0, MaxSize: 1, Instances: [{ InstanceId: `i-${name}`, LifecycleState: 'InService', WeightedCapacity: '1' }] }) as AutoScalingGroup;
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group('g-broken'), group('g-ok')] });
    asgMock.on(SuspendProcessesCommand, { AutoScalingGroupName: 'g-broken' }).rejects(awsError('ResourceContention', 'busy'));
    asgMock.on(SuspendProcessesCommand, { AutoScalingGroupName: 'g-ok' }).resolves({});
    const { provider } = makeProvider();
    const tracked = (name: string): TrackedRequest => ({
      request: anAwsRequest({ api: 'ASG', asgName: name, units: 1, validUntil: NOW + 600_000 }, { requestId: `req-${name}`, machineCount: 1 }),
      template: anAwsTemplate(),
      machines: [],
    });
    const reports = await provider.describeRequests([tracked('g-broken'), tracked('g-ok')]);
    expect(reports.get('req-g-broken')).toMatchObject({ final: false, message: 'could not observe its Auto Scaling group (ResourceContention: busy); retried next poll' });
    expect(reports.get('req-g-ok')).toMatchObject({ final: true, providerData: { final: true, processesSuspended: true } });
  });

  it('a failing DescribeInstances leaves every request not final with the reason', async () => {
    ec2Mock.on(DescribeFleetInstancesCommand).resolves({ ActiveInstances: [{ InstanceId: 'i-1', InstanceType: 'm5.large' }] });
    ec2Mock.on(DescribeInstancesCommand).rejects(awsError('RequestLimitExceeded', 'Request limit exceeded.'));
    const { provider } = makeProvider();
    const reports = await provider.describeRequests([maintain('fleet-a', 'req-a'), runInstances('req-run', ['i-run'])]);
    for (const id of ['req-a', 'req-run']) {
      expect(reports.get(id)).toEqual({ machines: [], final: false, message: 'could not describe its instances (RequestLimitExceeded: Request limit exceeded.); retried next poll' });
    }
  });
});

describe('describeMachines and eventual consistency', () => {
  beforeEach(() => resetMocks());

  it('leaves out a machine EC2 does not show yet while it is younger than the pending timeout; an older one is terminated', async () => {
    ec2Mock
      .on(DescribeInstancesCommand, { InstanceIds: ['i-young', 'i-old', 'i-live'] })
      .rejects(awsError('InvalidInstanceID.NotFound', "The instance IDs 'i-young, i-old' do not exist"))
      .on(DescribeInstancesCommand, { InstanceIds: ['i-live'] })
      .resolves({ Reservations: [{ Instances: [instance({ id: 'i-live' })] }] });
    const { provider } = makeProvider();
    const nowSec = Math.floor(NOW / 1000);
    const seen = await provider.describeMachines([
      anAwsMachine('i-young', { launchTime: nowSec - 170 }),
      anAwsMachine('i-old', { launchTime: nowSec - 181 }),
      anAwsMachine('i-live'),
    ]);
    expect(seen.map((machine) => [machine.machineId, machine.status, machine.failureMessage])).toEqual([
      ['i-old', 'terminated', 'instance no longer exists in EC2'],
      ['i-live', 'running', undefined],
    ]);
  });

  it('throws the translated AWS error when EC2 cannot be described', async () => {
    ec2Mock.on(DescribeInstancesCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const { provider } = makeProvider();
    await expect(provider.describeMachines([anAwsMachine('i-1')])).rejects.toMatchObject({ code: 'ACCESS_DENIED', message: expect.stringContaining('ec2:DescribeInstances') });
  });
});

describe('describe calls AWS throttles', () => {
  beforeEach(() => resetMocks());
  afterEach(() => vi.useRealTimers());

  const throttled = () => awsError('RequestLimitExceeded', 'Request limit exceeded.');

  it('are tried again up to AWS_DESCRIBE_REQUEST_RETRY_ATTEMPTS times, AWS_DESCRIBE_REQUEST_INTERVAL apart, and answer once AWS lets one through', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    ec2Mock.on(DescribeInstancesCommand).rejectsOnce(throttled()).rejectsOnce(throttled()).resolves({ Reservations: [{ Instances: [instance({ id: 'i-1' })] }] });
    const { provider } = makeProvider({ AWS_DESCRIBE_REQUEST_RETRY_ATTEMPTS: 2, AWS_DESCRIBE_REQUEST_INTERVAL: 1000 });
    const described = provider.describeMachines([anAwsMachine('i-1')]);
    await vi.advanceTimersByTimeAsync(999);
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await described).toEqual([expect.objectContaining({ machineId: 'i-1', status: 'running' })]);
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)).toHaveLength(3);
  });

  it('fail THROTTLED, retryable and naming the call, once every try was throttled', async () => {
    ec2Mock.on(DescribeInstancesCommand).rejects(throttled());
    const { provider } = makeProvider({ AWS_DESCRIBE_REQUEST_RETRY_ATTEMPTS: 2 });
    const failure = await provider.describeMachines([anAwsMachine('i-1')]).catch((error: unknown) => error);
    expect(failure).toMatchObject({
      code: 'THROTTLED',
      retryable: true,
      message: 'ec2:DescribeInstances throttled by AWS after retries (RequestLimitExceeded: Request limit exceeded.)',
    });
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)).toHaveLength(3);
  });

  it('are not tried again for an error another try cannot fix', async () => {
    ec2Mock.on(DescribeInstancesCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const { provider } = makeProvider({ AWS_DESCRIBE_REQUEST_RETRY_ATTEMPTS: 2 });
    await expect(provider.describeMachines([anAwsMachine('i-1')])).rejects.toMatchObject({ code: 'ACCESS_DENIED' });
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)).toHaveLength(1);
  });
});

describe('getRequestStatus on AWS when the cloud cannot be described', () => {
  beforeEach(() => resetMocks());

  it('answers every request running with the reason, and leaves the machines and the request status in the store as they were', async () => {
    ec2Mock.on(DescribeInstancesCommand).rejects(awsError('RequestLimitExceeded', 'Request limit exceeded.'));
    const kit = makeProvider();
    const world = await useCaseContainer([anAwsTemplate()]);
    world.clock.time = kit.clock.time;
    world.container.rebind(CloudProvider).toConstantValue(kit.provider);
    const request = anAwsRequest({ api: 'RunInstances', reservationIds: ['r-1'], instanceIds: ['i-1', 'i-2'] }, { machineCount: 2 });
    await world.store.requests.create(request);
    await world.store.machines.addIfAbsent([anAwsMachine('i-1', { status: 'pending' }), anAwsMachine('i-2')]);
    const machinesBefore = await world.store.machines.listByRequests([REQUEST_ID]);

    const response = await world.container.get(HostFactoryOperations).run('getRequestStatus', { requests: [{ requestId: REQUEST_ID }] });

    const [answered] = (response as { requests: Array<Record<string, any>> }).requests;
    expect(answered).toMatchObject({ requestId: REQUEST_ID, status: 'running' });
    expect(answered.message).toContain('could not describe its instances (RequestLimitExceeded: Request limit exceeded.); retried next poll');
    expect(answered.machines.map((machine: { machineId: string; status: string }) => [machine.machineId, machine.status])).toEqual([
      ['i-1', 'pending'],
      ['i-2', 'running'],
    ]);
    expect(await world.store.machines.listByRequests([REQUEST_ID])).toEqual(machinesBefore);
    expect(await world.store.requests.get(REQUEST_ID)).toMatchObject({ status: 'running', providerData: request.providerData });
  });
});
