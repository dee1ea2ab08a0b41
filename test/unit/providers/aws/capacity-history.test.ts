import { beforeEach, describe, expect, it } from 'vitest';
import { AutoScalingGroup, DescribeAutoScalingGroupsCommand, DescribeScalingActivitiesCommand } from '@aws-sdk/client-auto-scaling';
import {
  DescribeFleetHistoryCommand,
  DescribeFleetInstancesCommand,
  DescribeFleetsCommand,
  DescribeInstancesCommand,
  DescribeSpotFleetInstancesCommand,
  DescribeSpotFleetRequestHistoryCommand,
  DescribeSpotFleetRequestsCommand,
} from '@aws-sdk/client-ec2';
import type { FulfilmentReport, TrackedRequest } from '../../../../src/domain/ports/cloud-provider.js';
import { anAwsRequest, anAwsTemplate } from '../../../support/mothers.js';
import { asgMock, ec2Mock, inputsOf, makeProvider, NOW, REQUEST_ID, resetMocks } from './aws-test-kit.js';

const ICE_1A = 'm5.large, ami-1, Linux/UNIX, us-east-1a, InsufficientInstanceCapacity: We currently do not have sufficient m5.large capacity in the Availability Zone you requested (us-east-1a).';
const M5_1A_SPOT = { instanceType: 'm5.large', zone: 'us-east-1a', market: 'spot' };
const template = anAwsTemplate({ priceType: 'spot', subnetIds: ['subnet-a', 'subnet-b'] });

/** Polls `tracked` `times` times, a minute and a second apart, each poll with the provider data the previous one reported. */
async function poll(tracked: TrackedRequest, times: number): Promise<FulfilmentReport[]> {
  const { provider, clock } = makeProvider();
  const reports: FulfilmentReport[] = [];
  let request = tracked.request;
  for (let n = 0; n < times; n += 1) {
    const report = (await provider.describeRequests([{ ...tracked, request }])).get(REQUEST_ID)!;
    reports.push(report);
    request = { ...request, providerData: { ...request.providerData, ...report.providerData } };
    clock.time += 61_000;
  }
  return reports;
}

