import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CopyReport } from '../../../src/application/copy-store.js';
import type { Machine } from '../../../src/domain/machine.js';
import type { Request } from '../../../src/domain/request.js';
import { StoreCommands } from '../../../src/infrastructure/cli/store-commands.js';
import { openStore } from '../../../src/infrastructure/storage/open-store.js';
import type { StoreHandle } from '../../../src/infrastructure/storage/store-handle.js';
import { dropSchemas, postgresReachable, postgresUrlWithSchema, uniqueSchema } from '../../contract/pg-test-store.js';
import { aManualClock, type ManualClock } from '../../contract/store-fixtures.js';
import { aMachine, anAcquireRequest, aReturnRequest, T0 } from '../../support/mothers.js';
import { createInMemoryStoreState } from '../../support/in-memory-store-state.js';
import { InMemoryRequestRepository } from '../../support/in-memory-request-repository.js';

let dir = '';
const schemas: string[] = [];
const open: StoreHandle[] = [];
const pgUp = await postgresReachable();

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hf-store-copy-'));
});

afterEach(async () => {
  for (const store of open.splice(0)) await store.close();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await dropSchemas(schemas);
});

let storeNumber = 0;
function aStoreUrl(kind: 'sqlite' | 'json' | 'postgres'): string {
  storeNumber += 1;
  if (kind === 'sqlite') return `sqlite://${path.join(dir, `store-${storeNumber}.db`)}`;
  if (kind === 'json') return `json://${path.join(dir, `store-${storeNumber}`)}`;
  const schema = uniqueSchema('hf_copy');
  schemas.push(schema);
  return postgresUrlWithSchema(schema);
}

/** A store whose updates are stamped by `clock`, as HostFactory would write it. */
async function opened(url: string, clock: ManualClock): Promise<StoreHandle> {
  const store = await openStore(url, { clock });
  open.push(store);
  return store;
}

/** `hostfactory store copy` as the CLI runs it (its other dependencies serve only `store prune`). */
async function copy(from: string, to: string, pruneTarget = false): Promise<CopyReport> {
  const commands = new StoreCommands(new InMemoryRequestRepository(createInMemoryStoreState()), aManualClock());
  return (await commands.copy(from, to, { pruneTarget })).data as CopyReport;
}

/** Everything a store holds for these requests, without the versions each store counts for itself. */
async function contents(store: StoreHandle, requestIds: string[]): Promise<{ requests: Request[]; machines: Machine[] }> {
  const withoutVersion = <T extends { version: number }>({ version: _version, ...rest }: T) => rest as T;
  const requests = (await store.requests.getMany(requestIds)).map(withoutVersion).sort((a, b) => a.requestId.localeCompare(b.requestId));
  const machines = (await store.machines.listByRequests(requestIds)).map(withoutVersion).sort((a, b) => a.machineId.localeCompare(b.machineId));
  return { requests, machines };
}

/** A source with one running acquire request and its two pending machines, all written at T0. */
async function aSource(url: string, clock: ManualClock): Promise<{ store: StoreHandle; acquire: Request; machines: Machine[] }> {
  const store = await opened(url, clock);
  const acquire = anAcquireRequest();
  await store.requests.create(acquire);
  const machines = await store.machines.addIfAbsent([aMachine(acquire.requestId), aMachine(acquire.requestId)]);
  return { store, acquire, machines };
}

const targets: Array<['sqlite' | 'json' | 'postgres', boolean]> = [
  ['json', true],
  ['sqlite', true],
  ['postgres', pgUp || Boolean(process.env.CI)],
];

