import { afterEach, describe, expect, it } from 'vitest';
import { HostFactoryError } from '../../../../src/domain/errors.js';
import { makeSimWorld, machinesOf, tracked, type SimWorld } from './sim-fixtures.js';
import { aSimRequest, aSimTemplate } from '../../../support/mothers.js';

let world: SimWorld;
afterEach(async () => {
  await world.close();
});

describe('SimCloudProvider fault injection', () => {
  describe('SIM_CAPACITY', () => {
    it('launches only what fits, and the request report says why it is short', async () => {
      world = makeSimWorld({ SIM_CAPACITY: { 'm5.large': 3 } });
      const template = aSimTemplate();
      const result = await world.provider.launch({ requestId: 'req-1', template, units: 5 });
      expect(result.machines).toHaveLength(3);
      expect(result.message).toBe('InsufficientInstanceCapacity: only 3 of 5 m5.large available');

      const report = (await world.provider.describeRequests([tracked(aSimRequest('req-1', template, 5), template)])).get('req-1');
      expect(report?.final).toBe(true);
      expect(report?.machines).toHaveLength(3);
      expect(report?.message).toBe('InsufficientInstanceCapacity: only 3 of 5 m5.large available');
    });

    it('throws INSUFFICIENT_CAPACITY when nothing fits, and launches again once capacity is freed', async () => {
      world = makeSimWorld({ SIM_CAPACITY: { 'm5.large': 2 } });
      const template = aSimTemplate();
      const first = await world.provider.launch({ requestId: 'req-1', template, units: 2 });

      const error = await world.provider.launch({ requestId: 'req-2', template, units: 1 }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(HostFactoryError);
      expect((error as HostFactoryError).code).toBe('INSUFFICIENT_CAPACITY');

      await world.provider.release(machinesOf(first, 'req-1', template.templateId), [aSimRequest('req-1', template, 2)]);
      world.clock.advance(5);
      const retried = await world.provider.launch({ requestId: 'req-2', template, units: 1 });
      expect(retried.machines).toHaveLength(1);
    });

    it('limits only the types it names', async () => {
      world = makeSimWorld({ SIM_CAPACITY: { 'm5.large': 0 } });
      const result = await world.provider.launch({ requestId: 'req-1', template: aSimTemplate({ vmType: 'c5.large' }), units: 4 });
      expect(result.machines).toHaveLength(4);
    });
  });

  describe('SIM_LAUNCH_FAILURE_RATE', () => {
    it('makes failing instances go from pending to terminated at boot time with a reason', async () => {
      world = makeSimWorld({ SIM_LAUNCH_FAILURE_RATE: 1, SIM_BOOT_DELAY_SEC: 2 });
      const template = aSimTemplate();
      const machines = machinesOf(await world.provider.launch({ requestId: 'req-1', template, units: 2 }), 'req-1', template.templateId);
      expect((await world.provider.describeMachines(machines)).map((machine) => machine.status)).toEqual(['pending', 'pending']);

      world.clock.advance(2);
      const seen = await world.provider.describeMachines(machines);
      expect(seen.map((machine) => machine.status)).toEqual(['terminated', 'terminated']);
      for (const machine of seen) expect(machine.failureMessage).toMatch(/^Server\.InternalError: /);
    });

    it('fails some instances and not others at a partial rate', async () => {
      world = makeSimWorld({ SIM_LAUNCH_FAILURE_RATE: 0.5, SIM_SEED: 'failures' });
      const template = aSimTemplate();
      const machines = machinesOf(await world.provider.launch({ requestId: 'req-1', template, units: 40 }), 'req-1', template.templateId);
      world.clock.advance(10);
      const statuses = (await world.provider.describeMachines(machines)).map((machine) => machine.status);
      const failed = statuses.filter((status) => status === 'terminated').length;
      expect(failed).toBeGreaterThan(5);
      expect(failed).toBeLessThan(35);
      expect(statuses.filter((status) => status === 'running')).toHaveLength(40 - failed);
    });
  });

  describe('SIM_INTERRUPTION_RATE', () => {
    const knobs = { SIM_INTERRUPTION_RATE: 1, SIM_INTERRUPTION_AFTER_SEC: 60, SIM_INTERRUPTION_GRACE_SEC: 120 };

    it('gives spot instances a notice after AFTER_SEC, counts the grace period down, then terminates them', async () => {
      world = makeSimWorld(knobs);
      const template = aSimTemplate({ priceType: 'spot' });
      const machines = machinesOf(await world.provider.launch({ requestId: 'req-1', template, units: 1 }), 'req-1', template.templateId);

      world.clock.advance(59);
      expect(await world.provider.listReclaims(machines)).toEqual([]);

      world.clock.advance(1);
      expect(await world.provider.listReclaims(machines)).toEqual([
        { machineId: machines[0].machineId, name: machines[0].name, gracePeriod: 120, reason: 'spot interruption notice' },
      ]);
      expect((await world.provider.describeMachines(machines))[0].status).toBe('running');

      world.clock.advance(90);
      expect((await world.provider.listReclaims(machines))[0].gracePeriod).toBe(30);

      world.clock.advance(30);
      expect((await world.provider.listReclaims(machines))[0].gracePeriod).toBe(0);
      const [seen] = await world.provider.describeMachines(machines);
      expect(seen.status).toBe('terminated');
      expect(seen.failureMessage).toMatch(/SpotInstanceTermination/);
    });

    it('never interrupts on-demand instances', async () => {
      world = makeSimWorld(knobs);
      const template = aSimTemplate({ priceType: 'ondemand' });
      const machines = machinesOf(await world.provider.launch({ requestId: 'req-1', template, units: 3 }), 'req-1', template.templateId);
      world.clock.advance(1000);
      expect(await world.provider.listReclaims(machines)).toEqual([]);
      expect((await world.provider.describeMachines(machines)).map((machine) => machine.status)).toEqual(['running', 'running', 'running']);
    });

    it('does not interrupt instances HostFactory released before the notice', async () => {
      world = makeSimWorld(knobs);
      const template = aSimTemplate({ priceType: 'spot' });
      const machines = machinesOf(await world.provider.launch({ requestId: 'req-1', template, units: 1 }), 'req-1', template.templateId);
      world.clock.advance(30);
      await world.provider.release(machines, [aSimRequest('req-1', template, 1)]);
      world.clock.advance(60);
      expect(await world.provider.listReclaims(machines)).toEqual([]);
      expect((await world.provider.describeMachines(machines))[0].failureMessage).toBeUndefined();
    });
  });

  describe('the console (outside HostFactory)', () => {
    it('interrupt gives a notice with the grace asked for, seen by the provider', async () => {
      world = makeSimWorld();
      const template = aSimTemplate();
      const machines = machinesOf(await world.provider.launch({ requestId: 'req-1', template, units: 2 }), 'req-1', template.templateId);
      world.clock.advance(10);
      await world.console.interrupt(machines[1].machineId, 30);
      world.clock.advance(10);
      expect(await world.provider.listReclaims(machines)).toEqual([
        { machineId: machines[1].machineId, name: machines[1].name, gracePeriod: 20, reason: 'spot interruption notice' },
      ]);
    });

    it('terminate is detected as terminated outside HostFactory, with no grace left', async () => {
      world = makeSimWorld();
      const template = aSimTemplate();
      const machines = machinesOf(await world.provider.launch({ requestId: 'req-1', template, units: 2 }), 'req-1', template.templateId);
      world.clock.advance(10);
      await world.console.terminate(machines[0].machineId);
      await world.console.terminate(machines[0].machineId);
      expect(await world.provider.listReclaims(machines)).toEqual([
        { machineId: machines[0].machineId, name: machines[0].name, gracePeriod: 0, reason: 'terminated outside HostFactory' },
      ]);
      world.clock.advance(5);
      expect((await world.provider.describeMachines(machines)).map((machine) => machine.status)).toEqual(['terminated', 'running']);
    });

    it('reports hosts the sim no longer knows as terminated outside HostFactory', async () => {
      world = makeSimWorld();
      const template = aSimTemplate();
      const [machine] = machinesOf(await world.provider.launch({ requestId: 'req-1', template, units: 1 }), 'req-1', template.templateId);
      const stranger = { ...machine, machineId: 'i-00000000000000bad', name: 'ip-10-0-99-99.ec2.internal' };
      expect(await world.provider.listReclaims([machine, stranger])).toEqual([
        { machineId: stranger.machineId, name: stranger.name, gracePeriod: 0, reason: 'terminated outside HostFactory' },
      ]);
    });

    it('refuses unknown instances and interrupting an instance that is already ending', async () => {
      world = makeSimWorld();
      const template = aSimTemplate();
      const [machine] = machinesOf(await world.provider.launch({ requestId: 'req-1', template, units: 1 }), 'req-1', template.templateId);
      await expect(world.console.terminate('i-00000000000000bad')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      await world.console.terminate(machine.machineId);
      await expect(world.console.interrupt(machine.machineId, 10)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    });
  });
});
