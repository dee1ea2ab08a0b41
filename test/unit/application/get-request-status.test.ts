import { describe, expect, it } from 'vitest';
import { GetRequestStatus } from '../../../src/application/get-request-status.js';
import { RequestMachines } from '../../../src/application/request-machines.js';
import { RequestReturnMachines } from '../../../src/application/request-return-machines.js';
import { useCaseContainer } from '../../support/test-container.js';
import { aTemplate } from '../../support/mothers.js';

describe('GetRequestStatus', () => {
  it('keeps a request running while machines are pending, completes it once all run', async () => {
    const { container, cloud, store } = await useCaseContainer();
    const { requestId } = await container.get(RequestMachines).execute('Small', 2);
    const status = container.get(GetRequestStatus);

    const [pending] = await status.execute([requestId]);
    expect(pending.status).toBe('running');
    expect(pending.machines.map((m) => m.status)).toEqual(['pending', 'pending']);

    cloud.setState('running');
    const [done] = await status.execute([requestId]);
    expect(done.status).toBe('complete');
    expect((await store.requests.get(requestId))?.status).toBe('complete');
  });

  it('answers finished requests from the store and polls the cloud once for all running ones', async () => {
    const { container, cloud } = await useCaseContainer([aTemplate({ maxNumber: -1 })]);
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await container.get(RequestMachines).execute('Small', 1)).requestId);
    const status = container.get(GetRequestStatus);
    await status.execute(ids);
    expect(cloud.callsOf('describeRequests')).toEqual([ids]);

    cloud.setState('running');
    await status.execute(ids);
    await status.execute(ids);
    expect(cloud.callsOf('describeRequests')).toHaveLength(2);
  });

  it('reports a final, short request complete_with_error with the cloud reason', async () => {
    const { container, cloud } = await useCaseContainer();
    cloud.capacity = 1;
    const { requestId } = await container.get(RequestMachines).execute('Small', 3);
    cloud.setState('running');
    cloud.reports.set(requestId, { final: true, message: 'InsufficientInstanceCapacity' });
    const [view] = await container.get(GetRequestStatus).execute([requestId]);
    expect(view.status).toBe('complete_with_error');
    expect(view.message).toContain('1 of 3 units running');
    expect(view.message).toContain('InsufficientInstanceCapacity');
  });

  it('marks machines the provider gave up on as failed', async () => {
    const { container, cloud } = await useCaseContainer();
    const { requestId } = await container.get(RequestMachines).execute('Small', 1);
    const [id] = cloud.instances.keys();
    cloud.setState('shutting-down');
    cloud.reports.set(requestId, { failedMachines: { [id]: 'stuck pending for 600 s; terminated' } });
    const [view] = await container.get(GetRequestStatus).execute([requestId]);
    expect(view.status).toBe('complete_with_error');
    expect(view.machines[0].failureMessage).toBe('stuck pending for 600 s; terminated');
  });

  it('never moves a finished request back to running', async () => {
    const { container, cloud } = await useCaseContainer();
    const { requestId } = await container.get(RequestMachines).execute('Small', 1);
    cloud.setState('running');
    await container.get(GetRequestStatus).execute([requestId]);
    cloud.setState('pending');
    const [view] = await container.get(GetRequestStatus).execute([requestId]);
    expect(view.status).toBe('complete');
  });

  it('an unknown id comes back complete_with_error so HostFactory stops polling', async () => {
    const { container } = await useCaseContainer();
    const [view] = await container.get(GetRequestStatus).execute(['req-missing']);
    expect(view).toMatchObject({ status: 'complete_with_error', machines: [] });
    expect(view.message).toMatch(/not found/);
  });

  it('follows return requests until every machine is gone', async () => {
    const { container, cloud } = await useCaseContainer();
    const { requestId } = await container.get(RequestMachines).execute('Small', 2);
    cloud.setState('running');
    const [acquired] = await container.get(GetRequestStatus).execute([requestId]);
    const ret = await container.get(RequestReturnMachines).execute(acquired.machines.map((m) => ({ machineId: m.machineId })));

    const [shutting] = await container.get(GetRequestStatus).execute([ret.requestId]);
    expect(shutting.kind).toBe('return');
    expect(shutting.status).toBe('running');
    cloud.setState('terminated');
    const [gone] = await container.get(GetRequestStatus).execute([ret.requestId]);
    expect(gone.status).toBe('complete');
    expect(gone.machines.map((m) => m.status)).toEqual(['terminated', 'terminated']);
  });
});
