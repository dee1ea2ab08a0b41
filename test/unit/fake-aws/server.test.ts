import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clientConfig, IMAGE, startFakeEndpoint, type FakeEndpoint } from './fake-endpoint.js';

describe('fake endpoint: stalls and listeners', () => {
  let fake: FakeEndpoint;
  beforeEach(async () => {
    fake = await startFakeEndpoint();
  });
  afterEach(() => fake.close());

  it('stallNext receives a call and never answers it; the next call is answered; stop() still closes at once', async () => {
    fake.server.stallNext('DescribeInstances');
    const abort = new AbortController();
    const stalled = fake.ec2.send(new DescribeInstancesCommand({}), { abortSignal: abort.signal });
    const settled = stalled.then(
      () => 'answered',
      () => 'aborted',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fake.server.actions()).toEqual(['DescribeInstances']);
    expect(await fake.ec2.send(new DescribeInstancesCommand({}))).toMatchObject({ Reservations: [] });
    abort.abort();
    expect(await settled).toBe('aborted');

    fake.server.stallNext('RunInstances', { afterApplying: true });
    const never = new EC2Client(clientConfig(fake.url)).send(new RunInstancesCommand({ ImageId: IMAGE, InstanceType: 't3.small', MinCount: 1, MaxCount: 1 })).catch(() => 'dropped');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fake.server.instances.size).toBe(1);
    // Without dropping open connections, close() would wait on the stalled call for ever; the bound is far above any real stop().
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('still waiting on the stalled call'), 15_000)));
    expect(await Promise.race([fake.server.stop().then(() => 'stopped'), bound])).toBe('stopped');
    clearTimeout(timer);
    expect(await never).toBe('dropped');
  });

  it('serves the same cloud on extra listeners and records which listener got each call', async () => {
    const extra = await fake.server.startExtraListener();
    expect(extra).not.toBe(fake.url);
    const ec2 = new EC2Client(clientConfig(extra));
    const autoScaling = new AutoScalingClient(clientConfig(fake.url));
    const id = (await ec2.send(new RunInstancesCommand({ ImageId: IMAGE, InstanceType: 't3.small', MinCount: 1, MaxCount: 1 }))).Instances![0].InstanceId!;
    await autoScaling.send(new DescribeAutoScalingGroupsCommand({}));
    expect((await fake.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations).toHaveLength(1);
    expect(fake.server.calls.map((call) => [call.service, call.action, call.listener])).toEqual([
      ['ec2', 'RunInstances', 1],
      ['autoscaling', 'DescribeAutoScalingGroups', 0],
      ['ec2', 'DescribeInstances', 0],
    ]);
    ec2.destroy();
    autoScaling.destroy();
  });
});
