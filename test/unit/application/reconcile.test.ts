import { describe, expect, it } from 'vitest';
import { GetRequestStatus } from '../../../src/application/get-request-status.js';
import { GetReturnRequests } from '../../../src/application/get-return-requests.js';
import { Reconcile, ReconcileSettings } from '../../../src/application/reconcile.js';
import { RequestMachines } from '../../../src/application/request-machines.js';
import { SweepSchedule } from '../../../src/domain/ports/sweep-schedule.js';
import { InMemorySweepSchedule, useCaseContainer } from '../../support/test-container.js';

/** A complete request of `count` running machines, and a host the store lost, launched `ageSec` ago. */
async function withLostHost(ageSec: number) {
  const setup = await useCaseContainer();
  const { requestId } = await setup.container.get(RequestMachines).execute('Small', 2);
  setup.cloud.setState('running');
  const [view] = await setup.container.get(GetRequestStatus).execute([requestId]);
  expect(view.status).toBe('complete');
  const launchTime = Math.floor(setup.clock.time / 1000) - ageSec;
  setup.cloud.strangers.set('i-leak', { ...view.machines[0], machineId: 'i-leak', name: 'ip-10-0-9-9.ec2.internal', launchTime, providerName: 'sim', requestId: 'req-forgotten' });
  return { ...setup, requestId, machines: view.machines };
}

describe('Reconcile', () => {
  it('finds a host tagged by this instance that no live request owns, and removes it with apply only once older than the grace period', async () => {
    const young = await withLostHost(60);
    const report = await young.container.get(Reconcile).execute(true);
    expect(report.leaks).toEqual([{ kind: 'instance', id: 'i-leak', requestId: 'req-forgotten', ageSec: 60, action: 'kept: younger than the grace period' }]);
    expect(young.cloud.callsOf('removeLeaks')).toEqual([{ hostIds: [], resources: [] }]);

    const old = await withLostHost(601);
    expect((await old.container.get(Reconcile).execute(false)).leaks.map((leak) => leak.action)).toEqual(['found']);
    expect(old.cloud.callsOf('removeLeaks')).toEqual([]);
    expect((await old.container.get(Reconcile).execute(true)).leaks.map((leak) => leak.action)).toEqual(['removed']);
    expect(old.cloud.callsOf('removeLeaks')).toEqual([{ hostIds: ['i-leak'], resources: [] }]);
  });

  it('has the cloud look wherever a live machine of the store is (a region no template names any more)', async () => {
    const { container, cloud, machines } = await withLostHost(601);
    await container.get(Reconcile).execute(false);
    expect(cloud.callsOf('inventory')).toEqual([machines.map((machine) => machine.machineId)]);
  });

  it('never counts the hosts of live requests as leaks', async () => {
    const { container } = await withLostHost(601);
    const report = await container.get(Reconcile).execute(false);
    expect(report.leaks.map((leak) => leak.id)).toEqual(['i-leak']);
    expect(report.ghosts).toEqual([]);
  });

  it('marks machines the cloud no longer has gone (ghosts), with apply', async () => {
    const { container, cloud, clock, machines, store } = await withLostHost(601);
    clock.time += 3_600_000;
    cloud.instances.delete(machines[0].machineId);
    const report = await container.get(Reconcile).execute(true);
    expect(report.ghosts).toEqual([{ machineId: machines[0].machineId, name: machines[0].name, requestId: machines[0].requestId, action: 'marked gone' }]);
    const [stored] = await store.machines.findByRefs([{ machineId: machines[0].machineId }]);
    expect(stored.status).toBe('terminated');
  });

  it('brings a fleet set to keep more than the store holds down, and removes a fleet of a request the store does not have', async () => {
    const { container, cloud, requestId, clock } = await withLostHost(601);
    cloud.resources = [
      { kind: 'ec2-fleet', id: 'fleet-big', requestId, createdAt: clock.time - 3_600_000, target: 5 },
      { kind: 'ec2-fleet', id: 'fleet-orphan', requestId: 'req-gone', createdAt: clock.time - 3_600_000, target: 1 },
    ];
    const report = await container.get(Reconcile).execute(true);
    expect(report.oversized).toEqual([{ kind: 'ec2-fleet', id: 'fleet-big', requestId, target: 5, held: 2, action: 'lowered' }]);
    expect(report.leaks.map((leak) => [leak.id, leak.action])).toEqual([['i-leak', 'removed'], ['fleet-orphan', 'removed']]);
    expect(cloud.callsOf('removeLeaks')).toEqual([{ hostIds: ['i-leak'], resources: ['fleet-orphan'] }]);
  });

  it('getReturnRequests sweeps at most once per RECONCILE_INTERVAL_SEC', async () => {
    const { container, cloud, clock } = await withLostHost(601);
    const schedule = new InMemorySweepSchedule();
    container.rebind(SweepSchedule).toConstantValue(schedule);
    container.rebind(ReconcileSettings).toConstantValue(new ReconcileSettings(600, 300, true));
    const getReturnRequests = container.get(GetReturnRequests);
    await getReturnRequests.execute([]);
    await getReturnRequests.execute([]);
    expect(cloud.callsOf('inventory')).toHaveLength(1);
    expect(cloud.callsOf('removeLeaks')).toEqual([{ hostIds: ['i-leak'], resources: [] }]);
    clock.time += 300_000;
    await getReturnRequests.execute([]);
    expect(cloud.callsOf('inventory')).toHaveLength(2);
  });
});
