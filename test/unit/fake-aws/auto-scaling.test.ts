import {
  CreateAutoScalingGroupCommand,
  DeleteAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  ResumeProcessesCommand,
  SetInstanceProtectionCommand,
  SuspendProcessesCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rejectionOf, startFakeEndpoint, SUBNET_A, SUBNET_B, type FakeEndpoint } from './fake-endpoint.js';

describe('fake Auto Scaling: processes, health replacement, protection', () => {
  let fake: FakeEndpoint;
  beforeEach(async () => {
    fake = await startFakeEndpoint();
  });
  afterEach(() => fake.close());

  async function createGroup(desired: number, protect = false): Promise<string[]> {
    const templateId = await fake.launchTemplate('asg-lt');
    await fake.autoScaling.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'g',
        MinSize: 0,
        MaxSize: 10,
        DesiredCapacity: desired,
        VPCZoneIdentifier: `${SUBNET_A},${SUBNET_B}`,
        NewInstancesProtectedFromScaleIn: protect,
        MixedInstancesPolicy: { LaunchTemplate: { LaunchTemplateSpecification: { LaunchTemplateId: templateId }, Overrides: [{ InstanceType: 'm5.large' }] } },
      }),
    );
    return (await group()).Instances!.map((instance) => instance.InstanceId!);
  }
  const group = async () => (await fake.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['g'] }))).AutoScalingGroups![0];
  const ids = async () => (await group()).Instances!.map((instance) => `${instance.InstanceId} ${instance.LifecycleState} ${instance.HealthStatus}`);
  const settle = () => {
    for (let step = 0; step < 3; step += 1) {
      fake.advance(1000);
      fake.server.tick();
    }
  };

  it('suspends and resumes named processes or all, listed in SuspendedProcesses', async () => {
    await createGroup(0);
    await fake.autoScaling.send(new SuspendProcessesCommand({ AutoScalingGroupName: 'g', ScalingProcesses: ['Launch', 'ReplaceUnhealthy'] }));
    expect((await group()).SuspendedProcesses!.map((process) => process.ProcessName)).toEqual(['Launch', 'ReplaceUnhealthy']);
    expect((await group()).SuspendedProcesses![0].SuspensionReason).toMatch(/^User suspended at /);
    await fake.autoScaling.send(new ResumeProcessesCommand({ AutoScalingGroupName: 'g', ScalingProcesses: ['Launch'] }));
    expect((await group()).SuspendedProcesses!.map((process) => process.ProcessName)).toEqual(['ReplaceUnhealthy']);
    await fake.autoScaling.send(new SuspendProcessesCommand({ AutoScalingGroupName: 'g' }));
    expect((await group()).SuspendedProcesses).toHaveLength(9);
    await fake.autoScaling.send(new ResumeProcessesCommand({ AutoScalingGroupName: 'g' }));
    expect((await group()).SuspendedProcesses ?? []).toEqual([]);
    expect((await rejectionOf(fake.autoScaling.send(new SuspendProcessesCommand({ AutoScalingGroupName: 'g', ScalingProcesses: ['Nap'] })))).name).toBe('ValidationError');
  });

  it('replaces an unhealthy member even when protected from scale in', async () => {
    const [first, second] = await createGroup(2, true);
    fake.server.markUnhealthy(first);
    settle();
    const now = await ids();
    expect(now).toHaveLength(2);
    expect(now.join()).not.toContain(first);
    expect(now.join()).toContain(second);
    expect(fake.server.instances.get(first)!.state).toBe('terminated');
  });

  it('with Launch suspended only terminates the unhealthy member, and launches its replacement on resume', async () => {
    const [first] = await createGroup(2);
    await fake.autoScaling.send(new SuspendProcessesCommand({ AutoScalingGroupName: 'g', ScalingProcesses: ['Launch'] }));
    fake.server.markUnhealthy(first);
    settle();
    expect(await ids()).toHaveLength(1);
    expect(fake.server.instances.get(first)!.state).toBe('terminated');
    await fake.autoScaling.send(new ResumeProcessesCommand({ AutoScalingGroupName: 'g', ScalingProcesses: ['Launch'] }));
    settle();
    expect(await ids()).toHaveLength(2);
  });

  it('with ReplaceUnhealthy suspended leaves an unhealthy member alone', async () => {
    const [first] = await createGroup(1);
    await fake.autoScaling.send(new SuspendProcessesCommand({ AutoScalingGroupName: 'g', ScalingProcesses: ['ReplaceUnhealthy'] }));
    fake.server.markUnhealthy(first);
    settle();
    expect(await ids()).toEqual([`${first} InService Unhealthy`]);
    expect(fake.server.instances.get(first)!.state).toBe('running');
  });

  it('replaces a member terminated outside the group', async () => {
    const [first] = await createGroup(1, true);
    fake.server.terminateOutside(first);
    settle();
    const now = await ids();
    expect(now).toHaveLength(1);
    expect(now[0]).not.toContain(first);
  });

  it('scales in only unprotected members; SetInstanceProtection changes that', async () => {
    const [first, second] = await createGroup(2);
    await fake.autoScaling.send(new SetInstanceProtectionCommand({ AutoScalingGroupName: 'g', InstanceIds: [first], ProtectedFromScaleIn: true }));
    await fake.autoScaling.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'g', DesiredCapacity: 1 }));
    settle();
    expect(await ids()).toEqual([`${first} InService Healthy`]);
    expect(fake.server.instances.get(second)!.state).toBe('terminated');
    await fake.autoScaling.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'g', DesiredCapacity: 0 }));
    settle();
    expect(await ids()).toEqual([`${first} InService Healthy`]);
    const activities = (await fake.autoScaling.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'g' }))).Activities!;
    expect(activities[0]).toMatchObject({ StatusCode: 'Failed', StatusMessage: 'Could not scale to desired capacity because all remaining instances are protected from scale-in.' });
  });

  it('keeps TerminateInstanceInAutoScalingGroup semantics: a decrement shrinks the group, else it is replaced', async () => {
    const [first, second] = await createGroup(2);
    await fake.autoScaling.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: first, ShouldDecrementDesiredCapacity: true }));
    expect((await group()).DesiredCapacity).toBe(1);
    await fake.autoScaling.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: second, ShouldDecrementDesiredCapacity: false }));
    settle();
    const now = await ids();
    expect(now).toHaveLength(1);
    expect(now[0]).not.toContain(second);
  });

  it('answers ScalingActivityInProgress when asked to, and when deleting without force while activities run', async () => {
    await createGroup(1);
    fake.server.failNext('UpdateAutoScalingGroup', { code: 'ScalingActivityInProgress', message: 'Scaling activity x is in progress and blocks this action' });
    fake.server.failNext('DeleteAutoScalingGroup', { code: 'ScalingActivityInProgress' });
    const update = await rejectionOf(fake.autoScaling.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'g', DesiredCapacity: 0 })));
    expect([update.name, update.message, update.$metadata?.httpStatusCode]).toEqual(['ScalingActivityInProgressFault', 'Scaling activity x is in progress and blocks this action', 400]);
    expect((await rejectionOf(fake.autoScaling.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'g', ForceDelete: true })))).name).toBe('ScalingActivityInProgressFault');
    expect((await rejectionOf(fake.autoScaling.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'g' })))).name).toBe('ResourceInUseFault');
    await fake.autoScaling.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: (await group()).Instances![0].InstanceId!, ShouldDecrementDesiredCapacity: true }));
    const busy = await rejectionOf(fake.autoScaling.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'g' })));
    expect([busy.name, busy.message]).toEqual(['ScalingActivityInProgressFault', 'You cannot delete an AutoScalingGroup while there are scaling activities in progress for that group.']);
    settle();
    await fake.autoScaling.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'g' }));
    expect(fake.server.autoScaling.groups.size).toBe(0);
  });
});
