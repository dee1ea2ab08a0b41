import { describe, expect, it } from 'vitest';
import { RequestMachinesDryRun } from '../../../src/application/request-machines-dry-run.js';
import { RequestReturnMachinesDryRun } from '../../../src/application/request-return-machines-dry-run.js';
import type { LaunchOrder, PlannedLaunch } from '../../../src/domain/ports/cloud-provider.js';
import { aMachine, aTemplate } from '../../support/mothers.js';
import { useCaseContainer } from '../../support/test-container.js';

const snapshot = (store: Awaited<ReturnType<typeof useCaseContainer>>['store']) =>
  JSON.stringify({ requests: [...store.state.requests.values()], machines: [...store.state.machines.values()] });

describe('machines request --dry-run', () => {
  it('checks the request, asks the provider for its plan with the pools remembered out of capacity, and records nothing', async () => {
    const { container, store, cloud } = await useCaseContainer([aTemplate({ templateId: 'tpl', maxNumber: 5, vmType: 'm5.large' })]);
    const pool = { instanceType: 'm5.large', zone: 'us-east-1a', market: 'ondemand' as const };
    await store.capacity.remember([pool], 1_700_000_000_000 + 60_000);
    const orders: LaunchOrder[] = [];
    Object.assign(cloud, {
      planLaunch: async (order: LaunchOrder): Promise<PlannedLaunch> => {
        orders.push(order);
        return { calls: [{ api: 'RunInstances', pools: [{ ...pool, units: order.units }], units: order.units, tags: { 'hostfactory:request-id': order.requestId } }] };
      },
    });
    const before = snapshot(store);

    const result = await container.get(RequestMachinesDryRun).execute('tpl', 3);

    expect(result.plan?.calls[0]).toMatchObject({ api: 'RunInstances', units: 3 });
    expect(orders).toEqual([expect.objectContaining({ requestId: result.requestId, units: 3, unavailable: [expect.objectContaining(pool)] })]);
    expect(snapshot(store), 'nothing recorded').toBe(before);
    expect(cloud.calls.map((call) => call.method), 'nothing launched').toEqual([]);
  });

  it('refuses what requestMachines refuses: an unknown template, a count over maxNumber', async () => {
    const { container, store, cloud } = await useCaseContainer([aTemplate({ templateId: 'tpl', maxNumber: 2 })]);
    const dryRun = container.get(RequestMachinesDryRun);
    await expect(dryRun.execute('nope', 1)).rejects.toMatchObject({ code: 'TEMPLATE_NOT_FOUND' });
    await expect(dryRun.execute('tpl', 3)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('can provide 2 more unit(s)') });
    expect(store.state.requests.size).toBe(0);
    expect(cloud.calls).toEqual([]);
  });

  it('without a provider plan, says the request passes and shows none', async () => {
    const { container } = await useCaseContainer([aTemplate({ templateId: 'tpl' })]);
    expect(await container.get(RequestMachinesDryRun).execute('tpl', 1)).toEqual({ requestId: expect.stringMatching(/^req-/), templateId: 'tpl', units: 1 });
  });
});

describe('machines return --dry-run', () => {
  it('groups the machines by owner as release would, names what it would leave, and changes nothing', async () => {
    const { container, store, cloud } = await useCaseContainer();
    const fleet = [aMachine('req-a', { resourceId: 'fleet-1', status: 'running' }), aMachine('req-a', { resourceId: 'fleet-1', status: 'running' })];
    const other = aMachine('req-b', { status: 'running' });
    const returning = aMachine('req-b', { status: 'running', returnRequestId: 'ret-1' });
    const gone = aMachine('req-b', { status: 'terminated' });
    await store.machines.addIfAbsent([...fleet, other, returning, gone]);
    const before = snapshot(store);

    const plan = await container.get(RequestReturnMachinesDryRun).execute([...[...fleet, other, returning, gone].map((machine) => ({ machineId: machine.machineId })), { name: 'stranger.example' }]);

    expect(plan.releases).toEqual([
      { requestId: 'req-a', resourceId: 'fleet-1', machines: fleet.map(({ machineId, name, status }) => ({ machineId, name, status })) },
      { requestId: 'req-b', machines: [{ machineId: other.machineId, name: other.name, status: 'running' }] },
    ]);
    expect(plan.skipped).toEqual([
      { machineId: returning.machineId, name: returning.name, reason: 'already returned by ret-1' },
      { machineId: gone.machineId, name: gone.name, reason: 'already terminated' },
    ]);
    expect(plan.unknown).toEqual([{ name: 'stranger.example' }]);
    expect(snapshot(store)).toBe(before);
    expect(cloud.calls).toEqual([]);
  });
});
