import { CreateFleetCommand, DescribeInstancesCommand, DescribeSubnetsCommand, RequestSpotFleetCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import { IMAGE, rejectionOf, startFakeEndpoint, SUBNET_A, SUBNET_B, type FakeEndpoint } from './fake-endpoint.js';

describe('fake EC2: subnets and zones', () => {
  let fake: FakeEndpoint;
  afterEach(() => fake.close());

  const run = (subnetId: string, count = 1) => fake.ec2.send(new RunInstancesCommand({ ImageId: IMAGE, InstanceType: 't3.small', MinCount: count, MaxCount: count, SubnetId: subnetId }));

  it('describes configured subnets; an unknown id is InvalidSubnetID.NotFound; instances take the zone and an address', async () => {
    fake = await startFakeEndpoint({ subnets: { 'subnet-aaa': { zone: 'us-east-1c', freeAddresses: 2, vpcId: 'vpc-1' }, 'subnet-bbb': { zone: 'us-east-1d' } } });
    const described = (await fake.ec2.send(new DescribeSubnetsCommand({ SubnetIds: ['subnet-aaa'] }))).Subnets![0];
    expect(described).toMatchObject({ SubnetId: 'subnet-aaa', AvailabilityZone: 'us-east-1c', AvailabilityZoneId: 'use1-az3', AvailableIpAddressCount: 2, VpcId: 'vpc-1', State: 'available' });
    expect(described.CidrBlock).toMatch(/^10\.\d+\.\d+\.0\/20$/);
    const byZone = await fake.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'availability-zone', Values: ['us-east-1d'] }] }));
    expect(byZone.Subnets!.map((subnet) => subnet.SubnetId)).toEqual(['subnet-bbb']);
    const unknown = await rejectionOf(fake.ec2.send(new DescribeSubnetsCommand({ SubnetIds: ['subnet-zzz'] })));
    expect([unknown.name, unknown.message]).toEqual(['InvalidSubnetID.NotFound', "The subnet ID 'subnet-zzz' does not exist"]);
    expect((await rejectionOf(run('subnet-zzz'))).name).toBe('InvalidSubnetID.NotFound');

    const launched = await run('subnet-aaa');
    expect(launched.Instances![0].Placement?.AvailabilityZone).toBe('us-east-1c');
    expect((await fake.ec2.send(new DescribeSubnetsCommand({ SubnetIds: ['subnet-aaa'] }))).Subnets![0].AvailableIpAddressCount).toBe(1);
    const full = await rejectionOf(run('subnet-aaa', 2));
    expect(full.name).toBe('InsufficientFreeAddressesInSubnet');
    expect(fake.server.subnetZone('subnet-bbb')).toBe('us-east-1d');
  });

  it('without configuration answers any subnet-* id in a zone derived from the id', async () => {
    fake = await startFakeEndpoint();
    expect([fake.server.subnetZone(SUBNET_A), fake.server.subnetZone(SUBNET_B)]).toEqual(['us-east-1b', 'us-east-1d']);
    const described = await fake.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [SUBNET_A, SUBNET_B] }));
    expect(described.Subnets!.map((subnet) => subnet.AvailabilityZone)).toEqual(['us-east-1b', 'us-east-1d']);
    const id = (await run(SUBNET_B)).Instances![0].InstanceId!;
    const seen = await fake.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
    expect(seen.Reservations![0].Instances![0].Placement?.AvailabilityZone).toBe('us-east-1d');
  });

  it('refuses fleets with two subnets of one zone for one instance type: InvalidFleetConfig / InvalidSpotFleetRequestConfig', async () => {
    fake = await startFakeEndpoint({ subnets: { 'subnet-1': { zone: 'us-east-1a' }, 'subnet-2': { zone: 'us-east-1a' }, 'subnet-3': { zone: 'us-east-1b' } } });
    const templateId = await fake.launchTemplate('lt');
    const config = (subnets: string[]) => [{ LaunchTemplateSpecification: { LaunchTemplateId: templateId, Version: '$Default' }, Overrides: subnets.map((SubnetId) => ({ InstanceType: 'm5.large' as const, SubnetId })) }];
    for (const Type of ['instant', 'maintain'] as const) {
      const refused = await rejectionOf(
        fake.ec2.send(new CreateFleetCommand({ Type, LaunchTemplateConfigs: config(['subnet-1', 'subnet-2']), TargetCapacitySpecification: { TotalTargetCapacity: 1, DefaultTargetCapacityType: 'on-demand' } })),
      );
      expect([refused.name, refused.message]).toEqual(['InvalidFleetConfig', 'The fleet configuration contains duplicate instance pools.']);
    }
    const spot = await rejectionOf(
      fake.ec2.send(new RequestSpotFleetCommand({ SpotFleetRequestConfig: { IamFleetRole: 'arn:aws:iam::123456789012:role/r', TargetCapacity: 1, LaunchTemplateConfigs: config(['subnet-1', 'subnet-2']) } })),
    );
    expect(spot.name).toBe('InvalidSpotFleetRequestConfig');
    const fine = await fake.ec2.send(
      new CreateFleetCommand({ Type: 'instant', LaunchTemplateConfigs: config(['subnet-1', 'subnet-3']), TargetCapacitySpecification: { TotalTargetCapacity: 2, DefaultTargetCapacityType: 'on-demand' } }),
    );
    expect(fine.Instances!.map((entry) => entry.LaunchTemplateAndOverrides?.Overrides?.AvailabilityZone).sort()).toEqual(['us-east-1a', 'us-east-1b']);
  });
});
