import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertSchema } from '../../support/hostfactory-harness.js';
import { startAwsE2eCloud, TRANSITION_MS, type AwsE2eCloud } from './aws-e2e-cloud.js';
import { acquire, expectNothingLeft, giveBack } from './run-lifecycle.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const refs = (machines: Array<Record<string, any>>) => machines.map((machine) => ({ name: machine.name, machineId: machine.machineId }));

describe.concurrent('getReturnRequests through the real script against an EC2-compatible endpoint', () => {
  let cloud: AwsE2eCloud;

  beforeAll(async () => {
    cloud = await startAwsE2eCloud();
  });
  afterAll(() => cloud.close());

  it('reports a spot interruption notice with the seconds left, and healthy hosts not at all', { timeout: 120_000 }, async () => {
    const acquired = await acquire(cloud, 'EC2Fleet-Instant-Spot', 4);
    const [noticed, healthy] = acquired.machines;
    cloud.server.interruptSpot(noticed.machineId);

    const reclaims = await cloud.hf.script('getReturnRequests', { machines: refs(acquired.machines) });
    expect(reclaims.exitCode, reclaims.stderr).toBe(0);
    assertSchema('getReturnRequests', reclaims.json);
    expect(reclaims.json.requests.map((request: any) => request.machine)).toEqual([noticed.name]);
    expect(reclaims.json.requests[0].gracePeriod).toBeGreaterThan(60);
    expect(reclaims.json.requests[0].gracePeriod).toBeLessThanOrEqual(120);
    expect(reclaims.json.requests.map((request: any) => request.machine)).not.toContain(healthy.name);

    expectNothingLeft(await giveBack(cloud, acquired, acquired.machines));
  });

  it('reports a host terminated outside HostFactory with no grace, and its maintain fleet runs no host in its place', { timeout: 120_000 }, async () => {
    const acquired = await acquire(cloud, 'EC2Fleet-Maintain-OnDemand', 2);
    const [lost, kept] = acquired.machines;
    cloud.server.terminateOutside(lost.machineId);

    const reclaims = await cloud.hf.script('getReturnRequests', { machines: refs(acquired.machines) });
    assertSchema('getReturnRequests', reclaims.json);
    expect(reclaims.json.requests.map((request: any) => [request.machine, request.gracePeriod])).toEqual([[lost.name, 0]]);

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
});
