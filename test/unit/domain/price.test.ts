import { describe, expect, it } from 'vitest';
import type { Machine } from '../../../src/domain/machine.js';
import { isFresh, priceInfo, runningCost, templatePrice, withPriceInfo, type PriceSheet } from '../../../src/domain/price.js';
import { aTemplate } from '../../support/mothers.js';

const NOW = Date.parse('2026-11-30T12:00:00Z');
const sheet: PriceSheet = {
  fetchedAt: NOW,
  region: 'us-east-1',
  regions: {
    'us-east-1': {
      onDemand: { 'm5.large': 0.096, 'm5.xlarge': 0.192, 'm5.2xlarge': 0.384, 'r5.large': 0.126 },
      spot: {
        'm5.large': { 'us-east-1a': 0.04, 'us-east-1b': 0.03 },
        'm5.xlarge': { 'us-east-1a': 0.07 },
        'm5.2xlarge': { 'us-east-1a': 0.1 },
      },
    },
    'eu-west-1': { onDemand: { 'm5.large': 0.107 }, spot: { 'm5.large': { 'eu-west-1c': 0.035 } } },
  },
};

function aMachine(overrides: Partial<Machine>): Machine {
  return {
    machineId: 'i-1', name: 'ip-1', status: 'running', privateIpAddress: null, publicIpAddress: null, launchTime: (NOW - 2 * 3_600_000) / 1000,
    instanceType: 'm5.large', priceType: 'ondemand', weight: 1, instanceTags: {}, cloudHostId: null, requestId: 'req-1', templateId: 'T', version: 0, updatedAt: NOW,
    ...overrides,
  };
}

