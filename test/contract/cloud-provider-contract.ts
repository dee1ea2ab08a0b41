import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newMachine, type CloudMachine, type Machine } from '../../src/domain/machine.js';
import type { CloudProvider, LaunchResult, TrackedRequest } from '../../src/domain/ports/cloud-provider.js';
import type { Request } from '../../src/domain/request.js';
import { aTemplate, anAcquireRequest } from '../support/mothers.js';

export interface CloudProviderContractSubject {
  provider: CloudProvider;
  /** Moves the provider's notion of time (and of the cloud) forward. */
  advance(seconds: number): void;
  /** Makes the cloud answer "insufficient capacity" for an instance type everywhere (false), or have room again (true). */
  setCapacity(instanceType: string, available: boolean): void;
  close(): Promise<void>;
}

const template = aTemplate({
  templateId: 'contract-template',
  maxNumber: 50,
  imageId: 'ami-0123456789abcdef0',
  subnetIds: ['subnet-0123456789abcdef0'],
  vmType: 't3.micro',
  instanceTags: { purpose: 'contract' },
  securityGroupIds: ['sg-0123456789abcdef0'],
  sourceFile: 'contract_templates.json',
});

function request(requestId: string, units: number, launched?: LaunchResult): Request {
  return anAcquireRequest({
    requestId,
    templateId: template.templateId,
    machineCount: units,
    providerName: 'contract',
    providerData: launched?.providerData ?? {},
    createdAt: 0,
    updatedAt: 0,
  });
}

function toMachines(requestId: string, seen: readonly CloudMachine[]): Machine[] {
  return seen.map((cloudMachine) => newMachine(requestId, template.templateId, cloudMachine, 0));
}

const ids = (machines: readonly { machineId: string }[]) => machines.map((machine) => machine.machineId).sort();

/**
 * What every CloudProvider must do, whatever cloud is behind it. `setup` runs before each test
 * and gives a fresh provider with a clock the test can advance.
 */
