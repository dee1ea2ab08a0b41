import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertSchema } from '../../support/hostfactory-harness.js';
import { until } from '../../support/serve-harness.js';
import { startAwsE2eCloud, SUBNETS, TRANSITION_MS, type AwsE2eCloud } from './aws-e2e-cloud.js';
import { acquire, expectNothingLeft, giveBack } from './run-lifecycle.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const refs = (machines: Array<Record<string, any>>) => machines.map((machine) => ({ name: machine.name, machineId: machine.machineId }));
/** EC2's spot interruption notice: two minutes, on the fake's clock. */
const NOTICE_MS = 120_000;
const ZONES = { subnets: { [SUBNETS[0]]: { zone: 'us-east-1a' }, [SUBNETS[1]]: { zone: 'us-east-1b' } } };
/** Whole seconds since `started`, rounded up: what a countdown started then can at most have lost. */
const secondsSince = (started: number) => Math.ceil((Date.now() - started) / 1000);

/**
 * A cloud of its own whose clock the test moves on (`advance`), so that a spot notice runs out when
 * the test says: no real two-minute wait, and no bet that a loaded machine answers within a short one.
 */
async function steppedCloud(): Promise<{ cloud: AwsE2eCloud; advance: (ms: number) => void }> {
  let offset = 0;
  const cloud = await startAwsE2eCloud({}, { now: () => Date.now() + offset, server: { spotNoticeMs: NOTICE_MS, ...ZONES } });
  return {
    cloud,
    advance: (ms) => {
      offset += ms;
      cloud.server.tick();
    },
  };
}

async function reclaimsIn(cloud: AwsE2eCloud, machines: Array<Record<string, any>>): Promise<Array<{ machine: string; gracePeriod: number }>> {
  const result = await cloud.hf.script('getReturnRequests', { machines: refs(machines) });
  expect(result.exitCode, result.stderr).toBe(0);
  assertSchema('getReturnRequests', result.json);
  return (result.json.requests as Array<{ machine: string; gracePeriod: number }>).map(({ machine, gracePeriod }) => ({ machine, gracePeriod }));
}

/**
 * Real EC2 behaviours 1 and 2 of docs/aws.md, through the real scripts: spot notices as EC2 gives
 * them with the terminate behaviour, and nothing we launch keeps running unseen (fleets and
 * groups never replace a reclaimed or returned host; replacements nobody tracks are terminated;
 * two racing returns on one fleet leave the right target).
 */
