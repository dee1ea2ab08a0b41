import { describe, expect, it } from 'vitest';
import { GetRequestStatus } from '../../../src/application/get-request-status.js';
import { RequestMachines } from '../../../src/application/request-machines.js';
import { CapacityMemorySettings } from '../../../src/application/unavailable-offerings.js';
import { HostFactoryError, LaunchFailedError } from '../../../src/domain/errors.js';
import type { Offering, RememberedOffering } from '../../../src/domain/offering.js';
import { CapacityMemory } from '../../../src/domain/ports/capacity-memory.js';
import type { LaunchOrder } from '../../../src/domain/ports/cloud-provider.js';
import { useCaseContainer } from '../../support/test-container.js';

const POOL: Offering = { instanceType: 't3.medium', zone: 'us-east-1a', market: 'ondemand' };
const TTL_MS = 180_000;

/** A store whose capacity memory fails every call with `error`. */
function failingMemory(error: HostFactoryError): CapacityMemory {
  return {
    remember: () => Promise.reject(error),
    unavailable: () => Promise.reject(error),
  };
}

describe('the capacity memory in the use cases', () => {
  it('remembers the pools a getRequestStatus report names (a relaunch, a fallback) for the TTL', async () => {
    const { container, cloud, store, clock } = await useCaseContainer();
    const { requestId } = await container.get(RequestMachines).execute('Small', 1);
    cloud.reports.set(requestId, { unavailableOfferings: [POOL] });

    await container.get(GetRequestStatus).execute([requestId]);

    expect(await store.capacity.unavailable(clock.now())).toEqual([{ ...POOL, until: clock.now() + TTL_MS }]);
    expect(await cloud.memoryOfLastPoll?.(), 'the poll hands the cloud a reader of the memory, for launches it makes').toEqual([{ ...POOL, until: clock.now() + TTL_MS }]);
  });

  it('remembers the pools of a launch that failed, and tells the next launch about them', async () => {
    const { container, cloud, store, clock } = await useCaseContainer();
    cloud.launchError = new LaunchFailedError(new HostFactoryError('INSUFFICIENT_CAPACITY', 'no t3.medium'), [POOL]);
    await expect(container.get(RequestMachines).execute('Small', 1)).rejects.toMatchObject({ code: 'INSUFFICIENT_CAPACITY' });
    expect(await store.capacity.unavailable(clock.now())).toEqual([{ ...POOL, until: clock.now() + TTL_MS }]);

    cloud.launchError = undefined;
    await container.get(RequestMachines).execute('Small', 1);

    const [, second] = cloud.callsOf('launch') as LaunchOrder[];
    expect(second.unavailable).toEqual([{ ...POOL, until: clock.now() + TTL_MS }] satisfies RememberedOffering[]);
  });

  it('is off with CAPACITY_MEMORY_TTL_SEC 0: nothing remembered, nothing passed on', async () => {
    const { container, cloud, store, clock } = await useCaseContainer();
    container.rebind(CapacityMemorySettings).toConstantValue(new CapacityMemorySettings(0));
    await store.capacity.remember([POOL], clock.now() + TTL_MS);
    cloud.launchError = new LaunchFailedError(new HostFactoryError('INSUFFICIENT_CAPACITY', 'no t3.medium'), [{ ...POOL, zone: 'us-east-1b' }]);

    await expect(container.get(RequestMachines).execute('Small', 1)).rejects.toMatchObject({ code: 'INSUFFICIENT_CAPACITY' });

    expect((cloud.callsOf('launch') as LaunchOrder[])[0].unavailable).toBeUndefined();
    expect(await store.capacity.unavailable(clock.now())).toEqual([{ ...POOL, until: clock.now() + TTL_MS }]);
  });

  it('launches without the memory when the store is busy', async () => {
    const { container, cloud, store } = await useCaseContainer();
    container.rebind(CapacityMemory).toConstantValue(failingMemory(new HostFactoryError('STORAGE_CONFLICT', 'busy', { retryable: true })));

    const { requestId } = await container.get(RequestMachines).execute('Small', 1);

    expect(cloud.callsOf('launch')).toHaveLength(1);
    expect(await store.machines.listByRequests([requestId])).toHaveLength(1);
  });

  it('refuses to launch, recording nothing, when the store lacks the memory (a DynamoDB table before `store init`)', async () => {
    const { container, cloud, store } = await useCaseContainer();
    const missing = new HostFactoryError('CONFIG_INVALID', 'DynamoDB Query on table hf-unavailable-offerings failed (ResourceNotFoundException); create the tables with `hostfactory store init`');
    container.rebind(CapacityMemory).toConstantValue(failingMemory(missing));

    await expect(container.get(RequestMachines).execute('Small', 1)).rejects.toBe(missing);

    expect(cloud.calls).toEqual([]);
    expect(await store.requests.list()).toEqual([]);
  });
});
