import { describe, expect, it } from 'vitest';
import { GetRequestStatus } from '../../../src/application/get-request-status.js';
import { GetReturnRequests } from '../../../src/application/get-return-requests.js';
import { ListActivity } from '../../../src/application/list-activity.js';
import { RequestMachines } from '../../../src/application/request-machines.js';
import { RequestReturnMachines } from '../../../src/application/request-return-machines.js';
import { HostFactoryError } from '../../../src/domain/errors.js';
import { useCaseContainer } from '../../support/test-container.js';

async function runningMachines(count: number) {
  const setup = await useCaseContainer();
  const { requestId } = await setup.container.get(RequestMachines).execute('Small', count);
  setup.cloud.setState('running');
  const [view] = await setup.container.get(GetRequestStatus).execute([requestId]);
  return { ...setup, requestId, machines: view.machines };
}

describe('RequestReturnMachines', () => {
  it('accepts names or ids, releases once, and names unknown machines without failing', async () => {
    const { container, cloud, machines, requestId } = await runningMachines(3);
    const result = await container.get(RequestReturnMachines).execute([
      { name: machines[0].name },
      { machineId: machines[1].machineId },
      { name: 'ghost.ec2.internal' },
    ]);
    expect(result.requestId).toMatch(/^ret-/);
    expect(result.message).toContain('ghost.ec2.internal');
    expect(cloud.callsOf('release')).toEqual([{ machines: [machines[0].machineId, machines[1].machineId].sort(), owners: [requestId] }].map((c) => ({ ...c, machines: expect.arrayContaining(c.machines) })));
    expect(result.returned).toHaveLength(2);
  });

  it('names at most 20 unknown hosts and counts the rest, so the message stays short', async () => {
    const { container } = await useCaseContainer();
    const ghosts = Array.from({ length: 2000 }, (_, i) => ({ name: `ghost-${i + 1}.ec2.internal` }));
    const result = await container.get(RequestReturnMachines).execute(ghosts);
    expect(result.message).toContain('ghost-20.ec2.internal … and 1980 more');
    expect(result.message).not.toContain('ghost-21.ec2.internal');
    expect(result.message.length).toBeLessThan(1000);
  });

  it('gives a machine back once even when two returns race', async () => {
    const { container, machines, cloud } = await runningMachines(1);
    const useCase = container.get(RequestReturnMachines);
    const [a, b] = await Promise.all([useCase.execute([{ machineId: machines[0].machineId }]), useCase.execute([{ machineId: machines[0].machineId }])]);
    expect(a.returned.length + b.returned.length).toBe(1);
    expect(cloud.callsOf('release')).toHaveLength(1);
  });

  it('unclaims the machines and fails the return when the cloud refuses', async () => {
    const { container, cloud, machines, store } = await runningMachines(1);
    cloud.releaseError = new HostFactoryError('ACCESS_DENIED', 'not authorized to perform ec2:TerminateInstances');
    await expect(container.get(RequestReturnMachines).execute([{ machineId: machines[0].machineId }])).rejects.toMatchObject({ code: 'ACCESS_DENIED' });
    const [stored] = await store.machines.findByRefs([{ machineId: machines[0].machineId }]);
    expect(stored.returnRequestId).toBeUndefined();
    const [ret] = await store.requests.list({ kind: 'return' });
    expect(ret.status).toBe('complete_with_error');
  });

  it('refuses an empty list', async () => {
    const { container, store } = await useCaseContainer();
    await expect(container.get(RequestReturnMachines).execute([])).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(await store.requests.list()).toEqual([]);
  });
});

describe('GetReturnRequests', () => {
  it('lists what the cloud reclaims among the hosts HostFactory holds, skipping hosts already returned', async () => {
    const { container, cloud, machines } = await runningMachines(2);
    cloud.reclaims = machines.map((m) => ({ machineId: m.machineId, name: m.name, gracePeriod: 90, reason: 'spot interruption' }));
    const held = machines.map((m) => ({ name: m.name, machineId: m.machineId }));
    expect(await container.get(GetReturnRequests).execute(held)).toHaveLength(2);

    await container.get(RequestReturnMachines).execute([held[0]]);
    const after = await container.get(GetReturnRequests).execute(held);
    expect(after.map((r) => r.machineId)).toEqual([machines[1].machineId]);
    expect(await container.get(GetReturnRequests).execute([])).toEqual([]);
  });
});

describe('ListActivity', () => {
  it('lists live machines as the cloud sees them, dropping hosts it took back', async () => {
    const { container, cloud, machines, store } = await runningMachines(2);
    cloud.setState('terminated', [machines[0].machineId]);
    const live = await container.get(ListActivity).liveMachines();
    expect(live.map((m) => m.machineId)).toEqual([machines[1].machineId]);
    const [stored] = await store.machines.findByRefs([{ machineId: machines[0].machineId }]);
    expect(stored.status).toBe('terminated');
  });
});