describe.concurrent('AWS reclaims and replacements through the real scripts', () => {
  let cloud: AwsE2eCloud;

  beforeAll(async () => {
    cloud = await startAwsE2eCloud({}, { server: { spotNoticeMs: NOTICE_MS, ...ZONES } });
  });
  afterAll(() => cloud.close());

  const reclaims = (machines: Array<Record<string, any>>) => reclaimsIn(cloud, machines);

  it('a spot notice (instance-terminated-no-capacity, host still running) is reported with the seconds left, then with none once EC2 took the host', { timeout: 120_000 }, async () => {
    const { cloud: own, advance } = await steppedCloud();
    try {
      const acquired = await acquire(own, 'EC2Fleet-Instant-Spot', 4);
      const [noticed, healthy] = acquired.machines;
      const noticedAt = Date.now();
      own.server.interruptSpot(noticed.machineId);
      expect(own.server.instances.get(noticed.machineId)?.state).toBe('running');

      const during = await reclaimsIn(own, acquired.machines);
      expect(during.map((entry) => entry.machine)).toEqual([noticed.name]);
      expect(during[0].gracePeriod).toBeLessThanOrEqual(120);
      expect(during[0].gracePeriod).toBeGreaterThanOrEqual(120 - secondsSince(noticedAt) - 1);

      advance(NOTICE_MS + 3 * TRANSITION_MS);
      expect(await reclaimsIn(own, acquired.machines)).toEqual([{ machine: noticed.name, gracePeriod: 0 }]);
      expect(during.map((entry) => entry.machine)).not.toContain(healthy.name);
      expectNothingLeft(await giveBack(own, acquired, acquired.machines));
    } finally {
      await own.close();
    }
  });

  it('a maintain Spot Fleet does not replace a host under a spot notice: its target drops when getReturnRequests reports it', { timeout: 120_000 }, async () => {
    const { cloud: own, advance } = await steppedCloud();
    try {
      const acquired = await acquire(own, 'SpotFleet-Maintain', 3);
      const [noticed] = acquired.machines;
      own.server.interruptSpot(noticed.machineId);
      expect((await reclaimsIn(own, acquired.machines)).map((entry) => entry.machine)).toEqual([noticed.name]);

      // The notice runs out and EC2 takes the host; a maintain fleet whose target was not lowered sees
      // itself short on that tick and replaces the host on the first tick past its replacement delay.
      advance(NOTICE_MS + 4 * TRANSITION_MS);
      advance(4 * TRANSITION_MS);
      const after = own.server.resourcesOf(acquired.requestId);
      expect(after.spotFleets[0].target).toBe(2);
      expect(after.instances, 'the fleet launched a replacement for the interrupted host').toHaveLength(3);
      expect(after.live.map((instance) => instance.instanceId)).not.toContain(noticed.machineId);

      await giveBack(own, acquired, [noticed]);
      expectNothingLeft(await giveBack(own, acquired, acquired.machines.slice(1)));
    } finally {
      await own.close();
    }
  });

  it('an Auto Scaling group stops launching once its request is complete: an unhealthy host is terminated, not replaced, and reported', { timeout: 120_000 }, async () => {
    const acquired = await acquire(cloud, 'ASG-Spot-Weighted', 4);
    const name = `hostfactory-${acquired.requestId}`;
    expect([...cloud.server.autoScaling.groups.get(name)!.suspended.keys()].sort()).toEqual(['AZRebalance', 'Launch']);
    const [sick] = acquired.machines;
    cloud.server.markUnhealthy(sick.machineId);

    await sleep(4 * TRANSITION_MS);
    const after = cloud.server.resourcesOf(acquired.requestId);
    expect(after.instances, 'the group replaced the unhealthy host').toHaveLength(acquired.machines.length);
    expect(await reclaims(acquired.machines)).toEqual([{ machine: sick.name, gracePeriod: 0 }]);

    await giveBack(cloud, acquired, [sick]);
    expect(cloud.server.autoScaling.groups.get(name)?.target).toBe(4 - (sick.instanceType === 'm5.2xlarge' ? 2 : 1));
    expectNothingLeft(await giveBack(cloud, acquired, acquired.machines.slice(1)));
  });

  it('reports a host terminated outside HostFactory with no grace, and its maintain fleet runs no host in its place', { timeout: 120_000 }, async () => {
    const acquired = await acquire(cloud, 'EC2Fleet-Maintain-OnDemand', 2);
    const [lost, kept] = acquired.machines;
    cloud.server.terminateOutside(lost.machineId);

    expect(await reclaims(acquired.machines)).toEqual([{ machine: lost.name, gracePeriod: 0 }]);

    // getReturnRequests lowered the fleet's target (and terminated a replacement it had already launched).
    await sleep(4 * TRANSITION_MS);
    const after = cloud.server.resourcesOf(acquired.requestId);
    expect(after.live.map((instance) => instance.instanceId)).toEqual([kept.machineId]);
    expect(after.ec2Fleets[0].target).toBe(1);

    // HostFactory drains and returns the reclaimed host first, the other one later.
    await giveBack(cloud, acquired, [lost]);
    const left = await giveBack(cloud, acquired, [kept]);
    expectNothingLeft(left);
  });

  it('a replacement a maintain fleet launched behind HostFactory\'s back is terminated and logged at the next return', { timeout: 120_000 }, async () => {
    const acquired = await acquire(cloud, 'EC2Fleet-Maintain-OnDemand', 2);
    const [lost, kept] = acquired.machines;
    cloud.server.terminateOutside(lost.machineId);
    const liveIds = () => cloud.server.resourcesOf(acquired.requestId).live.map((instance) => instance.instanceId);
    // The fake's maintain fleet replaces the lost host on its own timers: waited for, not bet on (a loaded machine delays them).
    await until(() => liveIds().length === 2 && !liveIds().includes(lost.machineId), 'the fake maintain fleet replaces a lost host');
    const replacement = liveIds().find((id) => id !== kept.machineId)!;

    const after = await giveBack(cloud, acquired, [lost]);
    expect(after.live.map((instance) => instance.instanceId)).toEqual([kept.machineId]);
    expect(cloud.server.instances.get(replacement)?.state).toMatch(/shutting-down|terminated/);
    const logged = cloud.hf.logLines().filter((line) => line.msg === 'untracked instance terminated');
    expect(logged.map((line) => line.instanceId)).toContain(replacement);
    expectNothingLeft(await giveBack(cloud, acquired, [kept]));
  });

  it('two returns racing on one maintain fleet leave it at the right target, with nothing replaced', { timeout: 120_000 }, async () => {
    const acquired = await acquire(cloud, 'EC2Fleet-Maintain-OnDemand', 4);
    const [first, second] = acquired.machines;
    const racing = await Promise.all([first, second].map((machine) => cloud.hf.script('requestReturnMachines', { machines: refs([machine]) })));
    for (const result of racing) expect(result.exitCode, result.stderr).toBe(0);

    await sleep(5 * TRANSITION_MS);
    const after = cloud.server.resourcesOf(acquired.requestId);
    expect(after.ec2Fleets[0].target).toBe(2);
    expect(after.instances, 'the fleet launched replacements for returned hosts').toHaveLength(4);
    expect(after.live.map((instance) => instance.instanceId).sort()).toEqual(acquired.machines.slice(2).map((machine) => machine.machineId).sort());
    expectNothingLeft(await giveBack(cloud, acquired, acquired.machines.slice(2)));
  });
});