export function describeCloudProviderContract(
  name: string,
  setup: () => Promise<CloudProviderContractSubject>,
): void {
  describe(`CloudProvider contract: ${name}`, () => {
    let subject: CloudProviderContractSubject;

    beforeEach(async () => {
      subject = await setup();
    });
    afterEach(async () => {
      await subject.close();
    });

    /** Launches and returns the machines known so far: from launch, else from describeRequests. */
    async function launchAndSee(requestId: string, units: number): Promise<{ launched: LaunchResult; machines: CloudMachine[]; tracked: TrackedRequest }> {
      const launched = await subject.provider.launch({ requestId, template, units });
      const tracked: TrackedRequest = { request: request(requestId, units, launched), template, machines: toMachines(requestId, launched.machines) };
      if (launched.machines.length > 0) return { launched, machines: launched.machines, tracked };
      const report = (await subject.provider.describeRequests([tracked])).get(requestId);
      return { launched, machines: report?.machines ?? [], tracked };
    }

    it('launch gives machines with ids, host names and addresses, pending or running', async () => {
      const { machines } = await launchAndSee('req-contract-launch', 2);
      expect(machines).toHaveLength(2);
      expect(new Set(ids(machines)).size).toBe(2);
      for (const machine of machines) {
        expect(machine.machineId).not.toBe('');
        expect(machine.name).not.toBe('');
        expect(machine.privateIpAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
        expect(['pending', 'running']).toContain(machine.status);
        expect(machine.instanceTags['hostfactory:request-id']).toBe('req-contract-launch');
        expect(machine.instanceTags['hostfactory:template-id']).toBe(template.templateId);
      }
    });

    it('launching twice for the same request never launches twice', async () => {
      const first = await launchAndSee('req-contract-twice', 3);
      const second = await launchAndSee('req-contract-twice', 3);
      const report = (await subject.provider.describeRequests([second.tracked])).get('req-contract-twice');
      expect(report?.machines).toHaveLength(3);
      expect(ids(report?.machines ?? [])).toEqual(ids(first.machines));
      if (second.launched.machines.length > 0) expect(ids(second.launched.machines)).toEqual(ids(first.machines));
    });

    it('describeRequests reports every request given in one call, and machines come up as time passes', async () => {
      const a = await launchAndSee('req-contract-a', 1);
      const b = await launchAndSee('req-contract-b', 2);
      subject.advance(600);
      const reports = await subject.provider.describeRequests([a.tracked, b.tracked]);
      expect([...reports.keys()].sort()).toEqual(['req-contract-a', 'req-contract-b']);
      expect(reports.get('req-contract-a')?.machines.map((machine) => machine.status)).toEqual(['running']);
      expect(reports.get('req-contract-b')?.machines.map((machine) => machine.status)).toEqual(['running', 'running']);
      expect(reports.get('req-contract-b')?.final).toBe(true);
    });

    it('describeMachines reports ids the cloud does not know, launched long ago, as terminated', async () => {
      const { machines } = await launchAndSee('req-contract-known', 1);
      const known = toMachines('req-contract-known', machines)[0];
      // An hour older than anything the cloud could still be making visible (eventual consistency).
      const unknown: Machine = { ...known, machineId: 'i-0000000000000dead', name: 'ip-10-0-250-250.ec2.internal', launchTime: known.launchTime - 3600 };
      const seen = await subject.provider.describeMachines([known, unknown]);
      const byId = new Map(seen.map((machine) => [machine.machineId, machine]));
      expect(byId.get(unknown.machineId)?.status).toBe('terminated');
      expect(['pending', 'running']).toContain(byId.get(known.machineId)?.status);
    });

    it('release ends machines, and releasing again is harmless', async () => {
      const { machines, tracked } = await launchAndSee('req-contract-release', 2);
      const held = toMachines('req-contract-release', machines);
      subject.advance(600);
      expect(await subject.provider.release(held, [tracked.request], held)).toEqual({ failed: {} });
      expect(await subject.provider.release(held, [tracked.request], held)).toEqual({ failed: {} });
      subject.advance(600);
      const seen = await subject.provider.describeMachines(held);
      expect(seen.map((machine) => machine.status)).toEqual(['terminated', 'terminated']);
      await expect(subject.provider.release(held, [tracked.request], held)).resolves.toEqual({ failed: {} });
    });

    it('findHosts finds launched hosts by id or by host name with their tags\' owner, and leaves out what the cloud does not know', async () => {
      const { machines } = await launchAndSee('req-contract-find', 2);
      subject.advance(30);
      const [byId, byName] = machines;
      const described = await subject.provider.describeMachines(toMachines('req-contract-find', machines));
      const name = described.find((machine) => machine.machineId === byName.machineId)!.name;
      const hosts = await subject.provider.findHosts([{ machineId: byId.machineId }, { name }, { machineId: 'i-0000000000000dead' }]);
      expect(ids(hosts)).toEqual(ids(machines));
      for (const host of hosts) expect(host).toMatchObject({ requestId: 'req-contract-find', templateId: template.templateId, providerName: expect.any(String) });
    });

    it('reports a pool out of capacity, launches elsewhere, and tries that pool last while it is remembered', async () => {
      const twoTypes = { ...template, vmType: undefined, vmTypes: { 't3.micro': 1, 't3.small': 1 } };
      const typesOf = (result: LaunchResult) => result.machines.map((machine) => machine.instanceType).sort();
      subject.setCapacity('t3.micro', false);

      const short = await subject.provider.launch({ requestId: 'req-contract-ice-1', template: twoTypes, units: 2 });
      expect(typesOf(short)).toEqual(['t3.small', 't3.small']);
      const pool = short.unavailableOfferings?.find((offering) => offering.instanceType === 't3.micro');
      expect(pool).toEqual({ instanceType: 't3.micro', zone: expect.any(String), market: 'ondemand' });
      expect(await subject.provider.offeringsOf?.(twoTypes), 'the pool is one of the template\'s').toContainEqual(pool);

      subject.setCapacity('t3.micro', true);
      const avoiding = await subject.provider.launch({ requestId: 'req-contract-ice-2', template: twoTypes, units: 2, unavailable: [pool!] });
      expect(typesOf(avoiding), 't3.micro has room again but is remembered: not used while t3.small has room').toEqual(['t3.small', 't3.small']);

      const forgotten = await subject.provider.launch({ requestId: 'req-contract-ice-3', template: twoTypes, units: 2 });
      expect(typesOf(forgotten)).toContain('t3.micro');
    });

    it('listReclaims on healthy running machines is empty', async () => {
      const { machines } = await launchAndSee('req-contract-healthy', 2);
      subject.advance(30);
      const held = toMachines('req-contract-healthy', machines);
      expect(await subject.provider.listReclaims(held)).toEqual([]);
    });
  });
}
