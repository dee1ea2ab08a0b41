import { beforeEach, describe, expect, it } from 'vitest';
import {
  DeleteFleetsCommand,
  DescribeFleetInstancesCommand,
  DescribeFleetsCommand,
  DescribeInstancesCommand,
  DescribeSpotFleetInstancesCommand,
  DescribeSpotFleetRequestsCommand,
  ModifyFleetCommand,
  ModifySpotFleetRequestCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import type { Machine } from '../../../../src/domain/machine.js';
import { asgMock, ec2Mock, inputsOf, makeProvider, RecordingLease, resetMocks } from './aws-test-kit.js';
import { anAwsMachine, anAwsRequest } from '../../../support/mothers.js';

interface FleetState {
  total: number;
  onDemand: number;
  active: string[];
  /** Describes answered `modifying` before the fleet settles. */
  modifyingFor: number;
}

/** One EC2 maintain fleet `fleet-m` as AWS would answer: ModifyFleet sets its target, TerminateInstances removes hosts from it. */
function fakeFleet(initial: Partial<FleetState> & { active: string[] }): FleetState {
  const state: FleetState = { total: initial.active.length, onDemand: 0, modifyingFor: 0, ...initial };
  ec2Mock.on(DescribeFleetsCommand).callsFake(() => {
    const modifying = state.modifyingFor > 0;
    state.modifyingFor -= 1;
    const spec = { TotalTargetCapacity: state.total, OnDemandTargetCapacity: state.onDemand };
    return { Fleets: [{ FleetId: 'fleet-m', FleetState: modifying ? 'modifying' : 'active', Type: 'maintain', FulfilledCapacity: state.active.length, TargetCapacitySpecification: spec }] };
  });
  ec2Mock.on(DescribeFleetInstancesCommand).callsFake(() => ({ ActiveInstances: state.active.map((InstanceId) => ({ InstanceId, InstanceType: 'm5.large' })) }));
  ec2Mock.on(ModifyFleetCommand).callsFake((input: { TargetCapacitySpecification: { TotalTargetCapacity: number; OnDemandTargetCapacity: number } }) => {
    state.total = input.TargetCapacitySpecification.TotalTargetCapacity;
    state.onDemand = input.TargetCapacitySpecification.OnDemandTargetCapacity;
    return {};
  });
  ec2Mock.on(TerminateInstancesCommand).callsFake((input: { InstanceIds: string[] }) => {
    state.active = state.active.filter((id) => !input.InstanceIds.includes(id));
    return {};
  });
  return state;
}

/** The request of fleet-m: still filling (`running`) or settled; it asked for `units` (on demand: `onDemandUnits`). */
const owner = (status: 'running' | 'complete' = 'running', units = 10, onDemandUnits = 4) =>
  anAwsRequest({ api: 'EC2Fleet', fleetType: 'maintain', fleetId: 'fleet-m', units, onDemandUnits }, { status });
const spot = (...ids: string[]) => ids.map((id) => anAwsMachine(id, { priceType: 'spot', resourceId: 'fleet-m' }));
const targets = () => inputsOf(ec2Mock, ModifyFleetCommand).map((input) => input.TargetCapacitySpecification);

describe('releasing hosts of maintain fleets', () => {
  beforeEach(() => {
    resetMocks();
    ec2Mock.on(DeleteFleetsCommand).resolves({});
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
  });

  it('still filling: lowers the target by the leaving units the fleet runs; releasing them again changes nothing more', async () => {
    const fleet = fakeFleet({ total: 4, active: ['i-1', 'i-2'] });
    const { provider } = makeProvider();
    const tracked = spot('i-1', 'i-2');
    expect(await provider.release(tracked.slice(0, 1), [owner('running', 4, 0)], tracked)).toEqual({ failed: {} });
    expect(await provider.release(tracked.slice(0, 1), [owner('running', 4, 0)], tracked)).toEqual({ failed: {} });
    expect(targets()).toEqual([{ TotalTargetCapacity: 3, OnDemandTargetCapacity: 0, SpotTargetCapacity: 3 }]);
    expect(fleet).toMatchObject({ total: 3, active: ['i-2'] });
  });

  it('settled: sets the target to the tracked hosts it keeps, never raises it, and a second release changes nothing more', async () => {
    fakeFleet({ total: 4, active: ['i-1', 'i-2', 'i-3'] });
    const { provider } = makeProvider();
    const tracked = spot('i-1', 'i-2', 'i-3');
    await provider.release(tracked.slice(0, 1), [owner('complete')], tracked);
    await provider.release(tracked.slice(0, 1), [owner('complete')], tracked);
    expect(targets()).toEqual([{ TotalTargetCapacity: 2, OnDemandTargetCapacity: 0, SpotTargetCapacity: 2 }]);

    resetMocks();
    fakeFleet({ total: 1, active: ['i-1', 'i-2', 'i-3'] });
    await makeProvider().provider.release(tracked.slice(0, 1), [owner('complete')], tracked);
    expect(ec2Mock.commandCalls(ModifyFleetCommand)).toHaveLength(0);
  });

  it('lowers the on-demand target by the on-demand units leaving, the total by all units leaving', async () => {
    fakeFleet({ total: 10, onDemand: 4, active: ['i-od1', 'i-od2', 'i-s1', 'i-s2'] });
    const { provider } = makeProvider();
    const tracked: Machine[] = [
      anAwsMachine('i-od1', { priceType: 'ondemand', weight: 2 }),
      anAwsMachine('i-od2', { priceType: 'ondemand', weight: 2 }),
      ...spot('i-s1', 'i-s2'),
    ];
    await provider.release([tracked[0], tracked[2]], [owner()], tracked);
    expect(targets()).toEqual([{ TotalTargetCapacity: 7, OnDemandTargetCapacity: 2, SpotTargetCapacity: 5 }]);
  });

  it('settled: the on-demand target is the on-demand units of the tracked hosts it keeps', async () => {
    fakeFleet({ total: 10, onDemand: 6, active: ['i-od1', 'i-od2', 'i-s1', 'i-s2'] });
    const { provider } = makeProvider();
    const tracked: Machine[] = [anAwsMachine('i-od1', { weight: 2 }), anAwsMachine('i-od2', { weight: 2 }), ...spot('i-s1', 'i-s2')];
    await provider.release([tracked[0]], [owner('complete')], tracked);
    expect(targets()).toEqual([{ TotalTargetCapacity: 4, OnDemandTargetCapacity: 2, SpotTargetCapacity: 2 }]);
  });

  it('settled: terminates hosts of the fleet the store does not know, and logs them; not while the request still fills', async () => {
    fakeFleet({ total: 3, active: ['i-1', 'i-2', 'i-replacement'] });
    const { provider, logger } = makeProvider();
    const tracked = spot('i-1', 'i-2');
    await provider.release(tracked.slice(0, 1), [owner()], tracked);
    expect(inputsOf(ec2Mock, TerminateInstancesCommand)).toEqual([{ InstanceIds: ['i-1'] }]);

    resetMocks();
    const fleet = fakeFleet({ total: 3, active: ['i-1', 'i-2', 'i-replacement'] });
    const settled = makeProvider();
    await settled.provider.release(tracked.slice(0, 1), [owner('complete')], tracked);
    expect(inputsOf(ec2Mock, TerminateInstancesCommand).map((input) => input.InstanceIds)).toEqual([['i-replacement'], ['i-1']]);
    expect(fleet).toMatchObject({ total: 1, active: ['i-2'] });
    expect(settled.logger.lines).toContainEqual(expect.objectContaining({ message: 'untracked instance terminated', fields: expect.objectContaining({ instanceId: 'i-replacement' }) }));
  });

  it('waits while the fleet is modifying, and lowers the target it shows once settled', async () => {
    const fleet = fakeFleet({ total: 5, active: ['i-1', 'i-2', 'i-3', 'i-4', 'i-5'], modifyingFor: 1 });
    const { provider } = makeProvider();
    await provider.release(spot('i-1'), [owner('running', 5, 0)], spot('i-1', 'i-2', 'i-3', 'i-4', 'i-5'));
    expect(ec2Mock.commandCalls(DescribeFleetsCommand)).toHaveLength(2);
    expect(fleet.total).toBe(4);
  });

  it('takes the store lease of each fleet and group it changes', async () => {
    fakeFleet({ total: 2, active: ['i-1', 'i-2'] });
    ec2Mock.on(DescribeSpotFleetRequestsCommand).resolves({
      SpotFleetRequestConfigs: [{ SpotFleetRequestId: 'sfr-1', SpotFleetRequestState: 'active', SpotFleetRequestConfig: { IamFleetRole: 'r', Type: 'maintain', TargetCapacity: 2 } }],
    });
    ec2Mock.on(DescribeSpotFleetInstancesCommand).resolves({ ActiveInstances: [{ InstanceId: 'i-3' }, { InstanceId: 'i-4' }] });
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    let lease: RecordingLease | undefined;
    const { provider } = makeProvider({}, { lease: (clock) => (lease = new RecordingLease(clock)) });
    await provider.release(
      [...spot('i-1'), anAwsMachine('i-3', { requestId: 'req-spot' }), anAwsMachine('i-5', { requestId: 'req-asg' })],
      [
        owner(),
        anAwsRequest({ api: 'SpotFleet', fleetType: 'maintain', spotFleetRequestId: 'sfr-1' }, { requestId: 'req-spot' }),
        anAwsRequest({ api: 'ASG', asgName: 'hostfactory-req-asg' }, { requestId: 'req-asg' }),
      ],
    );
    expect(lease?.resources.sort()).toEqual(['asg:hostfactory-req-asg', 'ec2-fleet:fleet-m', 'spot-fleet:sfr-1']);
  });
});

describe('stopReplacing on fleets', () => {
  beforeEach(() => resetMocks());

  it('lowers a settled maintain fleet for a reclaimed host without terminating it; asking again changes nothing', async () => {
    const fleet = fakeFleet({ total: 3, active: ['i-1', 'i-2', 'i-3'] });
    const { provider } = makeProvider();
    const tracked = spot('i-1', 'i-2', 'i-3');
    await provider.stopReplacing(tracked.slice(0, 1), [owner('complete')], tracked);
    await provider.stopReplacing(tracked.slice(0, 1), [owner('complete')], tracked);
    expect(targets()).toEqual([{ TotalTargetCapacity: 2, OnDemandTargetCapacity: 0, SpotTargetCapacity: 2 }]);
    expect(ec2Mock.commandCalls(TerminateInstancesCommand)).toHaveLength(0);
    expect(fleet.active).toEqual(['i-1', 'i-2', 'i-3']);
  });

  it('lowers a maintain Spot Fleet per market', async () => {
    ec2Mock.on(DescribeSpotFleetRequestsCommand).resolves({
      SpotFleetRequestConfigs: [
        { SpotFleetRequestId: 'sfr-1', SpotFleetRequestState: 'active', SpotFleetRequestConfig: { IamFleetRole: 'r', Type: 'maintain', TargetCapacity: 4, OnDemandTargetCapacity: 2 } },
      ],
    });
    ec2Mock.on(DescribeSpotFleetInstancesCommand).resolves({ ActiveInstances: ['i-od', 'i-1', 'i-2'].map((InstanceId) => ({ InstanceId })) });
    const { provider } = makeProvider();
    const request = anAwsRequest({ api: 'SpotFleet', fleetType: 'maintain', spotFleetRequestId: 'sfr-1' });
    const tracked = [anAwsMachine('i-od', { weight: 2 }), anAwsMachine('i-1', { priceType: 'spot' }), anAwsMachine('i-2', { priceType: 'spot' })];
    await provider.stopReplacing([tracked[0]], [request], tracked);
    expect(inputsOf(ec2Mock, ModifySpotFleetRequestCommand)).toEqual([
      { SpotFleetRequestId: 'sfr-1', TargetCapacity: 2, OnDemandTargetCapacity: 0, ExcessCapacityTerminationPolicy: 'noTermination' },
    ]);
  });

  it('leaves request and instant fleets alone: they never replace a host', async () => {
    const { provider } = makeProvider();
    const requests = [
      anAwsRequest({ api: 'EC2Fleet', fleetType: 'request', fleetId: 'fleet-r' }),
      anAwsRequest({ api: 'EC2Fleet', fleetType: 'instant', fleetId: 'fleet-i' }, { requestId: 'req-i' }),
    ];
    await provider.stopReplacing([anAwsMachine('i-1'), anAwsMachine('i-2', { requestId: 'req-i' })], requests, []);
    expect(ec2Mock.calls()).toHaveLength(0);
  });

  // KNOWN BUG (see report): for a request still filling, each call lowers the target again by the
  // reclaimed host (getReturnRequests calls stopReplacing on every poll until the host is gone), so
  // the fleet shrinks 3 → 2 → 1 instead of staying at 3. Remove `.fails` once src is fixed.
  it('still filling: asking again for the same reclaimed host changes nothing more', async () => {
    fakeFleet({ total: 4, active: ['i-1', 'i-2'] });
    const { provider } = makeProvider();
    const tracked = spot('i-1', 'i-2');
    for (let poll = 0; poll < 3; poll += 1) await provider.stopReplacing(tracked.slice(0, 1), [owner('running', 4, 0)], tracked);
    expect(targets().map((target) => target.TotalTargetCapacity)).toEqual([3]);
  });
});
