import { describe, expect, it } from 'vitest';
import { rejectionOf, requestIds, type RepositoryStore } from './store-fixtures.js';
import { aMachine, anAcquireRequest, aReturnRequest, T0 } from '../support/mothers.js';

/** The RequestRepository half of the repository contract; `store()` is a fresh store per test. */
export function describeRequestStoreContract(store: () => RepositoryStore): void {
  describe('requests', () => {
    it('stores a new request at version 0 and reads it back as it was written', async () => {
      const request = anAcquireRequest({ message: 'launching', version: 7 });
      await store().requests.create(request);
      expect(await store().requests.get(request.requestId)).toEqual({ ...request, version: 0 });
    });

    it('keeps a return request without template or message as it was written', async () => {
      const request = aReturnRequest();
      await store().requests.create(request);
      const stored = await store().requests.get(request.requestId);
      expect(stored).toEqual(request);
      expect(stored?.templateId).toBeUndefined();
      expect(stored?.message).toBeUndefined();
    });

    it('answers undefined for an unknown request', async () => {
      expect(await store().requests.get('req-unknown')).toBeUndefined();
    });

    it('getMany returns the known requests and skips unknown ids', async () => {
      const first = anAcquireRequest();
      const second = aReturnRequest();
      await store().requests.create(first);
      await store().requests.create(second);
      const found = await store().requests.getMany([second.requestId, 'req-unknown', first.requestId]);
      expect(requestIds(found)).toEqual(requestIds([first, second]));
      expect(await store().requests.getMany([])).toEqual([]);
    });

    it('refuses a second request with the same id (STORAGE_CONFLICT) and keeps the first', async () => {
      const request = anAcquireRequest({ machineCount: 2 });
      await store().requests.create(request);
      const error = await rejectionOf(store().requests.create({ ...request, machineCount: 9 }));
      expect(error.code).toBe('STORAGE_CONFLICT');
      expect((await store().requests.get(request.requestId))?.machineCount).toBe(2);
    });

    it('update stores the change and bumps the version', async () => {
      const request = anAcquireRequest();
      await store().requests.create(request);
      const updated = await store().requests.update({ ...request, status: 'complete', message: 'done' });
      expect(updated.version).toBe(1);
      expect(updated.status).toBe('complete');
      expect(await store().requests.get(request.requestId)).toEqual(updated);
      const again = await store().requests.update({ ...updated, machineCount: 3 });
      expect(again.version).toBe(2);
      expect((await store().requests.get(request.requestId))?.machineCount).toBe(3);
    });

    it('refuses a stale update (STORAGE_CONFLICT, retryable) and keeps the newer value', async () => {
      const request = anAcquireRequest();
      await store().requests.create(request);
      const winner = await store().requests.update({ ...request, message: 'first writer' });
      const error = await rejectionOf(store().requests.update({ ...request, message: 'stale writer' }));
      expect(error.code).toBe('STORAGE_CONFLICT');
      expect(error.retryable).toBe(true);
      expect(await store().requests.get(request.requestId)).toEqual(winner);
    });

    it('update of an unknown request is REQUEST_NOT_FOUND and stores nothing', async () => {
      const request = anAcquireRequest();
      const error = await rejectionOf(store().requests.update(request));
      expect(error.code).toBe('REQUEST_NOT_FOUND');
      expect(await store().requests.get(request.requestId)).toBeUndefined();
    });

    it('listOutstanding returns only running requests, acquire and return alike', async () => {
      const running = anAcquireRequest();
      const returning = aReturnRequest();
      const complete = anAcquireRequest({ status: 'complete' });
      const failed = anAcquireRequest({ status: 'complete_with_error' });
      for (const request of [running, returning, complete, failed]) await store().requests.create(request);
      const finished = await store().requests.get(running.requestId);
      expect(requestIds(await store().requests.listOutstanding())).toEqual(requestIds([running, returning]));
      await store().requests.update({ ...finished!, status: 'complete' });
      expect(requestIds(await store().requests.listOutstanding())).toEqual([returning.requestId]);
    });

    it('list filters by kind and status, newest first, within the limit', async () => {
      const oldest = anAcquireRequest({ createdAt: T0 + 1, status: 'complete' });
      const middle = aReturnRequest({ createdAt: T0 + 2 });
      const newest = anAcquireRequest({ createdAt: T0 + 3 });
      for (const request of [middle, oldest, newest]) await store().requests.create(request);
      const all = await store().requests.list();
      expect(all.map((request) => request.requestId)).toEqual([newest, middle, oldest].map((request) => request.requestId));
      expect((await store().requests.list({ limit: 2 })).map((request) => request.requestId)).toEqual([
        newest.requestId,
        middle.requestId,
      ]);
      expect(requestIds(await store().requests.list({ kind: 'acquire' }))).toEqual(requestIds([oldest, newest]));
      expect(requestIds(await store().requests.list({ kind: 'acquire', status: 'running' }))).toEqual([newest.requestId]);
      expect(await store().requests.list({ kind: 'return', status: 'complete' })).toEqual([]);
    });

    it('round-trips nested providerData exactly', async () => {
      const providerData = {
        fleetIds: ['fleet-1', 'fleet-2'],
        spot: { maxPrice: 0.125, expiresAt: T0 + 1_800_000, cancelled: false, note: null },
        label: 'ünïcødé "quoted" \\ back',
      };
      const request = anAcquireRequest({ providerData });
      await store().requests.create(request);
      expect((await store().requests.get(request.requestId))?.providerData).toEqual(providerData);
      const updated = await store().requests.update({ ...request, providerData: { ...providerData, launched: 4 } });
      expect((await store().requests.get(request.requestId))?.providerData).toEqual(updated.providerData);
    });

    it('does not let a caller change a stored request by mutating objects', async () => {
      const request = anAcquireRequest({ providerData: { launched: 1 } });
      await store().requests.create(request);
      request.providerData.launched = 99;
      const read = await store().requests.get(request.requestId);
      read!.providerData.launched = 42;
      expect((await store().requests.get(request.requestId))?.providerData).toEqual({ launched: 1 });
    });

    it('pruneFinished deletes old finished requests with their machines and keeps the rest', async () => {
      const cutoff = T0 + 1_000;
      const oldDone = anAcquireRequest({ status: 'complete', createdAt: T0 });
      const oldFailed = anAcquireRequest({ status: 'complete_with_error', createdAt: T0 });
      const oldReturn = aReturnRequest({ status: 'complete', createdAt: T0 });
      const oldRunning = anAcquireRequest({ status: 'running', createdAt: T0 });
      const recentDone = anAcquireRequest({ status: 'complete', createdAt: cutoff });
      for (const request of [oldDone, oldFailed, oldReturn, oldRunning, recentDone]) await store().requests.create(request);
      const gone = aMachine(oldDone.requestId, { status: 'terminated', returnRequestId: oldReturn.requestId });
      const failed = aMachine(oldFailed.requestId, { status: 'terminated', failureMessage: 'capacity' });
      const pending = aMachine(oldRunning.requestId);
      const recent = aMachine(recentDone.requestId, { status: 'terminated' });
      await store().machines.addIfAbsent([gone, failed, pending, recent]);

      expect(await store().requests.pruneFinished(cutoff)).toBe(3);

      const left = await store().requests.getMany([oldDone, oldFailed, oldReturn, oldRunning, recentDone].map((r) => r.requestId));
      expect(requestIds(left)).toEqual(requestIds([oldRunning, recentDone]));
      expect(await store().machines.findByRefs([{ machineId: gone.machineId }, { machineId: failed.machineId }])).toEqual([]);
      const kept = await store().machines.listByRequests([oldRunning.requestId, recentDone.requestId]);
      expect(kept.map((machine) => machine.machineId).sort()).toEqual([pending.machineId, recent.machineId].sort());
      expect(await store().requests.pruneFinished(cutoff)).toBe(0);
    });

    it('pruneFinished keeps a finished acquire request whose hosts are still up, and its machines', async () => {
      const request = anAcquireRequest({ status: 'complete', createdAt: T0 });
      await store().requests.create(request);
      const up = aMachine(request.requestId, { status: 'running' });
      const gone = aMachine(request.requestId, { status: 'terminated' });
      await store().machines.addIfAbsent([up, gone]);

      expect(await store().requests.pruneFinished(T0 + 1_000)).toBe(0);

      expect(await store().requests.get(request.requestId)).toBeDefined();
      expect((await store().machines.listByRequests([request.requestId])).length).toBe(2);
    });

    it('remove deletes the named requests with their machines, whatever their state, and keeps the rest', async () => {
      const running = anAcquireRequest();
      const kept = anAcquireRequest();
      await store().requests.create(running);
      await store().requests.create(kept);
      const up = aMachine(running.requestId, { status: 'running' });
      const other = aMachine(kept.requestId);
      await store().machines.addIfAbsent([up, other]);

      expect(await store().requests.remove([running.requestId, 'req-unknown'])).toBe(1);

      expect(await store().requests.get(running.requestId)).toBeUndefined();
      expect(await store().machines.findByRefs([{ machineId: up.machineId }])).toEqual([]);
      expect(await store().requests.get(kept.requestId)).toBeDefined();
      expect(await store().machines.listByRequests([kept.requestId])).toEqual([other]);
      expect(await store().requests.remove([running.requestId])).toBe(0);
    });
  });
}