describe('pools out of capacity learnt from a fleet\'s or group\'s history', () => {
  beforeEach(() => {
    resetMocks();
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
  });

  it('EC2 Fleet: reads the service-error events of a short fleet, reports each pool once, at most once a minute', async () => {
    ec2Mock.on(DescribeFleetsCommand).resolves({
      Fleets: [{ FleetId: 'fleet-m', FleetState: 'active', ActivityStatus: 'pending_fulfillment', FulfilledCapacity: 0, TargetCapacitySpecification: { TotalTargetCapacity: 4 } as never }],
    });
    ec2Mock.on(DescribeFleetInstancesCommand).resolves({ ActiveInstances: [] });
    ec2Mock.on(DescribeFleetHistoryCommand).resolves({
      HistoryRecords: [
        { EventType: 'service-error', Timestamp: new Date(NOW - 30_000), EventInformation: { EventSubType: 'launchSpecTemporarilyBlacklisted', EventDescription: ICE_1A } },
        { EventType: 'service-error', Timestamp: new Date(NOW - 20_000), EventInformation: { EventSubType: 'launchSpecUnusable', EventDescription: 'm5.large, ami-1, Linux/UNIX, us-east-1b, Spot price is less than Spot market price $0.04' } },
      ],
      LastEvaluatedTime: new Date(NOW - 5_000),
    });
    const data = { api: 'EC2Fleet', fleetType: 'maintain', fleetId: 'fleet-m', units: 4, onDemandUnits: 0, validUntil: NOW + 3_600_000 };

    const [first, second] = await poll({ request: anAwsRequest(data), template, machines: [] }, 2);

    expect(first.unavailableOfferings).toEqual([M5_1A_SPOT]);
    expect(first.providerData).toMatchObject({ historyReadUntil: NOW - 5_000 });
    expect(second.unavailableOfferings, 'the same record is not reported again').toBeUndefined();
    expect(inputsOf(ec2Mock, DescribeFleetHistoryCommand).map((input) => [input.EventType, input.StartTime.getTime()])).toEqual([
      ['service-error', NOW - 120_000],
      ['service-error', NOW - 5_000],
    ]);
  });

  it('EC2 Fleet: a fleet at its target is read once; a short one not within a minute of the last read', async () => {
    const fleet = (fulfilled: number) => ({
      Fleets: [{ FleetId: 'fleet-m', FleetState: 'active' as const, ActivityStatus: 'pending_fulfillment' as const, FulfilledCapacity: fulfilled, TargetCapacitySpecification: { TotalTargetCapacity: 4 } as never }],
    });
    ec2Mock.on(DescribeFleetInstancesCommand).resolves({ ActiveInstances: [] });
    ec2Mock.on(DescribeFleetHistoryCommand).resolves({ HistoryRecords: [], LastEvaluatedTime: new Date(NOW) });
    const { provider } = makeProvider();
    const data = { api: 'EC2Fleet', fleetType: 'maintain', fleetId: 'fleet-m', units: 4, onDemandUnits: 0 };
    const poll = async (extra: Record<string, unknown>) => provider.describeRequests([{ request: anAwsRequest({ ...data, ...extra }), template, machines: [] }]);

    ec2Mock.on(DescribeFleetsCommand).resolves(fleet(4));
    await poll({});
    expect(ec2Mock.commandCalls(DescribeFleetHistoryCommand), 'at target, never read').toHaveLength(1);
    await poll({ historyReadUntil: NOW - 600_000 });
    ec2Mock.on(DescribeFleetsCommand).resolves(fleet(2));
    await poll({ historyReadUntil: NOW - 59_000 });
    expect(ec2Mock.commandCalls(DescribeFleetHistoryCommand)).toHaveLength(1);
  });

  it('Spot Fleet: reads its error and information events; a failing read is only logged', async () => {
    ec2Mock.on(DescribeSpotFleetRequestsCommand).resolves({
      SpotFleetRequestConfigs: [{ SpotFleetRequestId: 'sfr-1', SpotFleetRequestState: 'active', SpotFleetRequestConfig: { IamFleetRole: 'r', TargetCapacity: 4, FulfilledCapacity: 1, OnDemandTargetCapacity: 0 } }],
    });
    ec2Mock.on(DescribeSpotFleetInstancesCommand).resolves({ ActiveInstances: [] });
    ec2Mock.on(DescribeSpotFleetRequestHistoryCommand).resolvesOnce({
      HistoryRecords: [
        { EventType: 'information', Timestamp: new Date(NOW - 30_000), EventInformation: { EventSubType: 'launchSpecTemporarilyBlacklisted', EventDescription: ICE_1A } },
        { EventType: 'instanceChange', Timestamp: new Date(NOW - 30_000), EventInformation: { EventSubType: 'launched', EventDescription: ICE_1A.replace('us-east-1a', 'us-east-1b') } },
      ],
      LastEvaluatedTime: new Date(NOW),
    }).rejects(new Error('socket hang up'));
    const data = { api: 'SpotFleet', fleetType: 'request', spotFleetRequestId: 'sfr-1', units: 4, onDemandUnits: 0, validUntil: NOW + 3_600_000 };

    const [first, second] = await poll({ request: anAwsRequest(data), template, machines: [] }, 2);

    expect(first.unavailableOfferings).toEqual([M5_1A_SPOT]);
    expect(inputsOf(ec2Mock, DescribeSpotFleetRequestHistoryCommand)[0]).toMatchObject({ SpotFleetRequestId: 'sfr-1', StartTime: new Date(NOW - 120_000) });
    expect(second).toMatchObject({ final: false });
    expect(second.message ?? '').not.toContain('socket hang up');
  });

  it('Auto Scaling: reads the failed activities started since the last read, the zone from EC2\'s sentence or from Details', async () => {
    const group = { AutoScalingGroupName: 'g', DesiredCapacity: 4, MinSize: 0, MaxSize: 4, Instances: [] } as unknown as AutoScalingGroup;
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group] });
    const failed = (id: string, at: number, StatusMessage: string, Details?: string) => ({ ActivityId: id, AutoScalingGroupName: 'g', Cause: '', StartTime: new Date(at), StatusCode: 'Failed' as const, StatusMessage, Details });
    asgMock.on(DescribeScalingActivitiesCommand).resolves({
      Activities: [
        failed('b', NOW - 10_000, 'Could not launch Spot Instances. InsufficientInstanceCapacity - We currently do not have sufficient c5.large capacity. Launching EC2 instance failed.', '{"Subnet ID":"subnet-b","Availability Zone":"us-east-1b"}'),
        failed('a', NOW - 20_000, 'Could not launch On-Demand Instances. InsufficientInstanceCapacity - We currently do not have sufficient c5.xlarge capacity in the Availability Zone you requested (us-east-1a). Launching EC2 instance failed.'),
        failed('q', NOW - 30_000, 'Could not launch On-Demand Instances. VcpuLimitExceeded - You have requested more vCPU capacity than your current vCPU limit. Launching EC2 instance failed.'),
      ],
    });
    const data = { api: 'ASG', asgName: 'g', units: 4, onDemandUnits: 2, validUntil: NOW + 3_600_000 };

    const [first, second] = await poll({ request: anAwsRequest(data), template: anAwsTemplate({ providerApi: 'ASG' }), machines: [] }, 2);

    expect(first.unavailableOfferings).toEqual([
      { instanceType: 'c5.large', zone: 'us-east-1b', market: 'spot' },
      { instanceType: 'c5.xlarge', zone: 'us-east-1a', market: 'ondemand' },
    ]);
    expect(first.providerData).toMatchObject({ historyReadUntil: NOW - 10_000 });
    expect(second.unavailableOfferings).toBeUndefined();
    expect(inputsOf(asgMock, DescribeScalingActivitiesCommand)[0]).toMatchObject({ AutoScalingGroupName: 'g', MaxRecords: 100 });
  });
});
