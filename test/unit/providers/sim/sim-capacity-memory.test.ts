import { afterEach, describe, expect, it } from 'vitest';
import { GetAvailableTemplates } from '../../../../src/application/get-available-templates.js';
import { RequestMachines } from '../../../../src/application/request-machines.js';
import { CapacityMemory } from '../../../../src/domain/ports/capacity-memory.js';
import { Clock } from '../../../../src/domain/ports/clock.js';
import { CloudProvider } from '../../../../src/domain/ports/cloud-provider.js';
import { MachineRepository } from '../../../../src/domain/ports/machine-repository.js';
import { RequestRepository } from '../../../../src/domain/ports/request-repository.js';
import { createInMemoryStore } from '../../../support/in-memory-store.js';
import { aSimTemplate } from '../../../support/mothers.js';
import { useCaseContainer } from '../../../support/test-container.js';
import { makeSimWorld, type SimWorld } from './sim-fixtures.js';

const TTL_MS = 180_000;
/** Only m5.large: the template HostFactory should stop asking for while m5.large is out of capacity. */
const M5_ONLY = aSimTemplate({ templateId: 'm5-only', vmType: 'm5.large' });
/** m5.large first, then c5.large (the sim fills round-robin in this order). */
const MIXED = aSimTemplate({ templateId: 'mixed', vmType: undefined, vmTypes: { 'm5.large': 1, 'c5.large': 1 } });

let world: SimWorld;
afterEach(async () => {
  await world.close();
});

/**
 * The use cases on the real simulated cloud with SIM_CAPACITY of 2 m5.large, an in-memory store
 * and one hand-moved clock for both, so the capacity memory's TTL is judged without waiting.
 */
async function drill() {
  world = makeSimWorld({ SIM_CAPACITY: { 'm5.large': 2 }, SIM_SHUTDOWN_DELAY_SEC: 1 });
  const { container } = await useCaseContainer([M5_ONLY, MIXED]);
  const store = createInMemoryStore({ clock: world.clock });
  container.rebind(Clock).toConstantValue(world.clock);
  container.rebind(CloudProvider).toConstantValue(world.provider);
  container.rebind(RequestRepository).toConstantValue(store.requests);
  container.rebind(MachineRepository).toConstantValue(store.machines);
  container.rebind(CapacityMemory).toConstantValue(store.capacity);
  const request = async (templateId: string, count: number) => {
    const { requestId } = await container.get(RequestMachines).execute(templateId, count);
    const machines = await store.machines.listByRequests([requestId]);
    return { requestId, machines, types: machines.map((machine) => machine.instanceType).sort() };
  };
  const available = async () =>
    Object.fromEntries((await container.get(GetAvailableTemplates).execute()).templates.map((entry) => [entry.template.templateId, entry.availableNumber]));
  return { store, request, available };
}

describe('capacity memory on the simulated cloud (SIM_CAPACITY)', () => {
  it('sends no request to an exhausted pool until the TTL has passed, then tries it again', async () => {
    const { store, request } = await drill();
    const holder = await request('m5-only', 2); // takes both m5.large the sim has

    const failedAt = world.clock.now();
    const first = await request('mixed', 2);
    expect(first.types).toEqual(['c5.large', 'c5.large']);
    expect(await store.capacity.unavailable(failedAt)).toEqual([{ instanceType: 'm5.large', zone: 'sim-1a', market: 'ondemand', until: failedAt + TTL_MS }]);

    // m5.large capacity comes back: the holder's hosts are given back and shut down.
    await world.provider.release(holder.machines, [(await store.requests.get(holder.requestId))!]);
    world.clock.advance(60);

    const second = await request('mixed', 2);
    expect(second.types, 'm5.large has room again, but is remembered out of capacity: not asked').toEqual(['c5.large', 'c5.large']);

    world.clock.ms = failedAt + TTL_MS - 1;
    expect((await request('mixed', 1)).types, 'still within the TTL').toEqual(['c5.large']);

    world.clock.ms = failedAt + TTL_MS;
    const afterTtl = await request('mixed', 2);
    expect(afterTtl.types, 'the TTL has passed: m5.large is tried first again').toEqual(['c5.large', 'm5.large']);
  });

  it('still launches in a remembered pool when no other pool of the template has room: last, not never', async () => {
    world = makeSimWorld({ SIM_CAPACITY: { 'c5.large': 0 } });

    const launched = await world.provider.launch({
      requestId: 'req-last-resort',
      template: MIXED,
      units: 2,
      unavailable: [{ instanceType: 'm5.large', zone: 'sim-1a', market: 'ondemand' }],
    });

    expect(launched.machines.map((machine) => machine.instanceType)).toEqual(['m5.large', 'm5.large']);
    expect(launched.unavailableOfferings).toEqual([{ instanceType: 'c5.large', zone: 'sim-1a', market: 'ondemand' }]);
  });

  it('offers 0 of a template whose every pool is remembered out of capacity, until the TTL has passed', async () => {
    const { request, available } = await drill();
    await request('m5-only', 2);
    const failedAt = world.clock.now();
    await request('mixed', 1);

    expect(await available()).toEqual({ 'm5-only': 0, mixed: 100 - 1 });

    world.clock.ms = failedAt + TTL_MS;
    expect(await available()).toEqual({ 'm5-only': 100 - 2, mixed: 100 - 1 });
  });

  it('remembers the pools of a launch that started nothing', async () => {
    const { store, request } = await drill();
    await request('m5-only', 2);

    await expect(request('m5-only', 1)).rejects.toMatchObject({ code: 'INSUFFICIENT_CAPACITY' });

    expect(await store.capacity.unavailable(world.clock.now())).toEqual([
      { instanceType: 'm5.large', zone: 'sim-1a', market: 'ondemand', until: world.clock.now() + TTL_MS },
    ]);
  });
});
