import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertSchema } from '../../support/hostfactory-harness.js';
import { startAwsE2eCloud, type AwsE2eCloud } from './aws-e2e-cloud.js';
import { acquire, expectNothingLeft, giveBack } from './run-lifecycle.js';

const REBALANCE_GRACE_SEC = 600;
const refs = (machines: Array<Record<string, any>>) => machines.map((machine) => ({ name: machine.name, machineId: machine.machineId }));

async function reclaims(cloud: AwsE2eCloud, machines: Array<Record<string, any>>) {
  const result = await cloud.hf.script('getReturnRequests', { machines: refs(machines) });
  expect(result.exitCode, result.stderr).toBe(0);
  assertSchema('getReturnRequests', result.json);
  return result.json.requests as Array<{ machine: string; gracePeriod: number }>;
}

/**
 * Part 5 of reconciliation through the real scripts: getReturnRequests drains the SQS queue
 * EventBridge feeds (AWS_INTERRUPTION_QUEUE_URL) and reports what only the queue knows
 * (rebalance recommendations, AWS Health scheduled changes), with the event's own deadline.
 */
describe.concurrent('AWS interruption queue through the real scripts', () => {
  let cloud: AwsE2eCloud;
  let quiet: AwsE2eCloud;
  /** A cloud of its own: the test injects a failure into the next DeleteMessageBatch. */
  let failing: AwsE2eCloud;

  beforeAll(async () => {
    [cloud, quiet, failing] = await Promise.all([
      startAwsE2eCloud({ AWS_REBALANCE_GRACE_SEC: REBALANCE_GRACE_SEC }, { interruptionQueue: true }),
      startAwsE2eCloud({}, { interruptionQueue: true }),
      startAwsE2eCloud({ AWS_REBALANCE_GRACE_SEC: REBALANCE_GRACE_SEC }, { interruptionQueue: true }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([cloud.close(), quiet.close(), failing.close()]);
  });

  it('reports a rebalance recommendation with AWS_REBALANCE_GRACE_SEC and a scheduled retirement with its start, then keeps counting down from the store', { timeout: 120_000 }, async () => {
    const acquired = await acquire(cloud, 'EC2Fleet-Instant-Spot', 4);
    const [atRisk, retiring] = acquired.machines;
    cloud.server.recommendRebalance(atRisk.machineId);
    cloud.server.scheduleChange([retiring.machineId], Date.now() + 3_600_000);

    const first = await reclaims(cloud, acquired.machines);
    const grace = Object.fromEntries(first.map((entry) => [entry.machine, entry.gracePeriod]));
    expect(Object.keys(grace).sort()).toEqual([atRisk.name, retiring.name].sort());
    expect(grace[atRisk.name]).toBeGreaterThan(REBALANCE_GRACE_SEC - 60);
    expect(grace[atRisk.name]).toBeLessThanOrEqual(REBALANCE_GRACE_SEC);
    expect(grace[retiring.name]).toBeGreaterThan(3600 - 60);
    expect(grace[retiring.name]).toBeLessThanOrEqual(3600);
    const ours = new Set(acquired.machines.map((machine) => machine.machineId));
    const recorded = cloud.hf.logLines().filter((line) => line.msg === 'interruption notice recorded' && ours.has(line.machineId)).map((line) => line.machineId);
    expect(recorded.sort()).toEqual([atRisk.machineId, retiring.machineId].sort());

    // The queue is empty now: the next call reports the same hosts from the store alone.
    const again = await reclaims(cloud, acquired.machines);
    expect(again.map((entry) => entry.machine).sort()).toEqual([atRisk.name, retiring.name].sort());
    expectNothingLeft(await giveBack(cloud, acquired, acquired.machines));
  });

  it('records a notice before deleting its message: with the delete failed and two calls racing for it, the host is reported and every later call reports it', { timeout: 120_000 }, async () => {
    const acquired = await acquire(failing, 'EC2Fleet-Instant-Spot', 2);
    const [atRisk] = acquired.machines;
    const queue = failing.server.queues.get('hostfactory-interruptions')!;
    expect(await reclaims(failing, acquired.machines)).toEqual([]);
    expect(queue.depth, 'the launch\'s state-change events were drained').toBe(0);
    failing.server.recommendRebalance(atRisk.machineId);
    // An SQS outage outlasting the SDK's retries (AWS_REQUEST_RETRY_ATTEMPTS 3: four attempts).
    for (let attempt = 0; attempt < 4; attempt += 1) failing.server.failNext('DeleteMessageBatch', { code: 'InternalError', status: 500 });

    // The call that receives the message reports the host; the other may have read the store before the notice was in.
    const racing = await Promise.all([reclaims(failing, acquired.machines), reclaims(failing, acquired.machines)]);
    expect(racing.flat().map((entry) => entry.machine)).toContain(atRisk.name);
    expect((await reclaims(failing, acquired.machines)).map((entry) => entry.machine)).toEqual([atRisk.name]);
    expect(queue.bodies().some((body) => body.includes('Rebalance') && body.includes(atRisk.machineId)), 'the undeleted message waits in the queue').toBe(true);
    expect(failing.server.callsOf('DeleteMessageBatch').length).toBeGreaterThan(1);
    expectNothingLeft(await giveBack(failing, acquired, acquired.machines));
  });

  it('without AWS_REBALANCE_GRACE_SEC a rebalance recommendation is not reported, and its message is deleted', { timeout: 120_000 }, async () => {
    const acquired = await acquire(quiet, 'EC2Fleet-Instant-Spot', 2);
    const [atRisk] = acquired.machines;
    quiet.server.recommendRebalance(atRisk.machineId);
    expect(await reclaims(quiet, acquired.machines)).toEqual([]);
    expect(quiet.server.queues.get('hostfactory-interruptions')!.depth).toBe(0);
    expect(quiet.server.callsOf('ReceiveMessage').length).toBeGreaterThan(0);
    expectNothingLeft(await giveBack(quiet, acquired, acquired.machines));
  });
});
