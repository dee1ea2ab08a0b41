import { beforeEach, describe, expect, it } from 'vitest';
import {
  CancelSpotFleetRequestsCommand,
  DeleteFleetsCommand,
  DescribeFleetHistoryCommand,
  DescribeFleetInstancesCommand,
  DescribeFleetsCommand,
  DescribeInstancesCommand,
  DescribeSpotFleetInstancesCommand,
  DescribeSpotFleetRequestHistoryCommand,
  DescribeSpotFleetRequestsCommand,
  ModifyFleetCommand,
  ModifySpotFleetRequestCommand,
} from '@aws-sdk/client-ec2';
import type { TrackedRequest } from '../../../../src/domain/ports/cloud-provider.js';
import { ec2Mock, inputsOf, instance, makeProvider, NOW, REQUEST_ID, resetMocks } from './aws-test-kit.js';
import { anAwsRequest, anAwsTemplate } from '../../../support/mothers.js';

const template = anAwsTemplate({ priceType: 'spot', vmType: undefined, vmTypes: { 'm5.large': 1, 'm5.xlarge': 2 }, fleetRole: 'arn:aws:iam::1:role/fleet' });

const ec2Fleet = (type: 'maintain' | 'request', state: string, total: number, fulfilled: number, activity?: string) => ({
  Fleets: [{ FleetId: 'fleet-1', FleetState: state as never, Type: type, ActivityStatus: activity as never, FulfilledCapacity: fulfilled, TargetCapacitySpecification: { TotalTargetCapacity: total, OnDemandTargetCapacity: 0 } }],
});
const listing = (...entries: Array<[string, string]>) => ({ ActiveInstances: entries.map(([InstanceId, InstanceType]) => ({ InstanceId, InstanceType: InstanceType as never })) });
const tracked = (data: Record<string, unknown>): TrackedRequest => ({ request: anAwsRequest({ validUntil: NOW + 600_000, ...data }), template, machines: [] });
const report = async (entry: TrackedRequest) => (await makeProvider().provider.describeRequests([entry])).get(REQUEST_ID)!;

describe('how an EC2 Fleet request ends', () => {
  beforeEach(() => {
    resetMocks();
    ec2Mock.on(DescribeInstancesCommand).callsFake((input: { InstanceIds: string[] }) => ({ Reservations: [{ Instances: input.InstanceIds.map((id) => instance({ id })) }] }));
    ec2Mock.on(DescribeFleetHistoryCommand).resolves({
      HistoryRecords: [{ EventType: 'service-error', EventInformation: { EventSubType: 'launchSpecUnusable', EventDescription: 'The image id ami-1 does not exist' } }],
    });
    ec2Mock.on(ModifyFleetCommand).resolves({ Return: true });
    ec2Mock.on(DeleteFleetsCommand).resolves({});
  });

  it('makes the request final on the poll that sees the fleet in error, long before its expiry, and sets a maintain fleet to what runs', async () => {
    ec2Mock.on(DescribeFleetsCommand).resolves(ec2Fleet('maintain', 'active', 8, 2, 'error'));
    ec2Mock.on(DescribeFleetInstancesCommand).resolves(listing(['i-1', 'm5.large'], ['i-2', 'm5.large']));
    const seen = await report(tracked({ api: 'EC2Fleet', fleetType: 'maintain', fleetId: 'fleet-1' }));
    const message = 'EC2 Fleet active, in error: launchSpecUnusable: The image id ami-1 does not exist';
    expect(seen).toMatchObject({ final: true, message, providerData: { final: true, finalMessage: message } });
    expect(seen.machines.map((machine) => machine.machineId)).toEqual(['i-1', 'i-2']);
    expect(inputsOf(ec2Mock, ModifyFleetCommand)).toEqual([
      { FleetId: 'fleet-1', ExcessCapacityTerminationPolicy: 'no-termination', TargetCapacitySpecification: { TotalTargetCapacity: 2, OnDemandTargetCapacity: 0, SpotTargetCapacity: 2 } },
    ]);
    expect(ec2Mock.commandCalls(DeleteFleetsCommand)).toHaveLength(0);
  });

  // KNOWN BUG (see report): FleetReleaser.stopGrowing weighs a listed host by the stored machine's
  // weight, else 1, so on the poll that ends the fleet (its hosts not stored yet) an m5.xlarge of
  // weight 2 counts 1: the target becomes 2 units while 3 run. Remove `.fails` once src is fixed.
  it('counts what runs in weighted units when it sets a short maintain fleet to what runs', async () => {
    ec2Mock.on(DescribeFleetsCommand).resolves(ec2Fleet('maintain', 'active', 8, 3, 'error'));
    ec2Mock.on(DescribeFleetInstancesCommand).resolves(listing(['i-1', 'm5.large'], ['i-2', 'm5.xlarge']));
    await report(tracked({ api: 'EC2Fleet', fleetType: 'maintain', fleetId: 'fleet-1' }));
    expect(inputsOf(ec2Mock, ModifyFleetCommand).map((input) => input.TargetCapacitySpecification.TotalTargetCapacity)).toEqual([3]);
  });

  it('deletes a request fleet that ended short but keeps the hosts it launched', async () => {
    ec2Mock.on(DescribeFleetsCommand).resolves(ec2Fleet('request', 'active', 4, 1, 'error'));
    ec2Mock.on(DescribeFleetInstancesCommand).resolves(listing(['i-1', 'm5.large']));
    const seen = await report(tracked({ api: 'EC2Fleet', fleetType: 'request', fleetId: 'fleet-1' }));
    expect(seen).toMatchObject({ final: true, message: expect.stringMatching(/^EC2 Fleet active, in error: /) });
    expect(inputsOf(ec2Mock, DeleteFleetsCommand)).toEqual([{ FleetIds: ['fleet-1'], TerminateInstances: false }]);
    expect(ec2Mock.commandCalls(ModifyFleetCommand)).toHaveLength(0);
  });

  it('deletes a fleet that expired with nothing running, its instances with it', async () => {
    ec2Mock.on(DescribeFleetsCommand).resolves(ec2Fleet('maintain', 'active', 4, 0, 'pending_fulfillment'));
    ec2Mock.on(DescribeFleetInstancesCommand).resolves(listing());
    const seen = await report(tracked({ api: 'EC2Fleet', fleetType: 'maintain', fleetId: 'fleet-1', validUntil: NOW - 1 }));
    expect(seen).toMatchObject({ final: true, machines: [], message: 'EC2 Fleet active, expired: launchSpecUnusable: The image id ami-1 does not exist' });
    expect(inputsOf(ec2Mock, DeleteFleetsCommand)).toEqual([{ FleetIds: ['fleet-1'], TerminateInstances: true }]);
  });

  it('leaves a fleet that fills normally alone', async () => {
    ec2Mock.on(DescribeFleetsCommand).resolves(ec2Fleet('maintain', 'active', 4, 2, 'pending_fulfillment'));
    ec2Mock.on(DescribeFleetInstancesCommand).resolves(listing(['i-1', 'm5.large'], ['i-2', 'm5.large']));
    const seen = await report(tracked({ api: 'EC2Fleet', fleetType: 'maintain', fleetId: 'fleet-1', historyReadUntil: NOW - 10_000 }));
    expect(seen.final).toBe(false);
    expect(ec2Mock.commandCalls(DescribeFleetHistoryCommand), 'read for the capacity memory 10 s ago: not again yet').toHaveLength(0);
    expect(ec2Mock.commandCalls(ModifyFleetCommand)).toHaveLength(0);
    expect(ec2Mock.commandCalls(DeleteFleetsCommand)).toHaveLength(0);
  });
});

