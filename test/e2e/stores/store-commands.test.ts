import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assertSchema, HostFactoryInstance, pollUntilDone } from '../../support/hostfactory-harness.js';
import { postgresAvailable, storeFor, useStore, type StoreKind, type StoreUnderTest } from '../../support/store-under-test.js';

const stores: StoreUnderTest[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.cleanup();
});

async function instanceOn(kind: StoreKind): Promise<HostFactoryInstance> {
  const hf = new HostFactoryInstance({ config: { SIM_BOOT_DELAY_SEC: 0, SIM_SHUTDOWN_DELAY_SEC: 0 } });
  stores.push(await useStore(kind, hf));
  return hf;
}

async function acquire(hf: HostFactoryInstance, templateId: string, machineCount: number): Promise<any> {
  const requested = await hf.script('requestMachines', { template: { templateId, machineCount } });
  expect(requested.exitCode, requested.stdout).toBe(0);
  return (await pollUntilDone(hf, requested.json.requestId)).json.requests[0];
}

async function giveBack(hf: HostFactoryInstance, machines: any[]): Promise<any> {
  const returned = await hf.script('requestReturnMachines', { machines: machines.map((m) => ({ name: m.name, machineId: m.machineId })) });
  expect(returned.exitCode, returned.stdout).toBe(0);
  return (await pollUntilDone(hf, returned.json.requestId)).json.requests[0];
}

/**
 * Everything a user reads back from the store `env` points at. Versions are each store's own
 * optimistic-locking counters (a copy starts them at 0), and the order of live machines is the store's.
 */
async function readBack(hf: HostFactoryInstance, env: NodeJS.ProcessEnv = {}): Promise<unknown> {
  const requests = await hf.cli(['requests', 'list', '--json', '--limit', '100000'], { env });
  const machines = await hf.cli(['machines', 'list', '--json'], { env });
  expect([requests.exitCode, machines.exitCode], requests.stdout + machines.stdout).toEqual([0, 0]);
  const ids = requests.json.requests.map((r: any) => r.requestId);
  const status = await hf.script('getRequestStatus', { requests: ids.map((requestId: string) => ({ requestId })) }, { env });
  assertSchema('getRequestStatus', status.json);
  const withoutVersion = ({ version: _version, ...rest }: any) => rest;
  const byMachineId = (a: any, b: any) => a.machineId.localeCompare(b.machineId);
  return { requests: requests.json.requests.map(withoutVersion), machines: machines.json.machines.map(withoutVersion).sort(byMachineId), status: status.json };
}

/** A store holding finished acquire and return requests, live and terminated machines. */
async function populated(hf: HostFactoryInstance): Promise<void> {
  const first = await acquire(hf, 'OnDemand-Small', 3);
  await acquire(hf, 'OnDemand-Small', 2);
  await giveBack(hf, first.machines.slice(0, 2));
}

const pgUp = await postgresAvailable();

describe('hostfactory store copy', () => {
  const targets: Array<[string, StoreKind, boolean]> = [
    ['sqlite to json', 'json', true],
    ['sqlite to postgres (a second master joins)', 'postgres', pgUp || Boolean(process.env.CI)],
  ];
  for (const [title, targetKind, runnable] of targets) {
    it.skipIf(!runnable)(`moves all state ${title}, read back equal through the CLI`, { timeout: 180_000 }, async () => {
      const hf = await instanceOn('sqlite');
      await populated(hf);
      const target = await storeFor(targetKind, hf.root);
      stores.push(target);

      const copied = await hf.cli(['--json', 'store', 'copy', '--from', hf.env.HOSTFACTORY_STORE as string, '--to', target.url]);
      expect(copied.exitCode, copied.stdout + copied.stderr).toBe(0);
      expect(copied.json).toMatchObject({ requests: { inSource: 3, added: 3 }, machines: { inSource: 5, added: 5 } });

      const source = await readBack(hf);
      expect(await readBack(hf, target.extraEnv)).toEqual(source);
      expect((source as any).requests).toHaveLength(3);
      expect((source as any).machines).toHaveLength(3);
    });
  }

  it('copies again after hosts were returned, bringing the target up to the source', { timeout: 120_000 }, async () => {
    const hf = await instanceOn('sqlite');
    const first = await acquire(hf, 'OnDemand-Small', 2);
    const target = await storeFor('json', hf.root);
    stores.push(target);
    const from = hf.env.HOSTFACTORY_STORE as string;
    expect((await hf.cli(['store', 'copy', '--from', from, '--to', target.url])).exitCode).toBe(0);
    expect((await giveBack(hf, first.machines.slice(0, 1))).status).toBe('complete');
    await acquire(hf, 'OnDemand-Small', 1);
    const again = await hf.cli(['--json', 'store', 'copy', '--from', from, '--to', target.url]);
    expect(again.exitCode, again.stdout + again.stderr).toBe(0);
    expect(again.json).toMatchObject({ requests: { inSource: 3, added: 2 }, machines: { inSource: 3, added: 1, updated: 1 } });
    expect(await readBack(hf, target.extraEnv)).toEqual(await readBack(hf));
  });
});

