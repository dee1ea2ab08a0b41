import {
  CreateFleetCommand,
  DescribeFleetHistoryCommand,
  DescribeFleetsCommand,
  DescribeSpotFleetRequestHistoryCommand,
  DescribeSpotFleetRequestsCommand,
  RequestSpotFleetCommand,
  RunInstancesCommand,
  type FleetLaunchTemplateConfigRequest,
  type _InstanceType,
} from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IMAGE, rejectionOf, startFakeEndpoint, SUBNET_A, SUBNET_B, type FakeEndpoint } from './fake-endpoint.js';

describe('fake EC2: fleet errors and capacity', () => {
  let fake: FakeEndpoint;
  beforeEach(async () => {
    fake = await startFakeEndpoint();
  });
  afterEach(() => fake.close());

  const configs = (templateId: string, overrides: Array<[_InstanceType, string]>): FleetLaunchTemplateConfigRequest[] => [
    { LaunchTemplateSpecification: { LaunchTemplateId: templateId, Version: '$Default' }, Overrides: overrides.map(([InstanceType, SubnetId]) => ({ InstanceType, SubnetId })) },
  ];

  it('RunInstances in a pool without capacity: InsufficientInstanceCapacity, HTTP 500, with AWS message', async () => {
    fake.server.setNoCapacity('m5.large', fake.server.subnetZone(SUBNET_A));
    const failed = await rejectionOf(fake.ec2.send(new RunInstancesCommand({ ImageId: IMAGE, InstanceType: 'm5.large', MinCount: 1, MaxCount: 1, SubnetId: SUBNET_A })));
    expect([failed.name, failed.$metadata?.httpStatusCode]).toEqual(['InsufficientInstanceCapacity', 500]);
    expect(failed.message).toMatch(/^We currently do not have sufficient m5\.large capacity in the Availability Zone you requested \(us-east-1b\)\. Our system will be working on provisioning additional capacity\. You can currently get m5\.large capacity by not specifying an Availability Zone in your request or choosing us-east-1a, us-east-1c/);
    await fake.ec2.send(new RunInstancesCommand({ ImageId: IMAGE, InstanceType: 'm5.large', MinCount: 1, MaxCount: 1, SubnetId: SUBNET_B }));
    fake.server.clearNoCapacity();
    await fake.ec2.send(new RunInstancesCommand({ ImageId: IMAGE, InstanceType: 'm5.large', MinCount: 1, MaxCount: 1, SubnetId: SUBNET_A }));
  });

  it('an instant fleet returns one Errors entry per failed pool and launches from the others', async () => {
    const templateId = await fake.launchTemplate('lt');
    fake.server.setNoCapacity('c5.xlarge');
    const created = await fake.ec2.send(
      new CreateFleetCommand({
        Type: 'instant',
        LaunchTemplateConfigs: configs(templateId, [['c5.xlarge', SUBNET_A], ['c5.xlarge', SUBNET_B], ['m5.large', SUBNET_A]]),
        TargetCapacitySpecification: { TotalTargetCapacity: 2, DefaultTargetCapacityType: 'spot' },
      }),
    );
    expect(created.FleetId).toMatch(/^fleet-/);
    expect(created.Errors!.map((error) => [error.ErrorCode, error.Lifecycle, error.LaunchTemplateAndOverrides?.Overrides?.SubnetId])).toEqual([
      ['InsufficientInstanceCapacity', 'spot', SUBNET_A],
      ['InsufficientInstanceCapacity', 'spot', SUBNET_B],
    ]);
    expect(created.Errors![0].LaunchTemplateAndOverrides?.LaunchTemplateSpecification?.LaunchTemplateId).toBe(templateId);
    expect(created.Instances!.map((entry) => [entry.InstanceType, entry.InstanceIds?.length])).toEqual([['m5.large', 2]]);
  });

  it('an instant fleet with an unknown image: a FleetId, InvalidAMIID.NotFound errors, nothing launched', async () => {
    const templateId = await fake.launchTemplate('bad', 'ami-00000000000000bad');
    const created = await fake.ec2.send(
      new CreateFleetCommand({ Type: 'instant', LaunchTemplateConfigs: configs(templateId, [['m5.large', SUBNET_A]]), TargetCapacitySpecification: { TotalTargetCapacity: 1, DefaultTargetCapacityType: 'on-demand' } }),
    );
    expect(created.FleetId).toBeDefined();
    expect(created.Errors!.map((error) => [error.ErrorCode, error.ErrorMessage])).toEqual([['InvalidAMIID.NotFound', "The image id '[ami-00000000000000bad]' does not exist"]]);
    expect(created.Instances ?? []).toEqual([]);
    expect(fake.server.instances.size).toBe(0);
  });

  it('a maintain EC2 Fleet with an unknown image: ActivityStatus error, a service-error event, nothing launched', async () => {
    const templateId = await fake.launchTemplate('bad', 'ami-00000000000000bad');
    const { FleetId } = await fake.ec2.send(
      new CreateFleetCommand({ Type: 'maintain', LaunchTemplateConfigs: configs(templateId, [['m5.large', SUBNET_A]]), TargetCapacitySpecification: { TotalTargetCapacity: 1, DefaultTargetCapacityType: 'on-demand' } }),
    );
    fake.advance(5000);
    expect((await fake.ec2.send(new DescribeFleetsCommand({ FleetIds: [FleetId!] }))).Fleets![0].ActivityStatus).toBe('error');
    const history = await fake.ec2.send(new DescribeFleetHistoryCommand({ FleetId, StartTime: new Date(0), EventType: 'service-error' }));
    expect(history.HistoryRecords!.map((record) => [record.EventType, record.EventInformation?.EventSubType, record.EventInformation?.EventDescription])).toEqual([
      ['service-error', 'spotFleetRequestConfigurationInvalid', "m5.large, ami-00000000000000bad, Linux/UNIX: The image id '[ami-00000000000000bad]' does not exist"],
    ]);
    expect(fake.server.instances.size).toBe(0);
  });

  it('a Spot Fleet skips pools without capacity, records it, reports error when nothing launches, and fills once capacity returns', async () => {
    const templateId = await fake.launchTemplate('lt');
    fake.server.setNoCapacity('m5.large', fake.server.subnetZone(SUBNET_A));
    const { SpotFleetRequestId } = await fake.ec2.send(
      new RequestSpotFleetCommand({
        SpotFleetRequestConfig: { IamFleetRole: 'arn:aws:iam::123456789012:role/r', Type: 'maintain', TargetCapacity: 2, LaunchTemplateConfigs: configs(templateId, [['m5.large', SUBNET_A], ['m5.large', SUBNET_B]]) },
      }),
    );
    fake.server.tick();
    expect([...fake.server.instances.values()].map((instance) => instance.subnetId)).toEqual([SUBNET_B, SUBNET_B]);
    const history = async (EventType?: 'error' | 'information') =>
      (await fake.ec2.send(new DescribeSpotFleetRequestHistoryCommand({ SpotFleetRequestId, StartTime: new Date(0), EventType }))).HistoryRecords!.map((record) => record.EventInformation?.EventSubType);
    expect(await history('information')).toEqual(['launchSpecTemporarilyBlacklisted']);
    expect(await history('error')).toEqual([]);

    fake.server.setNoCapacity('m5.large');
    for (const instance of fake.server.instances.values()) fake.server.terminateOutside(instance.instanceId);
    fake.advance(1000);
    fake.server.tick();
    fake.advance(1000);
    const fleet = async () => (await fake.ec2.send(new DescribeSpotFleetRequestsCommand({ SpotFleetRequestIds: [SpotFleetRequestId!] }))).SpotFleetRequestConfigs![0];
    expect((await fleet()).ActivityStatus).toBe('error');
    expect(await history('error')).toEqual(['allLaunchSpecsTemporarilyBlacklisted']);

    fake.server.clearNoCapacity();
    fake.advance(1000);
    fake.server.tick();
    expect((await fleet()).ActivityStatus).toBe('fulfilled');
  });

  it('a request fleet holds spot units in a pool without capacity (no alternative pools) and launches them there once capacity returns', async () => {
    const templateId = await fake.launchTemplate('lt');
    fake.server.setNoCapacity('m5.large', fake.server.subnetZone(SUBNET_A));
    await fake.ec2.send(
      new CreateFleetCommand({
        Type: 'request',
        LaunchTemplateConfigs: configs(templateId, [['m5.large', SUBNET_A], ['m5.large', SUBNET_B]]),
        TargetCapacitySpecification: { TotalTargetCapacity: 2, DefaultTargetCapacityType: 'spot' },
      }),
    );
    fake.server.tick();
    expect([...fake.server.instances.values()].map((instance) => instance.subnetId)).toEqual([SUBNET_B]);
    fake.advance(10_000);
    fake.server.tick();
    expect(fake.server.instances.size).toBe(1);
    fake.server.clearNoCapacity();
    fake.server.tick();
    expect([...fake.server.instances.values()].map((instance) => instance.subnetId)).toEqual([SUBNET_B, SUBNET_A]);
  });
});
