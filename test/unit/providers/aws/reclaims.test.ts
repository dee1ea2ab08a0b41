import { beforeEach, describe, expect, it } from 'vitest';
import { DescribeInstanceStatusCommand, DescribeInstancesCommand, DescribeSpotInstanceRequestsCommand } from '@aws-sdk/client-ec2';
import { ec2Mock, inputsOf, instance, makeProvider, NOW, resetMocks } from './aws-test-kit.js';
import { anAwsMachine } from '../../../support/mothers.js';

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
    const machines = ['i-ok', 'i-spot', 'i-spot-fine', 'i-retiring', 'i-stopped', 'i-terminated'].map((id) => anAwsMachine(id));
    const reclaims = await provider.listReclaims(machines);
    const byId = Object.fromEntries(reclaims.map((reclaim) => [reclaim.machineId, reclaim]));
    expect(Object.keys(byId).sort()).toEqual(['i-retiring', 'i-spot', 'i-stopped', 'i-terminated']);
    expect(byId['i-spot']).toMatchObject({ name: 'host-i-spot', gracePeriod: 90, reason: expect.stringContaining('spot interruption') });
    expect(byId['i-retiring']).toMatchObject({ gracePeriod: 3600, reason: expect.stringContaining('instance-retirement') });
    expect(byId['i-stopped']).toMatchObject({ gracePeriod: 0, reason: expect.stringContaining('stopped outside HostFactory') });
    expect(byId['i-terminated']).toMatchObject({ gracePeriod: 0, reason: 'spot instance terminated: reclaimed by EC2 (Server.SpotInstanceTermination)' });
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)).toHaveLength(1);
    expect(inputsOf(ec2Mock, DescribeSpotInstanceRequestsCommand)).toEqual([{ SpotInstanceRequestIds: ['sir-1', 'sir-2'] }]);
    expect(inputsOf(ec2Mock, DescribeInstanceStatusCommand)[0].InstanceIds).toEqual(['i-ok', 'i-spot', 'i-spot-fine', 'i-retiring']);
  });

  it('reports hosts EC2 no longer knows with no grace once they are older than the pending timeout, not the young ones', async () => {
    ec2Mock
      .on(DescribeInstancesCommand, { InstanceIds: ['i-gone', 'i-new', 'i-ok'] })
      .rejects(Object.assign(new Error("The instance IDs 'i-gone, i-new' do not exist"), { name: 'InvalidInstanceID.NotFound' }))
      .on(DescribeInstancesCommand, { InstanceIds: ['i-ok'] })
      .resolves({ Reservations: [{ Instances: [instance({ id: 'i-ok' })] }] });
    const { provider } = makeProvider();
    const machines = [
      anAwsMachine('i-gone', { launchTime: Math.floor(NOW / 1000) - 181 }),
      // Launched moments ago: EC2 may not show it yet (eventual consistency); it is not gone.
      anAwsMachine('i-new', { launchTime: Math.floor(NOW / 1000) - 170 }),
      anAwsMachine('i-ok'),
    ];
    const reclaims = await provider.listReclaims(machines);
    expect(reclaims).toEqual([{ machineId: 'i-gone', name: 'host-i-gone', gracePeriod: 0, reason: 'instance no longer exists in EC2' }]);
  });

  it('reads instance-terminated-*, instance-stopped-* and marked-for-* on a running host as a notice, grace = 120 s − its age, never negative', async () => {
    const spot = ['i-t', 'i-s', 'i-m', 'i-late', 'i-fine'];
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: spot.map((id) => instance({ id, InstanceLifecycle: 'spot', SpotInstanceRequestId: `sir-${id}` })) }],
    });
    const status = (id: string, Code: string, ageSec: number) => ({ SpotInstanceRequestId: `sir-${id}`, InstanceId: id, Status: { Code, UpdateTime: new Date(NOW - ageSec * 1000) } });
    ec2Mock.on(DescribeSpotInstanceRequestsCommand).resolves({
      SpotInstanceRequests: [
        status('i-t', 'instance-terminated-no-capacity', 20),
        status('i-s', 'instance-stopped-by-price', 50),
        status('i-m', 'marked-for-stop', 0),
        status('i-late', 'instance-terminated-capacity-oversubscribed', 300),
        status('i-fine', 'fulfilled', 10),
      ],
    });
    const { provider } = makeProvider();
    const reclaims = await provider.listReclaims(spot.map((id) => anAwsMachine(id)));
    expect(Object.fromEntries(reclaims.map((reclaim) => [reclaim.machineId, reclaim.gracePeriod]))).toEqual({ 'i-t': 100, 'i-s': 70, 'i-m': 120, 'i-late': 0 });
    expect(reclaims.find((reclaim) => reclaim.machineId === 'i-t')?.reason).toBe('spot interruption notice (instance-terminated-no-capacity)');
  });

  it('makes no call for no machines', async () => {
    const { provider } = makeProvider();
    expect(await provider.listReclaims([])).toEqual([]);
    expect(ec2Mock.calls()).toHaveLength(0);
  });
});
