import { describe, expect, it } from 'vitest';
import { GetReturnRequests } from '../../../src/application/get-return-requests.js';
import type { Machine } from '../../../src/domain/machine.js';
import { InterruptionFeed, type HostNotice } from '../../../src/domain/ports/interruption-feed.js';
import { aMachine } from '../../support/mothers.js';
import { useCaseContainer } from '../../support/test-container.js';

/** A feed holding batches of notices; a batch leaves it only once recorded, as the port requires. */
class ScriptedFeed implements InterruptionFeed {
  drains = 0;
  failAfterBatches?: number;
  constructor(public batches: HostNotice[][] = []) {}

  async drain(record: (notices: readonly HostNotice[]) => Promise<void>): Promise<number> {
    this.drains += 1;
    let recorded = 0;
    let sent = 0;
    while (this.batches.length > 0) {
      if (this.failAfterBatches !== undefined && sent >= this.failAfterBatches) throw new Error('queue unreachable');
      await record(this.batches[0]);
      recorded += this.batches.shift()!.length;
      sent += 1;
    }
    return recorded;
  }
}

async function setUp(feed: ScriptedFeed, machines: Array<Partial<Machine>>) {
  const context = await useCaseContainer();
  context.container.bind(InterruptionFeed).toConstantValue(feed);
  const stored = await context.store.machines.addIfAbsent(machines.map((fields) => aMachine('req-1', { status: 'running', ...fields })));
  const held = stored.map((machine) => ({ name: machine.name, machineId: machine.machineId }));
  const poll = () => context.container.get(GetReturnRequests).execute(held);
  return { ...context, stored, poll };
}

describe('interruption notices pushed by the cloud', () => {
  it('are recorded on their machines and reported with the seconds left, counting down on later calls with no new event', async () => {
    const feed = new ScriptedFeed();
    const { stored, poll, clock, store } = await setUp(feed, [{}, {}]);
    const [noticed, healthy] = stored;
    feed.batches.push([{ machineId: noticed.machineId, deadline: clock.time + 120_000, reason: 'spot interruption warning (terminate)' }]);

    expect(await poll()).toEqual([{ machineId: noticed.machineId, name: noticed.name, gracePeriod: 120, reason: 'spot interruption warning (terminate)' }]);
    expect(feed.batches).toEqual([]);
    const [recorded] = await store.machines.findByRefs([{ machineId: noticed.machineId }]);
    expect(recorded.notice).toEqual({ deadline: clock.time + 120_000, reason: 'spot interruption warning (terminate)' });

    clock.time += 90_500;
    expect((await poll()).map((reclaim) => [reclaim.machineId, reclaim.gracePeriod])).toEqual([[noticed.machineId, 29]]);
    clock.time += 60_000;
    expect((await poll()).map((reclaim) => [reclaim.machineId, reclaim.gracePeriod])).toEqual([[noticed.machineId, 0]]);
    expect((await poll()).map((reclaim) => reclaim.machineId)).not.toContain(healthy.machineId);
  });

  it('keep the earliest deadline: a later, longer notice (a rebalance after the spot warning) changes nothing', async () => {
    const feed = new ScriptedFeed();
    const { stored, poll, clock } = await setUp(feed, [{}]);
    const [machine] = stored;
    feed.batches.push(
      [{ machineId: machine.machineId, deadline: clock.time + 600_000, reason: 'EC2 rebalance recommendation' }],
      [{ machineId: machine.machineId, deadline: clock.time + 120_000, reason: 'spot interruption warning (terminate)' }],
      [{ machineId: machine.machineId, deadline: clock.time + 600_000, reason: 'EC2 rebalance recommendation' }],
    );
    expect(await poll()).toEqual([{ machineId: machine.machineId, name: machine.name, gracePeriod: 120, reason: 'spot interruption warning (terminate)' }]);
  });

  it('meet what polling found: each host is reported once, with the least time left', async () => {
    const feed = new ScriptedFeed();
    const { stored, poll, clock, cloud } = await setUp(feed, [{}, {}]);
    const [first, second] = stored;
    feed.batches.push([
      { machineId: first.machineId, deadline: clock.time + 100_000, reason: 'spot interruption warning (terminate)' },
      { machineId: second.machineId, deadline: clock.time + 100_000, reason: 'spot interruption warning (terminate)' },
    ]);
    cloud.reclaims = [
      { machineId: first.machineId, name: first.name, gracePeriod: 0, reason: 'instance terminated outside HostFactory' },
      { machineId: second.machineId, name: second.name, gracePeriod: 115, reason: 'spot interruption notice (instance-terminated-no-capacity)' },
    ];
    const reported = await poll();
    expect(reported.map((reclaim) => [reclaim.machineId, reclaim.gracePeriod, reclaim.reason])).toEqual([
      [first.machineId, 0, 'instance terminated outside HostFactory'],
      [second.machineId, 100, 'spot interruption warning (terminate)'],
    ]);
  });

  it('are not recorded for hosts HostFactory already returned, nor for hosts the store does not hold', async () => {
    const feed = new ScriptedFeed();
    const { stored, poll, clock, store } = await setUp(feed, [{ returnRequestId: 'ret-1' }]);
    const [returned] = stored;
    feed.batches.push([
      { machineId: returned.machineId, deadline: clock.time, reason: 'instance shutting-down (EC2 state-change event)' },
      { machineId: 'i-0nobody', deadline: clock.time, reason: 'instance shutting-down (EC2 state-change event)' },
    ]);
    expect(await poll()).toEqual([]);
    expect(feed.batches).toEqual([]);
    const [after] = await store.machines.findByRefs([{ machineId: returned.machineId }]);
    expect(after).toEqual(returned);
  });

  it('a feed that fails never fails the call: batches recorded before stay reported, the rest wait in the feed', async () => {
    const feed = new ScriptedFeed();
    const { stored, poll, clock } = await setUp(feed, [{}, {}]);
    const [first, second] = stored;
    feed.batches.push(
      [{ machineId: first.machineId, deadline: clock.time + 60_000, reason: 'spot interruption warning (terminate)' }],
      [{ machineId: second.machineId, deadline: clock.time + 60_000, reason: 'spot interruption warning (terminate)' }],
    );
    feed.failAfterBatches = 1;
    expect((await poll()).map((reclaim) => reclaim.machineId)).toEqual([first.machineId]);
    expect(feed.batches).toHaveLength(1);

    feed.failAfterBatches = undefined;
    expect((await poll()).map((reclaim) => reclaim.machineId).sort()).toEqual([first.machineId, second.machineId].sort());
  });
});
