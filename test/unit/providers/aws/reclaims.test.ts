import { beforeEach, describe, expect, it } from 'vitest';
import { DescribeInstanceStatusCommand, DescribeInstancesCommand, DescribeSpotInstanceRequestsCommand } from '@aws-sdk/client-ec2';
import { ec2Mock, inputsOf, instance, makeMachine, makeProvider, NOW, resetMocks } from './aws-test-kit.js';

describe('reclaims', () => {
  beforeEach(() => {
    resetMocks();
    ec2Mock.on(DescribeInstanceStatusCommand).resolves({ InstanceStatuses: [] });
    ec2Mock.on(DescribeSpotInstanceRequestsCommand).resolves({ SpotInstanceRequests: [] });
  });

  it('finds spot interruptions, retirements and hosts stopped or terminated outside HostFactory, in one call set', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            instance({ id: 'i-ok' }),
            instance({ id: 'i-spot', InstanceLifecycle: 'spot', SpotInstanceRequestId: 'sir-1' }),
            instance({ id: 'i-spot-fine', InstanceLifecycle: 'spot', SpotInstanceRequestId: 'sir-2' }),
            instance({ id: 'i-retiring' }),
            instance({ id: 'i-stopped', state: 'stopped', StateReason: { Code: 'Client.UserInitiatedShutdown', Message: 'Client.UserInitiatedShutdown: User initiated shutdown' } }),
            instance({ id: 'i-terminated', state: 'terminated', StateReason: { Code: 'Server.SpotInstanceTermination', Message: 'Server.SpotInstanceTermination: Spot instance termination' } }),
          ],
        },
      ],
    });
    ec2Mock.on(DescribeSpotInstanceRequestsCommand).resolves({
      SpotInstanceRequests: [
        { SpotInstanceRequestId: 'sir-1', InstanceId: 'i-spot', Status: { Code: 'marked-for-termination', UpdateTime: new Date(NOW - 30_000) } },
        { SpotInstanceRequestId: 'sir-2', InstanceId: 'i-spot-fine', Status: { Code: 'fulfilled', UpdateTime: new Date(NOW - 300_000) } },
      ],
    });
    ec2Mock.on(DescribeInstanceStatusCommand).resolves({
      InstanceStatuses: [
        { InstanceId: 'i-retiring', Events: [{ Code: 'instance-retirement', Description: 'The instance is running on degraded hardware', NotBefore: new Date(NOW + 3_600_000) }] },
        { InstanceId: 'i-ok', Events: [{ Code: 'instance-stop', Description: '[Completed] The instance is running on degraded hardware', NotBefore: new Date(NOW - 1000) }] },
      ],
    });
    const { provider } = makeProvider();
    const machines = ['i-ok', 'i-spot', 'i-spot-fine', 'i-retiring', 'i-stopped', 'i-terminated'].map((id) => makeMachine(id));
    const reclaims = await provider.listReclaims(machines);
    const byId = Object.fromEntries(reclaims.map((reclaim) => [reclaim.machineId, reclaim]));
    expect(Object.keys(byId).sort()).toEqual(['i-retiring', 'i-spot', 'i-stopped', 'i-terminated']);
    expect(byId['i-spot']).toMatchObject({ name: 'host-i-spot', gracePeriod: 90, reason: expect.stringContaining('spot interruption') });
    expect(byId['i-retiring']).toMatchObject({ gracePeriod: 3600, reason: expect.stringContaining('instance-retirement') });
    expect(byId['i-stopped']).toMatchObject({ gracePeriod: 0, reason: expect.stringContaining('stopped outside HostFactory') });
    expect(byId['i-terminated']).toMatchObject({ gracePeriod: 0, reason: expect.stringContaining('Spot instance termination') });
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)).toHaveLength(1);
    expect(inputsOf(ec2Mock, DescribeSpotInstanceRequestsCommand)).toEqual([{ SpotInstanceRequestIds: ['sir-1', 'sir-2'] }]);
    expect(inputsOf(ec2Mock, DescribeInstanceStatusCommand)[0].InstanceIds).toEqual(['i-ok', 'i-spot', 'i-spot-fine', 'i-retiring']);
  });

  it('reports hosts EC2 no longer knows with no grace', async () => {
    ec2Mock
      .on(DescribeInstancesCommand, { InstanceIds: ['i-gone', 'i-ok'] })
      .rejects(Object.assign(new Error("The instance ID 'i-gone' does not exist"), { name: 'InvalidInstanceID.NotFound' }))
      .on(DescribeInstancesCommand, { InstanceIds: ['i-ok'] })
      .resolves({ Reservations: [{ Instances: [instance({ id: 'i-ok' })] }] });
    const { provider } = makeProvider();
    const reclaims = await provider.listReclaims([makeMachine('i-gone'), makeMachine('i-ok')]);
    expect(reclaims).toEqual([{ machineId: 'i-gone', name: 'host-i-gone', gracePeriod: 0, reason: 'instance no longer exists in EC2' }]);
  });

  it('makes no call for no machines', async () => {
    const { provider } = makeProvider();
    expect(await provider.listReclaims([])).toEqual([]);
    expect(ec2Mock.calls()).toHaveLength(0);
  });
});
