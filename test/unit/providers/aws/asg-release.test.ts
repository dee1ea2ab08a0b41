import { beforeEach, describe, expect, it } from 'vitest';
import {
  DeleteAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  UpdateAutoScalingGroupCommand,
  type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import { DeleteLaunchTemplateCommand, DescribeFleetsCommand, DescribeInstancesCommand, DescribeSpotFleetRequestsCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { asgMock, awsError, ec2Mock, inputsOf, makeProvider, REQUEST_ID, resetMocks } from './aws-test-kit.js';
import { anAwsMachine, anAwsRequest } from '../../../support/mothers.js';

const GROUP = `hostfactory-${REQUEST_ID}`;

const group = (instances: Array<[string, string]>, desired = 4, extra: Partial<AutoScalingGroup> = {}): AutoScalingGroup =>
  ({
    AutoScalingGroupName: GROUP,
    DesiredCapacity: desired,
    MinSize: 0,
    MaxSize: 6,
    Instances: instances.map(([InstanceId, LifecycleState]) => ({ InstanceId, LifecycleState, WeightedCapacity: '1' })),
    ...extra,
  }) as AutoScalingGroup;

const owner = (status: 'running' | 'complete' = 'running') => anAwsRequest({ api: 'ASG', asgName: GROUP }, { status });
const machines = (...ids: string[]) => ids.map((id) => anAwsMachine(id));

describe('releasing Auto Scaling group machines', () => {
  beforeEach(() => {
    resetMocks();
    asgMock.on(TerminateInstanceInAutoScalingGroupCommand).resolves({});
    asgMock.on(UpdateAutoScalingGroupCommand).resolves({});
    asgMock.on(DeleteAutoScalingGroupCommand).resolves({});
    ec2Mock.on(TerminateInstancesCommand).resolves({});
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    ec2Mock.on(DescribeFleetsCommand).resolves({ Fleets: [] });
    ec2Mock.on(DescribeSpotFleetRequestsCommand).resolves({ SpotFleetRequestConfigs: [] });
  });

  it('takes members out with the desired capacity decremented, and deletes the group once no member is left', async () => {
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group([['i-1', 'InService'], ['i-2', 'InService']], 2)] });
    const { provider } = makeProvider();
    const result = await provider.release(machines('i-1', 'i-2'), [owner()]);
    expect(result).toEqual({ failed: {} });
    expect(inputsOf(asgMock, TerminateInstanceInAutoScalingGroupCommand)).toEqual([
      { InstanceId: 'i-1', ShouldDecrementDesiredCapacity: true },
      { InstanceId: 'i-2', ShouldDecrementDesiredCapacity: true },
    ]);
    expect(inputsOf(asgMock, DeleteAutoScalingGroupCommand)).toEqual([{ AutoScalingGroupName: GROUP, ForceDelete: true }]);
    expect(ec2Mock.commandCalls(TerminateInstancesCommand)).toHaveLength(0);
  });

  it('terminates through EC2 the machines that are no longer members, and keeps the group while another member remains', async () => {
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group([['i-1', 'Terminating'], ['i-race', 'InService'], ['i-2', 'InService']])] });
    asgMock
      .on(TerminateInstanceInAutoScalingGroupCommand, { InstanceId: 'i-race' })
      .rejects(awsError('ValidationError', 'Instance Id not found - No managed instance found for instance ID: i-race'));
    const { provider } = makeProvider();
    const result = await provider.release(machines('i-1', 'i-detached', 'i-race'), [owner()]);
    expect(result).toEqual({ failed: {} });
    // i-race left the group between the describe and the call: it is terminated through EC2 as well.
    expect(inputsOf(asgMock, TerminateInstanceInAutoScalingGroupCommand)).toEqual([{ InstanceId: 'i-race', ShouldDecrementDesiredCapacity: true }]);
    expect(inputsOf(ec2Mock, TerminateInstancesCommand)).toEqual([{ InstanceIds: ['i-1', 'i-detached', 'i-race'] }]);
    expect(asgMock.commandCalls(DeleteAutoScalingGroupCommand)).toHaveLength(0);
  });

  it('terminates machines through EC2 when their group is gone', async () => {
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    const { provider } = makeProvider();
    expect(await provider.release(machines('i-1'), [owner()])).toEqual({ failed: {} });
    expect(inputsOf(ec2Mock, TerminateInstancesCommand)).toEqual([{ InstanceIds: ['i-1'] }]);
    expect(asgMock.commandCalls(TerminateInstanceInAutoScalingGroupCommand)).toHaveLength(0);
  });

  it('settled request: terminates members the store does not know, and lowers the desired capacity to the tracked members kept', async () => {
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [group([['i-1', 'InService'], ['i-2', 'InService'], ['i-3', 'InService'], ['i-replacement', 'InService']], 6)],
    });
    const { provider, logger } = makeProvider();
    const result = await provider.release(machines('i-1'), [owner('complete')], machines('i-1', 'i-2', 'i-3'));
    expect(result).toEqual({ failed: {} });
    expect(inputsOf(asgMock, TerminateInstanceInAutoScalingGroupCommand).map((input) => input.InstanceId)).toEqual(['i-1', 'i-replacement']);
    expect(inputsOf(asgMock, UpdateAutoScalingGroupCommand)).toEqual([{ AutoScalingGroupName: GROUP, DesiredCapacity: 2, MinSize: 0 }]);
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'untracked instance terminated', fields: expect.objectContaining({ instanceId: 'i-replacement' }) }));
    expect(asgMock.commandCalls(DeleteAutoScalingGroupCommand)).toHaveLength(0);
  });

  it('settled request: releasing the same machine again changes nothing more in the group', async () => {
    const before = group([['i-1', 'InService'], ['i-2', 'InService'], ['i-3', 'InService']], 3);
    // As AWS shows it after the first release: i-1 on its way out, desired capacity decremented.
    const after = group([['i-1', 'Terminating'], ['i-2', 'InService'], ['i-3', 'InService']], 2);
    let released = false;
    asgMock.on(DescribeAutoScalingGroupsCommand).callsFake(() => ({ AutoScalingGroups: [released ? after : before] }));
    const { provider } = makeProvider();
    const tracked = machines('i-1', 'i-2', 'i-3');
    expect(await provider.release(tracked.slice(0, 1), [owner('complete')], tracked)).toEqual({ failed: {} });
    expect(inputsOf(asgMock, TerminateInstanceInAutoScalingGroupCommand)).toEqual([{ InstanceId: 'i-1', ShouldDecrementDesiredCapacity: true }]);
    released = true;
    expect(await provider.release(tracked.slice(0, 1), [owner('complete')], tracked)).toEqual({ failed: {} });
    expect(asgMock.commandCalls(TerminateInstanceInAutoScalingGroupCommand)).toHaveLength(1);
    expect(asgMock.commandCalls(UpdateAutoScalingGroupCommand)).toHaveLength(0);
    expect(asgMock.commandCalls(DeleteAutoScalingGroupCommand)).toHaveLength(0);
  });

  // KNOWN BUG (see report): a member TerminateInstanceInAutoScalingGroup already took out (and
  // counted) is `Terminating` on the next release (getRequestStatus releases again a returned host
  // still running after RELEASE_RETRY_AFTER_MS), so it is taken for a host outside the group and the desired capacity
  // of a still-filling group is lowered a second time (3 → 2). Remove `.fails` once src is fixed.
  it('still filling: releasing the same machine again does not lower the desired capacity again', async () => {
    let released = false;
    asgMock.on(DescribeAutoScalingGroupsCommand).callsFake(() => ({
      AutoScalingGroups: [released ? group([['i-1', 'Terminating:Wait'], ['i-2', 'InService']], 3) : group([['i-1', 'InService'], ['i-2', 'InService']], 4)],
    }));
    const { provider } = makeProvider();
    const tracked = machines('i-1', 'i-2');
    await provider.release(tracked.slice(0, 1), [owner()], tracked);
    released = true;
    await provider.release(tracked.slice(0, 1), [owner()], tracked);
    expect(asgMock.commandCalls(UpdateAutoScalingGroupCommand)).toHaveLength(0);
  });

  it('deletes our launch template once the only group using it is being deleted, not while a live group uses it', async () => {
    const using = (name: string, launchTemplateId: string, extra: Partial<AutoScalingGroup> = {}) =>
      group([], 0, { AutoScalingGroupName: name, MixedInstancesPolicy: { LaunchTemplate: { LaunchTemplateSpecification: { LaunchTemplateId: launchTemplateId } } }, ...extra });
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [using(GROUP, 'lt-ours', { Status: 'Delete in progress' }), using('hostfactory-req-busy', 'lt-busy')],
    });
    ec2Mock.on(DeleteLaunchTemplateCommand).resolves({});
    const { provider } = makeProvider();
    await provider.release(
      [anAwsMachine('i-1'), anAwsMachine('i-2', { requestId: 'req-done' })],
      [
        anAwsRequest({ api: 'ASG', asgName: GROUP, launchTemplateId: 'lt-ours', launchTemplateCreated: true }),
        anAwsRequest({ api: 'ASG', asgName: 'hostfactory-req-done', launchTemplateId: 'lt-busy', launchTemplateCreated: true }, { requestId: 'req-done' }),
      ],
    );
    expect(inputsOf(ec2Mock, DeleteLaunchTemplateCommand)).toEqual([{ LaunchTemplateId: 'lt-ours' }]);
  });
});

