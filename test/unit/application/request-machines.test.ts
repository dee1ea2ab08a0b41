import { describe, expect, it } from 'vitest';
import { RequestMachines } from '../../../src/application/request-machines.js';
import { HostFactoryError } from '../../../src/domain/errors.js';
import { useCaseContainer } from '../../support/test-container.js';
import { aTemplate } from '../../support/mothers.js';

describe('RequestMachines', () => {
  it('records the request, launches once and stores the machines the cloud reported', async () => {
    const { container, store, cloud } = await useCaseContainer();
    const result = await container.get(RequestMachines).execute('Small', 3);

    expect(result.requestId).toMatch(/^req-[0-9a-f-]{36}$/);
    const request = await store.requests.get(result.requestId);
    expect(request).toMatchObject({ kind: 'acquire', status: 'running', templateId: 'Small', machineCount: 3, providerName: 'sim' });
    expect(request?.providerData).toEqual({ reservation: `r-${result.requestId}` });
    expect(cloud.callsOf('launch')).toHaveLength(1);
    expect(await store.machines.listByRequests([result.requestId])).toHaveLength(3);
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects a count of %s and records nothing', async (count) => {
    const { container, store, cloud } = await useCaseContainer();
    await expect(container.get(RequestMachines).execute('Small', count)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(await store.requests.list()).toEqual([]);
    expect(cloud.calls).toEqual([]);
  });

  it('rejects an unknown template', async () => {
    const { container, store } = await useCaseContainer();
    await expect(container.get(RequestMachines).execute('Nope', 1)).rejects.toMatchObject({ code: 'TEMPLATE_NOT_FOUND' });
    expect(await store.requests.list()).toEqual([]);
  });

  it('counts units held by live machines and by outstanding requests against maxNumber', async () => {
    const { container, store } = await useCaseContainer([aTemplate({ maxNumber: 5 })]);
    const useCase = container.get(RequestMachines);
    await useCase.execute('Small', 3);
    await expect(useCase.execute('Small', 3)).rejects.toThrow(/can provide 2 more/);
    await useCase.execute('Small', 2);
    await expect(useCase.execute('Small', 1)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(await store.requests.list()).toHaveLength(2);
  });

  it('maxNumber 0 allows nothing and -1 allows anything', async () => {
    const { container } = await useCaseContainer([aTemplate({ templateId: 'None', maxNumber: 0 }), aTemplate({ templateId: 'Any', maxNumber: -1 })]);
    await expect(container.get(RequestMachines).execute('None', 1)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(container.get(RequestMachines).execute('Any', 5000)).resolves.toMatchObject({ requestId: expect.any(String) });
  });

  it('marks the request failed and reports the cloud error when the launch fails', async () => {
    const { container, store, cloud } = await useCaseContainer();
    cloud.launchError = new HostFactoryError('INSUFFICIENT_CAPACITY', 'InsufficientInstanceCapacity: no t3.medium');
    await expect(container.get(RequestMachines).execute('Small', 2)).rejects.toMatchObject({ code: 'INSUFFICIENT_CAPACITY' });
    const [request] = await store.requests.list();
    expect(request).toMatchObject({ status: 'complete_with_error', message: 'InsufficientInstanceCapacity: no t3.medium' });
  });
});

describe('RequestMachines with a broken template', () => {
  it('says where the template is broken instead of just "not found"', async () => {
    const { container, templates, store } = await useCaseContainer();
    templates.listing = { templates: [], problems: [{ file: '/conf/templates.json', templateId: 'Small', field: 'maxNumber', message: 'expected a number' }] };
    await expect(container.get(RequestMachines).execute('Small', 1)).rejects.toThrow('template "Small" is invalid in /conf/templates.json (maxNumber): expected a number');
    expect(await store.requests.list()).toEqual([]);
  });
});
