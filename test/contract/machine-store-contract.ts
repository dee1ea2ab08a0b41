import { describe, expect, it } from 'vitest';
import type { Machine } from '../../src/domain/machine.js';
import { ids, rejectionOf, type RepositoryStore } from './store-fixtures.js';
import { aMachine, anAcquireRequest, aReturnRequest } from '../support/mothers.js';

/** The MachineRepository half of the repository contract; `store()` is a fresh store per test. */
export function describeMachineStoreContract(store: () => RepositoryStore): void {
  describe('machines', () => {
    it('addIfAbsent stores new machines at version 0 and returns them as stored', async () => {
      const request = anAcquireRequest();
      const first = aMachine(request.requestId, { version: 5 });
      const second = aMachine(request.requestId, { status: 'running', publicIpAddress: '54.1.2.3', cloudHostId: 'h-1' });
      const stored = await store().machines.addIfAbsent([first, second]);
      expect(stored).toEqual([
        { ...first, version: 0 },
        { ...second, version: 0 },
      ]);
      expect(ids(await store().machines.listByRequests([request.requestId]))).toEqual(ids([first, second]));
      expect(await store().machines.addIfAbsent([])).toEqual([]);
    });

    it('addIfAbsent is idempotent and never overwrites a stored machine', async () => {
      const request = anAcquireRequest();
      const machine = aMachine(request.requestId);
      await store().machines.addIfAbsent([machine]);
      const running = await store().machines.update({ ...machine, status: 'running' });
      const fresh = aMachine(request.requestId);

      const stored = await store().machines.addIfAbsent([{ ...machine, status: 'pending', name: 'rediscovered' }, fresh, fresh]);

      expect(stored).toEqual([running, { ...fresh, version: 0 }]);
      const listed = await store().machines.listByRequests([request.requestId]);
      expect(ids(listed)).toEqual(ids([machine, fresh]));
      expect(listed.find((m) => m.machineId === machine.machineId)).toEqual(running);
    });

    it('keeps every field, including JSON tags, nulls and a fractional weight', async () => {
      const request = anAcquireRequest();
      const machine = aMachine(request.requestId, {
        status: 'running',
        returnRequestId: 'ret-1',
        failureMessage: 'spot capacity reclaimed',
        publicIpAddress: null,
        cloudHostId: 'h-0123',
        resourceId: 'fleet-0abc',
        region: 'eu-west-1',
        priceType: 'spot',
        weight: 1.5,
        instanceTags: { Name: 'compute', 'hf:template': 'tpl=ondemand;x', empty: '' },
      });
      await store().machines.addIfAbsent([machine]);
      const [stored] = await store().machines.findByRefs([{ machineId: machine.machineId }]);
      expect(stored).toEqual(machine);
      const plain = aMachine(request.requestId);
      await store().machines.addIfAbsent([plain]);
      const [plainStored] = await store().machines.findByRefs([{ machineId: plain.machineId }]);
      expect(plainStored).toEqual(plain);
      expect('returnRequestId' in plainStored && plainStored.returnRequestId !== undefined).toBe(false);
    });

    it('keeps an interruption notice through add and update, and drops it when the update has none', async () => {
      const request = anAcquireRequest();
      const machine = aMachine(request.requestId, { status: 'running', notice: { deadline: 1_750_000_120_000, reason: 'spot interruption warning (terminate)' } });
      await store().machines.addIfAbsent([machine]);
      const [added] = await store().machines.findByRefs([{ machineId: machine.machineId }]);
      expect(added.notice).toEqual(machine.notice);
      const sooner = await store().machines.update({ ...added, notice: { deadline: 1_750_000_060_000, reason: 'instance shutting-down (EC2 state-change event)' } });
      expect((await store().machines.listLive()).find((m) => m.machineId === machine.machineId)?.notice).toEqual(sooner.notice);
      const { notice: _dropped, ...withoutNotice } = sooner;
      await store().machines.update(withoutNotice);
      const [cleared] = await store().machines.findByRefs([{ machineId: machine.machineId }]);
      expect(cleared.notice).toBeUndefined();
    });

    it('listByRequests returns only the machines of the given requests', async () => {
      const [a, b, c] = [anAcquireRequest(), anAcquireRequest(), anAcquireRequest()];
      const ofA = [aMachine(a.requestId), aMachine(a.requestId)];
      const ofB = [aMachine(b.requestId)];
      const ofC = [aMachine(c.requestId)];
      await store().machines.addIfAbsent([...ofA, ...ofB, ...ofC]);
      expect(ids(await store().machines.listByRequests([a.requestId, b.requestId]))).toEqual(ids([...ofA, ...ofB]));
      expect(await store().machines.listByRequests(['req-unknown'])).toEqual([]);
      expect(await store().machines.listByRequests([])).toEqual([]);
    });

    it('listByReturnRequests returns the machines each return request gave back', async () => {
      const request = anAcquireRequest();
      const [first, second] = [aReturnRequest(), aReturnRequest()];
      const kept = aMachine(request.requestId);
      const returnedFirst = aMachine(request.requestId, { returnRequestId: first.requestId });
      const returnedSecond = aMachine(request.requestId);
      await store().machines.addIfAbsent([kept, returnedFirst, returnedSecond]);
      const [stored] = await store().machines.findByRefs([{ machineId: returnedSecond.machineId }]);
      await store().machines.update({ ...stored, returnRequestId: second.requestId, status: 'shutting-down' });

      expect(ids(await store().machines.listByReturnRequests([first.requestId]))).toEqual([returnedFirst.machineId]);
      expect(ids(await store().machines.listByReturnRequests([first.requestId, second.requestId]))).toEqual(
        ids([returnedFirst, returnedSecond]),
      );
      expect(await store().machines.listByReturnRequests(['ret-unknown'])).toEqual([]);
    });

    it('findByRefs matches by machine id or by host name, each machine once', async () => {
      const request = anAcquireRequest();
      const [byId, byName, both, other] = [1, 2, 3, 4].map(() => aMachine(request.requestId));
      await store().machines.addIfAbsent([byId, byName, both, other]);
      const found = await store().machines.findByRefs([
        { machineId: byId.machineId },
        { name: byName.name },
        { name: both.name, machineId: both.machineId },
        { name: 'ip-10-9-9-9.ec2.internal', machineId: 'i-unknown' },
      ]);
      expect(ids(found)).toEqual(ids([byId, byName, both]));
      expect(await store().machines.findByRefs([])).toEqual([]);
      expect(await store().machines.findByRefs([{}])).toEqual([]);
    });

    it('listLive returns every machine that is not terminated', async () => {
      const request = anAcquireRequest();
      const states: Machine['status'][] = ['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated'];
      const machines = states.map((status) => aMachine(request.requestId, { status }));
      await store().machines.addIfAbsent(machines);
      expect(ids(await store().machines.listLive())).toEqual(ids(machines.filter((m) => m.status !== 'terminated')));
      const running = machines[1];
      await store().machines.update({ ...running, status: 'terminated' });
      expect(ids(await store().machines.listLive())).not.toContain(running.machineId);
    });

    it('update stores the change and bumps the version; a stale update is a STORAGE_CONFLICT', async () => {
      const request = anAcquireRequest();
      const [machine] = await store().machines.addIfAbsent([aMachine(request.requestId)]);
      const running = await store().machines.update({ ...machine, status: 'running', privateIpAddress: '10.1.1.1' });
      expect(running.version).toBe(1);
      expect(running.status).toBe('running');

      const error = await rejectionOf(store().machines.update({ ...machine, status: 'terminated' }));

      expect(error.code).toBe('STORAGE_CONFLICT');
      expect(error.retryable).toBe(true);
      const [stored] = await store().machines.findByRefs([{ machineId: machine.machineId }]);
      expect(stored).toEqual(running);
      expect((await store().machines.update({ ...stored, status: 'stopping' })).version).toBe(2);
    });

    it('update of a machine that is not stored fails with STORAGE_CONFLICT and stores nothing', async () => {
      const machine = aMachine(anAcquireRequest().requestId);
      expect((await rejectionOf(store().machines.update(machine))).code).toBe('STORAGE_CONFLICT');
      expect(await store().machines.findByRefs([{ machineId: machine.machineId }])).toEqual([]);
    });

    it('remove deletes the named machines and keeps the rest', async () => {
      const request = anAcquireRequest();
      const [gone, kept] = await store().machines.addIfAbsent([aMachine(request.requestId), aMachine(request.requestId)]);

      expect(await store().machines.remove([gone.machineId, 'i-unknown'])).toBe(1);

      expect(await store().machines.listByRequests([request.requestId])).toEqual([kept]);
      expect(await store().machines.remove([gone.machineId])).toBe(0);
    });

    it('handles a large fleet in one call (more rows than one statement can carry)', async () => {
      const request = anAcquireRequest();
      const fleet = Array.from({ length: 520 }, () => aMachine(request.requestId));
      expect((await store().machines.addIfAbsent(fleet)).length).toBe(520);
      expect((await store().machines.listByRequests([request.requestId])).length).toBe(520);
      const found = await store().machines.findByRefs(fleet.map((machine) => ({ name: machine.name, machineId: machine.machineId })));
      expect(found.length).toBe(520);
      expect((await store().machines.listLive()).length).toBe(520);
    });
  });
}
