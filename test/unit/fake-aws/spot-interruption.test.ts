import { CreateFleetCommand, DescribeInstancesCommand, DescribeSpotInstanceRequestsCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IMAGE, startFakeEndpoint, SUBNET_A, type FakeEndpoint } from './fake-endpoint.js';

const SPOT_MESSAGE =
  'Server.SpotInstanceTermination: The instance was terminated because the number of Spot requests with a maximum price equal to or higher than the Spot price exceeded available capacity or because of an increase in the Spot price.';

describe('fake EC2: spot interruption', () => {
  let fake: FakeEndpoint;
  beforeEach(async () => {
    fake = await startFakeEndpoint();
  });
  afterEach(() => fake.close());

  async function runSpot(): Promise<{ instanceId: string; requestId: string }> {
    const run = await fake.ec2.send(
      new RunInstancesCommand({ ImageId: IMAGE, InstanceType: 'm5.large', MinCount: 1, MaxCount: 1, SubnetId: SUBNET_A, InstanceMarketOptions: { MarketType: 'spot' } }),
    );
    const instance = run.Instances![0];
    return { instanceId: instance.InstanceId!, requestId: instance.SpotInstanceRequestId! };
  }

  const instance = async (id: string) => (await fake.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations![0].Instances![0];
  const request = async (id: string) => (await fake.ec2.send(new DescribeSpotInstanceRequestsCommand({ SpotInstanceRequestIds: [id] }))).SpotInstanceRequests![0];

  it('sets instance-terminated-no-capacity at once, keeps the instance running for the notice, then terminates it', async () => {
    const { instanceId, requestId } = await runSpot();
    fake.advance(2000);
    expect((await request(requestId)).Status?.Code).toBe('fulfilled');
    fake.server.interruptSpot(instanceId);
    const noticed = await request(requestId);
    expect(noticed).toMatchObject({ State: 'closed', Status: { Code: 'instance-terminated-no-capacity', UpdateTime: new Date(2000) } });
    fake.advance(119_000);
    expect((await instance(instanceId)).State?.Name).toBe('running');
    fake.advance(1000);
    const shutting = await instance(instanceId);
    expect(shutting.State?.Name).toBe('shutting-down');
    expect(shutting.StateReason).toEqual({ Code: 'Server.SpotInstanceTermination', Message: SPOT_MESSAGE });
    fake.advance(1000);
    expect((await instance(instanceId)).State?.Name).toBe('terminated');
    expect((await request(requestId)).Status).toMatchObject({ Code: 'instance-terminated-no-capacity', UpdateTime: new Date(2000) });
  });

  it('takes another status code and notice length when asked', async () => {
    await fake.close();
    fake = await startFakeEndpoint({ spotNoticeMs: 5000 });
    const { instanceId, requestId } = await runSpot();
    fake.server.interruptSpot(instanceId, { code: 'marked-for-termination' });
    expect(await request(requestId)).toMatchObject({ State: 'active', Status: { Code: 'marked-for-termination' } });
    fake.advance(5000);
    expect((await instance(instanceId)).State?.Name).toBe('shutting-down');
    fake.advance(1000);
    expect(await request(requestId)).toMatchObject({ State: 'closed', Status: { Code: 'instance-terminated-no-capacity' } });
  });

  it('a maintain fleet replaces an interrupted instance only once it is gone', async () => {
    const templateId = await fake.launchTemplate('spot-lt');
    const created = await fake.ec2.send(
      new CreateFleetCommand({
        Type: 'maintain',
        LaunchTemplateConfigs: [{ LaunchTemplateSpecification: { LaunchTemplateId: templateId, Version: '$Default' }, Overrides: [{ InstanceType: 'm5.large', SubnetId: SUBNET_A }] }],
        TargetCapacitySpecification: { TotalTargetCapacity: 1, DefaultTargetCapacityType: 'spot' },
      }),
    );
    fake.server.tick();
    const [first] = [...fake.server.instances.values()];
    expect(first.owner).toBe(created.FleetId);
    fake.server.interruptSpot(first.instanceId);
    fake.advance(119_000);
    fake.server.tick();
    expect(fake.server.instances.size).toBe(1);
    fake.advance(1000);
    fake.server.tick();
    fake.advance(1000);
    fake.server.tick();
    expect([...fake.server.instances.values()].map((entry) => entry.state)).toEqual(['terminated', 'pending']);
  });
});
