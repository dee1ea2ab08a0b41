import { describe, expect, it } from 'vitest';
import { planLaunch } from '../../../../src/providers/sim/launch-plan.js';
import { aSimTemplate } from '../../../support/mothers.js';

const count = (types: string[]) =>
  types.reduce<Record<string, number>>((acc, type) => ({ ...acc, [type]: (acc[type] ?? 0) + 1 }), {});

describe('planLaunch', () => {
  it('uses t3.medium when the template names no instance type', () => {
    const plan = planLaunch(aSimTemplate({ vmType: undefined }), 2, new Map());
    expect(plan.instances.map((instance) => instance.instanceType)).toEqual(['t3.medium', 't3.medium']);
  });

  it('fills the units with weighted types without overshooting when a type fits', () => {
    const plan = planLaunch(aSimTemplate({ vmType: undefined, vmTypes: { 'm5.large': 1, 'm5.xlarge': 2 } }), 5, new Map());
    expect(plan.unitsPlanned).toBe(5);
    expect(plan.instances.reduce((sum, instance) => sum + instance.weight, 0)).toBe(5);
    expect(Object.keys(count(plan.instances.map((instance) => instance.instanceType))).sort()).toEqual(['m5.large', 'm5.xlarge']);
    for (const instance of plan.instances) expect(instance.weight).toBe(instance.instanceType === 'm5.xlarge' ? 2 : 1);
    expect(plan.shortMessage).toBeUndefined();
  });

  it('prices everything spot for a spot template, and splits a heterogeneous one by percentOnDemand', () => {
    expect(planLaunch(aSimTemplate({ priceType: 'spot' }), 3, new Map()).instances.map((i) => i.priceType)).toEqual(['spot', 'spot', 'spot']);
    const mixed = planLaunch(aSimTemplate({ priceType: 'heterogeneous', percentOnDemand: 40 }), 5, new Map());
    expect(count(mixed.instances.map((instance) => instance.priceType))).toEqual({ ondemand: 2, spot: 3 });
  });

  it('launches only what capacity leaves and says how short it is', () => {
    const plan = planLaunch(aSimTemplate(), 5, new Map([['m5.large', 3]]));
    expect(plan.instances).toHaveLength(3);
    expect(plan.shortMessage).toBe('InsufficientInstanceCapacity: only 3 of 5 m5.large available');
  });

  it('moves to another type when one is out of capacity', () => {
    const template = aSimTemplate({ vmType: undefined, vmTypes: { 'm5.large': 1, 'c5.large': 1 } });
    const plan = planLaunch(template, 4, new Map([['m5.large', 0]]));
    expect(plan.instances.map((instance) => instance.instanceType)).toEqual(['c5.large', 'c5.large', 'c5.large', 'c5.large']);
  });
});
