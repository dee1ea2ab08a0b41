import { Container } from 'inversify';
import { afterEach, describe, expect, it } from 'vitest';
import { Clock } from '../../../../src/domain/ports/clock.js';
import { Logger } from '../../../../src/domain/ports/logger.js';
import { SimCloudProvider } from '../../../../src/providers/sim/sim-cloud-provider.js';
import { SimCloudSettings } from '../../../../src/providers/sim/sim-cloud-settings.js';
import { makeSimWorld, machinesOf, tracked, type SimWorld } from './sim-fixtures.js';
import { aSimRequest, aSimTemplate } from '../../../support/mothers.js';

let world: SimWorld;
afterEach(async () => {
  await world.close();
});

describe('SimCloudProvider', () => {
  it('launches EC2-like pending instances tagged for HostFactory', async () => {
    world = makeSimWorld();
    const template = aSimTemplate();
    const result = await world.provider.launch({ requestId: 'req-1', template, units: 3 });

    expect(result.providerData.simReservationId).toMatch(/^r-[0-9a-f]{17}$/);
    expect(result.message).toBeUndefined();
    expect(result.machines).toHaveLength(3);
    for (const machine of result.machines) {
      expect(machine.machineId).toMatch(/^i-[0-9a-f]{17}$/);
      expect(machine.status).toBe('pending');
      expect(machine.privateIpAddress).toMatch(/^10\.0\.\d{1,3}\.\d{1,3}$/);
      expect(machine.name).toBe(`ip-${machine.privateIpAddress?.replaceAll('.', '-')}.ec2.internal`);
      expect(machine.launchTime).toBe(Math.floor(world.clock.now() / 1000));
      expect(machine.instanceType).toBe('m5.large');
      expect(machine.priceType).toBe('ondemand');
      expect(machine.resourceId).toBe(result.providerData.simReservationId);
      expect(machine.instanceTags).toEqual({
        team: 'grid',
        'hostfactory:request-id': 'req-1',
        'hostfactory:template-id': 'sim-small',
        'hostfactory:provider': 'siminst',
      });
    }
    expect(new Set(result.machines.map((machine) => machine.privateIpAddress)).size).toBe(3);
  });

  it('refuses a template that names a region, launching nothing: the sim has one region', async () => {
    world = makeSimWorld();
    const template = aSimTemplate({ region: 'eu-west-1' });
    await expect(world.provider.launch({ requestId: 'req-1', template, units: 1 })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('names region eu-west-1: the sim provider has a single region'),
    });
    expect(await world.provider.inventory()).toEqual({ hosts: [], resources: [] });
  });

  it('gives every instance of the sim its own address, across requests', async () => {
    world = makeSimWorld();
    const template = aSimTemplate();
    const a = await world.provider.launch({ requestId: 'req-a', template, units: 40 });
    const b = await world.otherProcess().launch({ requestId: 'req-b', template, units: 40 });
    const ips = [...a.machines, ...b.machines].map((machine) => machine.privateIpAddress);
    expect(new Set(ips).size).toBe(80);
  });

  it('runs instances once the boot delay has passed, as seen by a later process', async () => {
    world = makeSimWorld({ SIM_BOOT_DELAY_SEC: 5 });
    const template = aSimTemplate();
    const result = await world.provider.launch({ requestId: 'req-1', template, units: 2 });
    const request = aSimRequest('req-1', template, 2);
    const later = world.otherProcess();

    world.clock.advance(4);
    let report = (await later.describeRequests([tracked(request, template)])).get('req-1');
    expect(report?.machines.map((machine) => machine.status)).toEqual(['pending', 'pending']);

    world.clock.advance(1);
    report = (await later.describeRequests([tracked(request, template)])).get('req-1');
    expect(report?.final).toBe(true);
    expect(report?.message).toBeUndefined();
    expect(report?.machines.map((machine) => machine.machineId)).toEqual(result.machines.map((machine) => machine.machineId));
    expect(report?.machines.map((machine) => machine.status)).toEqual(['running', 'running']);
  });

  it('returns the same instances when launch is called again for the same request', async () => {
    world = makeSimWorld();
    const template = aSimTemplate();
    const first = await world.provider.launch({ requestId: 'req-1', template, units: 2 });
    world.clock.advance(10);
    const second = await world.provider.launch({ requestId: 'req-1', template, units: 2 });
    expect(second.machines.map((machine) => machine.machineId)).toEqual(first.machines.map((machine) => machine.machineId));
    expect(second.machines.map((machine) => machine.status)).toEqual(['running', 'running']);
    expect(second.providerData).toEqual(first.providerData);
  });

  it('shuts released instances down, then terminates them, and release is idempotent', async () => {
    world = makeSimWorld({ SIM_SHUTDOWN_DELAY_SEC: 3 });
    const template = aSimTemplate();
    const request = aSimRequest('req-1', template, 2);
    const machines = machinesOf(await world.provider.launch({ requestId: 'req-1', template, units: 2 }), 'req-1', template.templateId);
    world.clock.advance(10);

    await world.provider.release(machines, [request]);
    world.clock.advance(2);
    await world.provider.release(machines, [request]);
    expect((await world.provider.describeMachines(machines)).map((machine) => machine.status)).toEqual(['shutting-down', 'shutting-down']);

    world.clock.advance(1);
    const seen = await world.provider.describeMachines(machines);
    expect(seen.map((machine) => machine.status)).toEqual(['terminated', 'terminated']);
    expect(seen.every((machine) => machine.failureMessage === undefined)).toBe(true);
    expect(await world.provider.listReclaims(machines)).toEqual([]);
  });

  it('reports a tracked request the sim never launched as not final at first, then final', async () => {
    world = makeSimWorld();
    const template = aSimTemplate();
    const request = aSimRequest('req-lost', template, 1, world.clock.now());
    let report = (await world.provider.describeRequests([tracked(request, template)])).get('req-lost');
    expect(report).toMatchObject({ machines: [], final: false });
    world.clock.advance(120);
    report = (await world.provider.describeRequests([tracked(request, template)])).get('req-lost');
    expect(report?.final).toBe(true);
    expect(report?.message).toContain('no launch');
  });

  it('forgets instances an hour after they terminated and then reports them terminated', async () => {
    world = makeSimWorld();
    const template = aSimTemplate();
    const request = aSimRequest('req-old', template, 1);
    const machines = machinesOf(await world.provider.launch({ requestId: 'req-old', template, units: 1 }), 'req-old', template.templateId);
    await world.provider.release(machines, [request]);
    world.clock.advance(2 * 3600);
    await world.provider.launch({ requestId: 'req-new', template, units: 1 });
    expect(await world.console.show(machines[0].machineId)).toBeUndefined();
    expect((await world.provider.describeMachines(machines))[0].status).toBe('terminated');
  });

  it('launches spot instances for spot templates', async () => {
    world = makeSimWorld();
    const template = aSimTemplate({ priceType: 'spot', vmType: undefined, vmTypes: { 'c5.large': 1, 'c5.xlarge': 2 } });
    const result = await world.provider.launch({ requestId: 'req-spot', template, units: 4 });
    expect(result.machines.every((machine) => machine.priceType === 'spot')).toBe(true);
    expect(result.machines.reduce((sum, machine) => sum + machine.weight, 0)).toBe(4);
  });

  it('is built by an inversify container from its tokens', async () => {
    world = makeSimWorld();
    const container = new Container();
    container.bind(SimCloudSettings).toConstantValue(world.settings);
    container.bind(Clock).toConstantValue(world.clock);
    container.bind(Logger).toConstantValue(world.logger);
    container.bind(SimCloudProvider).toSelf().inSingletonScope();
    const provider = container.get(SimCloudProvider);
    const result = await provider.launch({ requestId: 'req-di', template: aSimTemplate(), units: 1 });
    expect(result.machines).toHaveLength(1);
    await provider.close();
  });
});
