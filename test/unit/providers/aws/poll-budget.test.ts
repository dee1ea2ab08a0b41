import { beforeEach, describe, expect, it } from 'vitest';
import {
  DescribeFleetInstancesCommand,
  DescribeFleetsCommand,
  DescribeInstancesCommand,
  DescribeSpotFleetInstancesCommand,
  DescribeSpotFleetRequestsCommand,
  type Instance,
} from '@aws-sdk/client-ec2';
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import type { TrackedRequest } from '../../../../src/domain/ports/cloud-provider.js';
import { asgMock, ec2Mock, instance, makeProvider, NOW, resetMocks } from './aws-test-kit.js';
import { anAwsMachine, anAwsRequest, anAwsTemplate } from '../../../support/mothers.js';

const id = (n: number) => `i-${n.toString(16).padStart(17, '0')}`;

/** 60 RunInstances requests of 25 instances each (1,500 instances), plus fleets of every kind. */
function trackedRequests(): TrackedRequest[] {
  const template = anAwsTemplate();
  const tracked: TrackedRequest[] = [];
  let next = 1;
  for (let r = 0; r < 60; r += 1) {
    const ids = Array.from({ length: 25 }, () => id(next++));
    tracked.push({
      request: anAwsRequest({ api: 'RunInstances', instanceIds: ids }, { requestId: `req-run-${r}`, machineCount: 25 }),
      template,
      machines: ids.slice(0, 10).map((machineId) => anAwsMachine(machineId, { requestId: `req-run-${r}`, status: 'pending' })),
    });
  }
  for (let f = 0; f < 5; f += 1) {
    // Their history was read for the capacity memory half a minute ago: not again this poll (capacity-history.test.ts).
    tracked.push({ request: anAwsRequest({ api: 'EC2Fleet', fleetType: 'maintain', fleetId: `fleet-${f}`, validUntil: NOW + 60_000, historyReadUntil: NOW - 30_000 }, { requestId: `req-fleet-${f}` }), template, machines: [] });
    tracked.push({ request: anAwsRequest({ api: 'EC2Fleet', fleetType: 'instant', fleetId: `fleet-i${f}`, instanceIds: [id(next++)] }, { requestId: `req-instant-${f}` }), template, machines: [] });
    tracked.push({ request: anAwsRequest({ api: 'SpotFleet', fleetType: 'request', spotFleetRequestId: `sfr-${f}`, validUntil: NOW + 60_000, historyReadUntil: NOW - 30_000 }, { requestId: `req-spot-${f}` }), template, machines: [] });
  }
  return tracked;
}

describe('one status poll over many requests', () => {
  beforeEach(() => {
    resetMocks();
    ec2Mock.on(DescribeInstancesCommand).callsFake((input: { InstanceIds: string[] }) => ({
      Reservations: [{ Instances: input.InstanceIds.map((instanceId): Instance => instance({ id: instanceId, state: 'pending', LaunchTime: new Date(NOW - 10_000) })) }],
    }));
    ec2Mock.on(DescribeFleetsCommand).callsFake((input: { FleetIds: string[] }) => ({
      Fleets: input.FleetIds.map((FleetId) => ({ FleetId, FleetState: 'active', FulfilledCapacity: 0, TargetCapacitySpecification: { TotalTargetCapacity: 4 } })),
    }));
    ec2Mock.on(DescribeFleetInstancesCommand).resolves({ ActiveInstances: [] });
    ec2Mock.on(DescribeSpotFleetRequestsCommand).callsFake((input: { SpotFleetRequestIds: string[] }) => ({
      SpotFleetRequestConfigs: input.SpotFleetRequestIds.map((SpotFleetRequestId) => ({
        SpotFleetRequestId,
        SpotFleetRequestState: 'active',
        SpotFleetRequestConfig: { IamFleetRole: 'r', TargetCapacity: 4, FulfilledCapacity: 0 },
      })),
    }));
    ec2Mock.on(DescribeSpotFleetInstancesCommand).resolves({ ActiveInstances: [] });
  });

  it('costs one DescribeInstances per 1000 instances, one describe per fleet kind, and one listing per request/maintain fleet', async () => {
    const { provider, clients } = makeProvider();
    const tracked = trackedRequests();
    const reports = await provider.describeRequests(tracked);

    expect(reports.size).toBe(tracked.length);
    const counts: Record<string, number> = {};
    for (const call of ec2Mock.calls()) {
      const name = call.args[0].constructor.name;
      counts[name] = (counts[name] ?? 0) + 1;
    }
    expect(counts).toEqual({
      DescribeFleetsCommand: 1,
      DescribeFleetInstancesCommand: 5,
      DescribeSpotFleetRequestsCommand: 1,
      DescribeSpotFleetInstancesCommand: 5,
      DescribeInstancesCommand: 2,
    });
    const described = ec2Mock.commandCalls(DescribeInstancesCommand).map((call) => (call.args[0].input.InstanceIds ?? []).length);
    expect(described).toEqual([1000, 505]);
    expect(clients.loaded()).toEqual(['ec2']);
    expect(asgMock.calls()).toHaveLength(0);
  });

  it('adds one DescribeAutoScalingGroups for all groups, loading the Auto Scaling client only then', async () => {
    asgMock.on(DescribeAutoScalingGroupsCommand).callsFake((input: { AutoScalingGroupNames: string[] }) => ({
      AutoScalingGroups: input.AutoScalingGroupNames.map((AutoScalingGroupName) => ({ AutoScalingGroupName, DesiredCapacity: 1, MinSize: 0, MaxSize: 1, Instances: [] })),
    }));
    const { provider, clients } = makeProvider();
    const groups: TrackedRequest[] = Array.from({ length: 30 }, (_, n) => ({
      request: anAwsRequest({ api: 'ASG', asgName: `hostfactory-req-asg-${n}`, units: 1, validUntil: NOW + 60_000 }, { requestId: `req-asg-${n}` }),
      template: anAwsTemplate(),
      machines: [],
    }));
    await provider.describeRequests([...trackedRequests(), ...groups]);
    expect(asgMock.commandCalls(DescribeAutoScalingGroupsCommand)).toHaveLength(1);
    expect(clients.loaded().sort()).toEqual(['autoscaling', 'ec2']);
  });
});