// The command on one store: each store's pruneFinished is held to the same rules by the request store contract (test/contract).
describe('hostfactory store prune --older-than', () => {
  it('drops finished requests whose machines are gone and keeps running ones and those with live hosts', { timeout: 180_000 }, async () => {
    const hf = await instanceOn('sqlite');
    const done = await acquire(hf, 'OnDemand-Small', 2);
    const returned = await giveBack(hf, done.machines);
    expect(returned.status).toBe('complete');
    const holding = await acquire(hf, 'OnDemand-Small', 1);
    const running = await hf.script('requestMachines', { template: { templateId: 'Spot-Compute', machineCount: 1 } });

    const pruned = await hf.cli(['--json', 'store', 'prune', '--older-than', '0s']);
    expect(pruned.exitCode, pruned.stdout + pruned.stderr).toBe(0);
    expect(pruned.json.pruned).toBe(2);

    const left = await hf.cli(['requests', 'list', '--json', '--limit', '100000']);
    expect(left.json.requests.map((r: any) => r.requestId).sort()).toEqual([holding.requestId, running.json.requestId].sort());
    const live = await hf.cli(['machines', 'list', '--json']);
    expect(live.json.machines.filter((m: any) => m.requestId === holding.requestId).map((m: any) => m.machineId)).toEqual(
      holding.machines.map((m: any) => m.machineId),
    );
    expect(new Set(live.json.machines.map((m: any) => m.requestId))).toEqual(new Set([holding.requestId, running.json.requestId]));
    const status = await hf.script('getRequestStatus', { requests: [{ requestId: done.requestId }, { requestId: holding.requestId }] });
    expect(status.json.requests[0].message).toContain('not found');
    expect(status.json.requests[1]).toMatchObject({ status: 'complete', machines: [{ machineId: holding.machines[0].machineId }] });
  });
});

describe('hostfactory store commands given bad arguments', () => {
  it('say what is wrong, exit 2 or 3 and change nothing', { timeout: 180_000 }, async () => {
    const hf = await instanceOn('sqlite');
    await acquire(hf, 'OnDemand-Small', 1);
    const before = await hf.storeSnapshot();
    const from = hf.env.HOSTFACTORY_STORE as string;
    const untouched = join(hf.root, 'never-created');

    const cases: Array<[string[], number, RegExp]> = [
      [['store', 'copy', '--from', from, '--to', 'mysql://db/x'], 3, /Invalid store URL 'mysql:\/\/db\/x'.*unknown or missing scheme/],
      [['store', 'copy', '--from', from, '--to', 'json://relative/dir'], 3, /absolute path/],
      [['store', 'copy', '--from', 'sqlite:///', '--to', `json://${untouched}`], 3, /Invalid store URL/],
      [['store', 'copy', '--from', from, '--to', from], 2, /same store/],
      [['store', 'prune', '--older-than', '30 days'], 2, /--older-than takes a duration such as 30d/],
      [['store', 'prune', '--older-than', '-1d'], 2, /--older-than takes a duration/],
      [['store', 'init', 'dynamodb://bad prefix'], 3, /table prefix/],
    ];
    for (const [args, exitCode, message] of cases) {
      const result = await hf.cli(args);
      expect(result.exitCode, args.join(' ')).toBe(exitCode);
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.stdout).toBe('');
      const asJson = await hf.cli(['--json', ...args]);
      expect(asJson.exitCode).toBe(exitCode);
      assertSchema('error', asJson.json);
      expect(asJson.json.message).toMatch(message);
    }
    expect(await hf.storeSnapshot()).toBe(before);
    expect(existsSync(untouched)).toBe(false);
  });
});