describe('how a Spot Fleet request ends', () => {
  const spotFleet = (type: 'maintain' | 'request', total: number, fulfilled: number, activity?: string) => ({
    SpotFleetRequestConfigs: [
      { SpotFleetRequestId: 'sfr-1', SpotFleetRequestState: 'active' as const, ActivityStatus: activity as never, SpotFleetRequestConfig: { IamFleetRole: 'r', Type: type, TargetCapacity: total, FulfilledCapacity: fulfilled } },
    ],
  });

  beforeEach(() => {
    resetMocks();
    ec2Mock.on(DescribeInstancesCommand).callsFake((input: { InstanceIds: string[] }) => ({ Reservations: [{ Instances: input.InstanceIds.map((id) => instance({ id })) }] }));
    ec2Mock.on(DescribeSpotFleetRequestHistoryCommand).resolves({ HistoryRecords: [{ EventType: 'error', EventInformation: { EventSubType: 'iamFleetRoleInvalid' } }] });
    ec2Mock.on(ModifySpotFleetRequestCommand).resolves({ Return: true });
    ec2Mock.on(CancelSpotFleetRequestsCommand).resolves({});
  });

  it('makes the request final on the poll that sees the fleet in error and sets a maintain fleet to what runs', async () => {
    ec2Mock.on(DescribeSpotFleetRequestsCommand).resolves(spotFleet('maintain', 6, 1, 'error'));
    ec2Mock.on(DescribeSpotFleetInstancesCommand).resolves(listing(['i-1', 'm5.large']));
    const seen = await report(tracked({ api: 'SpotFleet', fleetType: 'maintain', spotFleetRequestId: 'sfr-1' }));
    expect(seen).toMatchObject({ final: true, message: 'spot fleet active, in error: iamFleetRoleInvalid' });
    expect(inputsOf(ec2Mock, ModifySpotFleetRequestCommand)).toEqual([
      { SpotFleetRequestId: 'sfr-1', TargetCapacity: 1, OnDemandTargetCapacity: 0, ExcessCapacityTerminationPolicy: 'noTermination' },
    ]);
    expect(ec2Mock.commandCalls(CancelSpotFleetRequestsCommand)).toHaveLength(0);
  });

  it('cancels a request fleet in error with nothing running, terminating its instances', async () => {
    ec2Mock.on(DescribeSpotFleetRequestsCommand).resolves(spotFleet('request', 2, 0, 'error'));
    ec2Mock.on(DescribeSpotFleetInstancesCommand).resolves(listing());
    const seen = await report(tracked({ api: 'SpotFleet', fleetType: 'request', spotFleetRequestId: 'sfr-1' }));
    expect(seen).toMatchObject({ final: true, machines: [], message: 'spot fleet active, in error: iamFleetRoleInvalid' });
    expect(inputsOf(ec2Mock, CancelSpotFleetRequestsCommand)).toEqual([{ SpotFleetRequestIds: ['sfr-1'], TerminateInstances: true }]);
  });
});
