import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { aSimTemplate } from '../../../support/mothers.js';
import { makeSimWorld, type SimWorld } from './sim-fixtures.js';

describe('the simulated cloud\'s launch plan (machines request --dry-run)', () => {
  let world: SimWorld;
  beforeEach(() => {
    world = makeSimWorld({ SIM_CAPACITY: { 'm5.large': 2 } });
  });
  afterEach(() => world.close());

  it('is the launch it would make: the same pools, units and tags, with nothing launched until launch is called', async () => {
    const template = aSimTemplate({ vmType: undefined, vmTypes: { 'm5.large': 1, 'm5.xlarge': 2 } });
    const order = { requestId: 'req-plan-1', template, units: 6 };

    const plan = await world.provider.planLaunch(order);
    expect((await world.provider.inventory()).hosts, 'nothing launched').toEqual([]);
    expect(await world.provider.planLaunch(order), 'nothing reserved: the same plan again').toEqual(plan);

    const launched = await world.provider.launch(order);
    const unitsByType = new Map<string, number>();
    for (const machine of launched.machines) unitsByType.set(machine.instanceType, (unitsByType.get(machine.instanceType) ?? 0) + machine.weight);
    expect(plan.calls).toHaveLength(1);
    expect(new Map(plan.calls[0].pools.map((pool) => [pool.instanceType, pool.units]))).toEqual(unitsByType);
    expect(plan.calls[0]).toMatchObject({ api: 'sim:launch', units: 6 });
    for (const machine of launched.machines) expect(machine.instanceTags).toEqual(plan.calls[0].tags);
  });

  it('says when the launch would be short, or fail, as SIM_CAPACITY left stands now', async () => {
    const template = aSimTemplate({ vmType: 'm5.large' });
    expect((await world.provider.planLaunch({ requestId: 'req-plan-2', template, units: 3 })).message).toBe('InsufficientInstanceCapacity: only 2 of 3 m5.large available');
    await world.provider.launch({ requestId: 'req-taken', template, units: 2 });
    const plan = await world.provider.planLaunch({ requestId: 'req-plan-3', template, units: 1 });
    expect(plan.calls[0].pools).toEqual([]);
    expect(plan.message).toMatch(/^launch would fail: InsufficientInstanceCapacity/);
  });

  it('refuses what launch refuses', async () => {
    await expect(world.provider.planLaunch({ requestId: 'req-plan-4', template: aSimTemplate(), units: 0 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
