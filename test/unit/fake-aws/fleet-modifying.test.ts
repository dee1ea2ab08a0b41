import {
  CreateFleetCommand,
  DescribeFleetHistoryCommand,
  DescribeFleetsCommand,
  DescribeSpotFleetRequestsCommand,
  ModifyFleetCommand,
  ModifySpotFleetRequestCommand,
  RequestSpotFleetCommand,
} from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rejectionOf, startFakeEndpoint, SUBNET_A, type FakeEndpoint } from './fake-endpoint.js';

describe('fake EC2: fleets in the modifying state', () => {
  let fake: FakeEndpoint;
  beforeEach(async () => {
    fake = await startFakeEndpoint();
  });
  afterEach(() => fake.close());

  it('EC2 Fleet: modifying with the old target for transitionMs, a second modify refused, then active with the new target', async () => {
    const templateId = await fake.launchTemplate('lt');
    const { FleetId } = await fake.ec2.send(
      new CreateFleetCommand({
        Type: 'maintain',
        LaunchTemplateConfigs: [{ LaunchTemplateSpecification: { LaunchTemplateId: templateId, Version: '$Default' }, Overrides: [{ InstanceType: 'm5.large', SubnetId: SUBNET_A }] }],
        TargetCapacitySpecification: { TotalTargetCapacity: 3, OnDemandTargetCapacity: 3, DefaultTargetCapacityType: 'on-demand' },
      }),
    );
    const fleet = async () => (await fake.ec2.send(new DescribeFleetsCommand({ FleetIds: [FleetId!] }))).Fleets![0];
    expect((await fleet()).FleetState).toBe('active');
    await fake.ec2.send(new ModifyFleetCommand({ FleetId, TargetCapacitySpecification: { TotalTargetCapacity: 1, OnDemandTargetCapacity: 1 }, ExcessCapacityTerminationPolicy: 'termination' }));
    expect(await fleet()).toMatchObject({ FleetState: 'modifying', TargetCapacitySpecification: { TotalTargetCapacity: 3 }, FulfilledCapacity: 3 });
    const second = await rejectionOf(fake.ec2.send(new ModifyFleetCommand({ FleetId, TargetCapacitySpecification: { TotalTargetCapacity: 2 } })));
    expect([second.name, second.$metadata?.httpStatusCode]).toEqual(['FleetNotInModifiableState', 400]);
    fake.advance(1000);
    expect(await fleet()).toMatchObject({ FleetState: 'active', TargetCapacitySpecification: { TotalTargetCapacity: 1 }, FulfilledCapacity: 1 });
    const history = (await fake.ec2.send(new DescribeFleetHistoryCommand({ FleetId, StartTime: new Date(0), EventType: 'fleet-change' }))).HistoryRecords!;
    expect(history.map((record) => [record.EventType, record.EventInformation?.EventSubType])).toEqual([
      ['fleet-change', 'modify_in_progress'],
      ['fleet-change', 'modify_succeeded'],
    ]);
  });

  it('Spot Fleet: the same', async () => {
    const templateId = await fake.launchTemplate('lt');
    const { SpotFleetRequestId } = await fake.ec2.send(
      new RequestSpotFleetCommand({
        SpotFleetRequestConfig: {
          IamFleetRole: 'arn:aws:iam::123456789012:role/fleet',
          Type: 'maintain',
          TargetCapacity: 2,
          LaunchTemplateConfigs: [{ LaunchTemplateSpecification: { LaunchTemplateId: templateId, Version: '$Default' }, Overrides: [{ InstanceType: 'm5.large', SubnetId: SUBNET_A }] }],
        },
      }),
    );
    const fleet = async () => (await fake.ec2.send(new DescribeSpotFleetRequestsCommand({ SpotFleetRequestIds: [SpotFleetRequestId!] }))).SpotFleetRequestConfigs![0];
    fake.server.tick();
    await fake.ec2.send(new ModifySpotFleetRequestCommand({ SpotFleetRequestId, TargetCapacity: 4 }));
    expect(await fleet()).toMatchObject({ SpotFleetRequestState: 'modifying', SpotFleetRequestConfig: { TargetCapacity: 2 } });
    expect((await rejectionOf(fake.ec2.send(new ModifySpotFleetRequestCommand({ SpotFleetRequestId, TargetCapacity: 5 })))).name).toBe('FleetNotInModifiableState');
    fake.advance(1000);
    expect(await fleet()).toMatchObject({ SpotFleetRequestState: 'active', SpotFleetRequestConfig: { TargetCapacity: 4 } });
    fake.advance(1000);
    expect((await fleet()).SpotFleetRequestConfig?.FulfilledCapacity).toBe(4);
  });
});
