import { CreateAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  CreateFleetCommand,
  CreateTagsCommand,
  DescribeFleetsCommand,
  DescribeInstancesCommand,
  DescribeSpotFleetRequestsCommand,
  RequestSpotFleetCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IMAGE, rejectionOf, startFakeEndpoint, SUBNET_A, type FakeEndpoint } from './fake-endpoint.js';

describe('fake EC2: eventual consistency (visibility lag)', () => {
  let fake: FakeEndpoint;
  beforeEach(async () => {
    fake = await startFakeEndpoint();
  });
  afterEach(() => fake.close());

  it('hides new instances from DescribeInstances, TerminateInstances and CreateTags, and does not terminate them', async () => {
    const before = (await fake.ec2.send(new RunInstancesCommand({ ImageId: IMAGE, InstanceType: 't3.small', MinCount: 1, MaxCount: 1 }))).Instances![0].InstanceId!;
    fake.server.setVisibilityLag(3000);
    const id = (await fake.ec2.send(new RunInstancesCommand({ ImageId: IMAGE, InstanceType: 't3.small', MinCount: 1, MaxCount: 1 }))).Instances![0].InstanceId!;
    const describe = await rejectionOf(fake.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] })));
    expect([describe.name, describe.message]).toEqual(['InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`]);
    const listed = await fake.ec2.send(new DescribeInstancesCommand({}));
    expect(listed.Reservations!.flatMap((reservation) => reservation.Instances!.map((instance) => instance.InstanceId))).toEqual([before]);
    expect((await rejectionOf(fake.ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] })))).name).toBe('InvalidInstanceID.NotFound');
    expect((await rejectionOf(fake.ec2.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: 'a', Value: 'b' }] })))).name).toBe('InvalidInstanceID.NotFound');
    fake.advance(3000);
    const seen = await fake.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
    expect(seen.Reservations![0].Instances![0].State?.Name).toBe('running');
  });

  it('hides new EC2 Fleets, Spot Fleet requests and Auto Scaling groups', async () => {
    const templateId = await fake.launchTemplate('lt');
    fake.server.setVisibilityLag(2000);
    const spec = [{ LaunchTemplateSpecification: { LaunchTemplateId: templateId, Version: '$Default' }, Overrides: [{ InstanceType: 'm5.large' as const, SubnetId: SUBNET_A }] }];
    const { FleetId } = await fake.ec2.send(new CreateFleetCommand({ Type: 'maintain', LaunchTemplateConfigs: spec, TargetCapacitySpecification: { TotalTargetCapacity: 1, DefaultTargetCapacityType: 'spot' } }));
    const { SpotFleetRequestId } = await fake.ec2.send(
      new RequestSpotFleetCommand({ SpotFleetRequestConfig: { IamFleetRole: 'arn:aws:iam::123456789012:role/r', TargetCapacity: 1, LaunchTemplateConfigs: spec } }),
    );
    await fake.autoScaling.send(
      new CreateAutoScalingGroupCommand({ AutoScalingGroupName: 'g', MinSize: 0, MaxSize: 1, DesiredCapacity: 0, VPCZoneIdentifier: SUBNET_A, LaunchTemplate: { LaunchTemplateId: templateId } }),
    );
    expect((await rejectionOf(fake.ec2.send(new DescribeFleetsCommand({ FleetIds: [FleetId!] })))).name).toBe('InvalidFleetId.NotFound');
    expect((await rejectionOf(fake.ec2.send(new DescribeSpotFleetRequestsCommand({ SpotFleetRequestIds: [SpotFleetRequestId!] })))).name).toBe('InvalidSpotFleetRequestId.NotFound');
    expect((await fake.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['g'] }))).AutoScalingGroups).toEqual([]);
    fake.advance(2000);
    expect((await fake.ec2.send(new DescribeFleetsCommand({ FleetIds: [FleetId!] }))).Fleets![0].FleetId).toBe(FleetId);
    expect((await fake.ec2.send(new DescribeSpotFleetRequestsCommand({ SpotFleetRequestIds: [SpotFleetRequestId!] }))).SpotFleetRequestConfigs).toHaveLength(1);
    expect((await fake.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['g'] }))).AutoScalingGroups).toHaveLength(1);
  });

  it('takes the lag as a constructor option too', async () => {
    await fake.close();
    fake = await startFakeEndpoint({ visibilityLagMs: 500 });
    const id = (await fake.ec2.send(new RunInstancesCommand({ ImageId: IMAGE, InstanceType: 't3.small', MinCount: 1, MaxCount: 1 }))).Instances![0].InstanceId!;
    expect((await rejectionOf(fake.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] })))).name).toBe('InvalidInstanceID.NotFound');
  });
});