describe('stopReplacing on Auto Scaling groups', () => {
  beforeEach(() => {
    resetMocks();
    asgMock.on(UpdateAutoScalingGroupCommand).resolves({});
  });

  it('lowers the desired capacity of a settled group for a reclaimed host without terminating anything, once', async () => {
    const members: Array<[string, string]> = [['i-1', 'InService'], ['i-2', 'InService'], ['i-3', 'InService'], ['i-4', 'InService']];
    let desired = 4;
    asgMock.on(DescribeAutoScalingGroupsCommand).callsFake(() => ({ AutoScalingGroups: [group(members, desired)] }));
    asgMock.on(UpdateAutoScalingGroupCommand).callsFake((input: { DesiredCapacity: number }) => {
      desired = input.DesiredCapacity;
      return {};
    });
    const { provider } = makeProvider();
    const tracked = machines('i-1', 'i-2', 'i-3', 'i-4');
    await provider.stopReplacing(tracked.slice(0, 1), [owner('complete')], tracked);
    expect(inputsOf(asgMock, UpdateAutoScalingGroupCommand)).toEqual([{ AutoScalingGroupName: GROUP, DesiredCapacity: 3, MinSize: 0 }]);
    await provider.stopReplacing(tracked.slice(0, 1), [owner('complete')], tracked);
    expect(asgMock.commandCalls(UpdateAutoScalingGroupCommand)).toHaveLength(1);
    expect(asgMock.commandCalls(TerminateInstanceInAutoScalingGroupCommand)).toHaveLength(0);
    expect(ec2Mock.commandCalls(TerminateInstancesCommand)).toHaveLength(0);
  });

  // KNOWN BUG (see report): for a group still filling, every getReturnRequests poll that lists the
  // reclaimed host lowers the desired capacity once more (4 → 3 → 2 → 1). Remove `.fails` once src is fixed.
  it('still filling: asking again for the same reclaimed host changes nothing more', async () => {
    let desired = 4;
    asgMock.on(DescribeAutoScalingGroupsCommand).callsFake(() => ({ AutoScalingGroups: [group([['i-1', 'InService'], ['i-2', 'InService']], desired)] }));
    asgMock.on(UpdateAutoScalingGroupCommand).callsFake((input: { DesiredCapacity: number }) => {
      desired = input.DesiredCapacity;
      return {};
    });
    const { provider } = makeProvider();
    const tracked = machines('i-1', 'i-2');
    for (let poll = 0; poll < 3; poll += 1) await provider.stopReplacing(tracked.slice(0, 1), [owner()], tracked);
    expect(desired).toBe(3);
  });
});