describe('template prices', () => {
  it('prices an on-demand template at its type per unit', () => {
    const price = templatePrice(aTemplate({ vmType: 'm5.large' }), sheet);
    expect(price.effectivePerUnit).toBeCloseTo(0.096);
    expect(price.types).toEqual([{ instanceType: 'm5.large', weight: 1, markets: ['ondemand'], onDemandPerUnit: 0.096, spotPerUnit: 0.03, spotZone: 'us-east-1b' }]);
  });

  it('divides by the weights and takes the cheapest unit of the cheapest zone for spot', () => {
    const price = templatePrice(aTemplate({ priceType: 'spot', vmType: undefined, vmTypes: { 'm5.2xlarge': 4, 'm5.xlarge': 2 } }), sheet);
    // m5.2xlarge: 0.1 / 4 = 0.025 a unit, cheaper than m5.xlarge's 0.07 / 2 = 0.035.
    expect(price.effectivePerUnit).toBeCloseTo(0.025);
    expect(price.types.map((type) => [type.instanceType, type.markets, type.spotPerUnit])).toEqual([
      ['m5.2xlarge', ['spot'], 0.025],
      ['m5.xlarge', ['spot'], 0.035],
    ]);
    const onDemand = templatePrice(aTemplate({ vmType: undefined, vmTypes: { 'm5.2xlarge': 4 } }), sheet);
    expect(onDemand.effectivePerUnit).toBeCloseTo(0.384 / 4);
  });

  it('mixes on demand and spot by percentOnDemand, on demand from vmTypesOnDemand', () => {
    const template = aTemplate({ priceType: 'heterogeneous', percentOnDemand: 25, vmType: undefined, vmTypes: { 'm5.large': 1, 'm5.xlarge': 2 }, vmTypesOnDemand: { 'r5.large': 1 } });
    const price = templatePrice(template, sheet);
    // 25 % × r5.large 0.126 + 75 % × m5.large's cheapest spot 0.03
    expect(price.effectivePerUnit).toBeCloseTo(0.25 * 0.126 + 0.75 * 0.03);
    expect(price.types.find((type) => type.instanceType === 'r5.large')?.markets).toEqual(['ondemand']);
    expect(price.types.find((type) => type.instanceType === 'm5.large')?.markets).toEqual(['spot']);
  });

  it('gives no effective price when a type the template needs has none, naming it', () => {
    const price = templatePrice(aTemplate({ priceType: 'spot', vmType: 'r5.large' }), sheet);
    expect(price.effectivePerUnit).toBeUndefined();
    expect(price.unpriced).toEqual(['r5.large (spot)']);
  });

  it('writes priceInfo in IBM form, and never over a template\'s own', () => {
    expect(priceInfo(0.0416)).toBe('price:0.0416,billingTimeUnitType:prorated_hour,billingTimeUnitNumber:1,billingRoundoffType:unit');
    expect(withPriceInfo(aTemplate({ vmType: 'm5.xlarge' }), sheet).attributes.priceInfo).toEqual(['String', 'price:0.192,billingTimeUnitType:prorated_hour,billingTimeUnitNumber:1,billingRoundoffType:unit']);
    const own = aTemplate({ vmType: 'm5.large', attributes: { type: ['String', 'X86_64'], ncpus: ['Numeric', '2'], nram: ['Numeric', '8192'], priceInfo: ['String', 'price:9'] } });
    expect(withPriceInfo(own, sheet).attributes.priceInfo).toEqual(['String', 'price:9']);
    expect(withPriceInfo(aTemplate({ vmType: 'c7i.large' }), sheet).attributes.priceInfo).toBeUndefined();
  });

  it('prices a template in the region it names, the sheet\'s own region otherwise', () => {
    const west = templatePrice(aTemplate({ vmType: 'm5.large', region: 'eu-west-1' }), sheet);
    expect(west).toMatchObject({ region: 'eu-west-1', effectivePerUnit: 0.107, types: [{ onDemandPerUnit: 0.107, spotPerUnit: 0.035, spotZone: 'eu-west-1c' }] });
    expect(templatePrice(aTemplate({ vmType: 'm5.large' }), sheet)).toMatchObject({ region: 'us-east-1', effectivePerUnit: 0.096 });
    expect(templatePrice(aTemplate({ vmType: 'm5.xlarge', region: 'eu-west-1' }), sheet), 'not priced there').toMatchObject({ unpriced: ['m5.xlarge (ondemand)'] });
    expect(withPriceInfo(aTemplate({ vmType: 'm5.large', region: 'ap-east-1' }), sheet).attributes.priceInfo, 'a region the sheet lacks').toBeUndefined();
  });

  it('is fresh for the TTL from the fetch', () => {
    expect(isFresh(sheet, NOW + 3_599_000, 3600)).toBe(true);
    expect(isFresh(sheet, NOW + 3_600_000, 3600)).toBe(false);
  });
});

describe('running cost', () => {
  it('adds up instance price × hours since launch, spot in the cheapest zone, a gone machine until it was recorded gone', () => {
    const machines = [
      aMachine({ machineId: 'i-1' }),
      aMachine({ machineId: 'i-2', priceType: 'spot', instanceType: 'm5.xlarge', weight: 2 }),
      aMachine({ machineId: 'i-3', status: 'terminated', updatedAt: NOW - 3_600_000 }),
    ];
    expect(runningCost(machines, sheet, NOW)).toBeCloseTo(2 * 0.096 + 2 * 0.07 + 1 * 0.096);
  });

  it('prices each machine in its own region', () => {
    expect(runningCost([aMachine({}), aMachine({ machineId: 'i-2', region: 'eu-west-1' })], sheet, NOW)).toBeCloseTo(2 * 0.096 + 2 * 0.107);
    expect(runningCost([aMachine({ instanceType: 'r5.large', region: 'eu-west-1' })], sheet, NOW)).toBeUndefined();
  });

  it('is unknown when a machine\'s type has no price', () => {
    expect(runningCost([aMachine({}), aMachine({ instanceType: 'c7i.large' })], sheet, NOW)).toBeUndefined();
  });
});
