import { afterEach, describe, expect, it } from 'vitest';
import { SimCloudProvider } from '../../../../src/providers/sim/sim-cloud-provider.js';
import { FakeClock, MemoryLogger, makeSettings, makeWorkDir, machinesOf, tracked } from './sim-fixtures.js';
import { aSimRequest, aSimTemplate } from '../../../support/mothers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * `count` providers on one fresh state file, each with its own connection, like separate
 * processes. Keep `count` ≤ 3: in one process every connection shares libuv's 4 threads, and a
 * connection waiting on SQLite's busy timeout holds one (real processes: sim-multiprocess.test.ts).
 */
function processes(count: number, raw: Record<string, unknown> = {}): Array<{ provider: SimCloudProvider; clock: FakeClock }> {
  const workDir = makeWorkDir();
  cleanups.push(workDir.cleanup);
  const clock = new FakeClock();
  const providers = Array.from({ length: count }, () => new SimCloudProvider(makeSettings(workDir.stateFile, raw), clock, new MemoryLogger()));
  cleanups.push(() => Promise.all(providers.map((provider) => provider.close())).then(() => undefined));
  return providers.map((provider) => ({ provider, clock }));
}

describe('SimCloudProvider across processes', () => {
  it('launches one set of instances when two processes launch the same request at once', async () => {
    const [{ provider: first }, { provider: second }] = processes(2);
    const template = aSimTemplate();
    const [a, b] = await Promise.all([
      first.launch({ requestId: 'req-same', template, units: 4 }),
      second.launch({ requestId: 'req-same', template, units: 4 }),
    ]);
    const ids = (result: typeof a) => result.machines.map((machine) => machine.machineId).sort();
    expect(ids(a)).toHaveLength(4);
    expect(ids(b)).toEqual(ids(a));
    expect(b.providerData).toEqual(a.providerData);

    const report = (await first.describeRequests([tracked(aSimRequest('req-same', template, 4), template)])).get('req-same');
    expect(report?.machines).toHaveLength(4);
  });

  it('honours capacity across processes launching at once', async () => {
    const providers = processes(3, { SIM_CAPACITY: { 'm5.large': 5 } });
    const template = aSimTemplate();
    const results = await Promise.all(providers.map(({ provider }, index) => provider.launch({ requestId: `req-${index}`, template, units: 2 })));
    expect(results.flatMap((result) => result.machines)).toHaveLength(5);
    expect(results.map((result) => result.message).filter(Boolean)).toEqual(['InsufficientInstanceCapacity: only 1 of 2 m5.large available']);
  });
});

describe('SIM_SEED', () => {
  /** Launches 30 spot instances on a fresh state file and looks at them 70 s later (after boot and notices). */
  async function fates(seed: string) {
    const raw = { SIM_SEED: seed, SIM_LAUNCH_FAILURE_RATE: 0.3, SIM_INTERRUPTION_RATE: 0.5, SIM_INTERRUPTION_AFTER_SEC: 60 };
    const { provider, clock } = processes(1, raw)[0];
    const template = aSimTemplate({ priceType: 'spot' });
    const machines = machinesOf(await provider.launch({ requestId: 'req-seeded', template, units: 30 }), 'req-seeded', template.templateId);
    clock.advance(70);
    return {
      ids: machines.map((machine) => machine.machineId),
      statuses: (await provider.describeMachines(machines)).map((machine) => machine.status),
      reclaims: await provider.listReclaims(machines),
    };
  }

  it('gives the same ids, boot failures and interruptions for the same seed, in separate state files', async () => {
    const one = await fates('demo-1');
    const two = await fates('demo-1');
    expect(two).toEqual(one);
    expect(one.statuses).toContain('terminated');
    expect(one.reclaims.length).toBeGreaterThan(0);
  });

  it('gives other ids and other fates for another seed', async () => {
    const one = await fates('demo-1');
    const other = await fates('demo-2');
    expect(other.ids).not.toEqual(one.ids);
    expect(other.statuses).not.toEqual(one.statuses);
  });
});