for (const [targetKind, runnable] of targets) {
  describe.skipIf(!runnable)(`store copy from SQLite to ${targetKind}, re-run`, () => {
    it('brings the target up to the source after a request completed and a machine was returned', async () => {
      const clock = aManualClock();
      const from = aStoreUrl('sqlite');
      const to = aStoreUrl(targetKind);
      const source = await aSource(from, clock);
      expect((await copy(from, to)).requests).toMatchObject({ inSource: 1, added: 1 });

      clock.advance(1_000);
      const [kept, given] = await Promise.all(source.machines.map((machine) => source.store.machines.update({ ...machine, status: 'running' })));
      await source.store.requests.update({ ...source.acquire, status: 'complete', message: 'all hosts up' });
      clock.advance(1_000);
      const giveBack = aReturnRequest({ createdAt: clock.now(), updatedAt: clock.now() });
      await source.store.requests.create(giveBack);
      await source.store.machines.update({ ...given, status: 'terminated', returnRequestId: giveBack.requestId });
      await source.store.requests.update({ ...(await source.store.requests.get(giveBack.requestId))!, status: 'complete' });

      const again = await copy(from, to);

      expect(again.requests).toEqual({ inSource: 2, added: 1, updated: 1, unchanged: 0, newerInTarget: 0, onlyInTarget: 0, pruned: 0 });
      expect(again.machines).toEqual({ inSource: 2, added: 0, updated: 2, unchanged: 0, newerInTarget: 0, onlyInTarget: 0, pruned: 0 });
      const target = await opened(to, clock);
      const ids = [source.acquire.requestId, giveBack.requestId];
      expect(await contents(target, ids)).toEqual(await contents(source.store, ids));
      expect((await target.machines.listByReturnRequests([giveBack.requestId])).map((m) => m.machineId)).toEqual([given.machineId]);
      expect((await target.machines.listLive()).map((m) => m.machineId)).toEqual([kept.machineId]);

      const third = await copy(from, to);
      expect(third.requests).toMatchObject({ inSource: 2, added: 0, updated: 0, unchanged: 2 });
      expect(third.machines).toMatchObject({ inSource: 2, added: 0, updated: 0, unchanged: 2 });
    });

    it('keeps what only the target holds, and deletes it with --prune-target', async () => {
      const clock = aManualClock();
      const from = aStoreUrl('sqlite');
      const to = aStoreUrl(targetKind);
      const source = await aSource(from, clock);
      await copy(from, to);
      const target = await opened(to, clock);
      const targetOnly = anAcquireRequest();
      await target.requests.create(targetOnly);
      const [ofTargetOnly, extraHost] = await target.machines.addIfAbsent([aMachine(targetOnly.requestId), aMachine(source.acquire.requestId)]);

      const kept = await copy(from, to);

      expect(kept.requests).toMatchObject({ unchanged: 1, onlyInTarget: 1, pruned: 0 });
      expect(kept.machines).toMatchObject({ unchanged: 2, onlyInTarget: 2, pruned: 0 });
      expect(await target.requests.get(targetOnly.requestId)).toBeDefined();
      expect(await target.machines.findByRefs([{ machineId: ofTargetOnly.machineId }, { machineId: extraHost.machineId }])).toHaveLength(2);

      const pruned = await copy(from, to, true);

      expect(pruned.requests).toMatchObject({ unchanged: 1, onlyInTarget: 1, pruned: 1 });
      expect(pruned.machines).toMatchObject({ unchanged: 2, onlyInTarget: 2, pruned: 2 });
      expect(await target.requests.get(targetOnly.requestId)).toBeUndefined();
      expect(await target.machines.findByRefs([{ machineId: ofTargetOnly.machineId }, { machineId: extraHost.machineId }])).toEqual([]);
      const ids = [source.acquire.requestId];
      expect(await contents(target, ids)).toEqual(await contents(source.store, ids));
    });

    it('keeps a target record changed later than the source one (newer wins) and takes the newer source ones', async () => {
      const clock = aManualClock();
      const from = aStoreUrl('sqlite');
      const to = aStoreUrl(targetKind);
      const source = await aSource(from, clock);
      await copy(from, to);
      const target = await opened(to, clock);
      const [olderInTarget, newerInTarget] = source.machines;

      clock.advance(1_000);
      await source.store.requests.update({ ...source.acquire, message: 'source, earlier' });
      await target.machines.update({ ...olderInTarget, status: 'stopping' });
      clock.advance(1_000);
      const targetRequest = await target.requests.update({ ...(await target.requests.get(source.acquire.requestId))!, message: 'target, later' });
      const sourceMachine = await source.store.machines.update({ ...olderInTarget, status: 'terminated' });
      const targetMachine = await target.machines.update({ ...(await target.machines.findByRefs([{ machineId: newerInTarget.machineId }]))[0], status: 'running' });

      const report = await copy(from, to);

      expect(report.requests).toMatchObject({ updated: 0, newerInTarget: 1 });
      expect(report.machines).toMatchObject({ updated: 1, newerInTarget: 1 });
      expect(await target.requests.get(source.acquire.requestId)).toEqual(targetRequest);
      const [machineNow] = await target.machines.findByRefs([{ machineId: olderInTarget.machineId }]);
      expect({ ...machineNow, version: 0 }).toEqual({ ...sourceMachine, version: 0 });
      expect(machineNow.updatedAt).toBe(T0 + 2_000);
      expect(await target.machines.findByRefs([{ machineId: newerInTarget.machineId }])).toEqual([targetMachine]);
    });
  });
}
