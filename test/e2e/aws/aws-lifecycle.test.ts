import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertSchema } from '../../support/hostfactory-harness.js';
import { startAwsE2eCloud, type AwsE2eCloud } from './aws-e2e-cloud.js';
import { expectNothingLeft, giveBack, requestHosts, runLifecycle, waitComplete } from './run-lifecycle.js';

const priceTypes = (machines: Array<Record<string, any>>) =>
  machines.reduce<Record<string, number>>((count, machine) => ({ ...count, [machine.priceType]: (count[machine.priceType] ?? 0) + 1 }), {});

/** templateId, units asked, instances expected, price types expected, return batches. */
const CASES: Array<[string, number, number, Record<string, number>, number]> = [
  ['RunInstances-OnDemand', 2, 2, { ondemand: 2 }, 1],
  ['EC2Fleet-Instant-Spot', 4, 2, { spot: 2 }, 1],
  ['EC2Fleet-Request-Spot', 3, 3, { spot: 3 }, 2],
  ['EC2Fleet-Maintain-OnDemand', 4, 4, { ondemand: 4 }, 2],
  ['SpotFleet-Request-Weighted', 4, 2, { spot: 2 }, 1],
  ['SpotFleet-Maintain', 3, 3, { spot: 3 }, 2],
  ['ASG-Spot-Weighted', 4, 2, { spot: 2 }, 2],
  ['Heterogeneous', 4, 4, { ondemand: 2, spot: 2 }, 2],
];

describe('AWS lifecycle through the real scripts against an EC2-compatible endpoint', () => {
  let cloud: AwsE2eCloud;

  beforeAll(async () => {
    cloud = await startAwsE2eCloud();
  });
  afterAll(() => cloud.close());

  describe.concurrent('request → complete → return → complete, nothing left running', () => {
    it.each(CASES)('%s: %i units', { timeout: 150_000 }, async (templateId, units, instances, prices, batches) => {
      const acquired = await runLifecycle(cloud, templateId, units, batches);
      expect(acquired.machines).toHaveLength(instances);
      expect(priceTypes(acquired.machines)).toEqual(prices);
    });
  });

  it('racing getRequestStatus polls never launch twice: one launch call per request', { timeout: 120_000 }, async () => {
    const { server, hf } = cloud;
    const fleetRequest = await requestHosts(cloud, 'EC2Fleet-Request-Spot', 2);
    const runRequest = await requestHosts(cloud, 'RunInstances-OnDemand', 2);
    const both = { requests: [{ requestId: fleetRequest }, { requestId: runRequest }] };
    for (let round = 0; round < 3; round += 1) {
      const racing = await Promise.all([0, 1, 2].map(() => hf.script('getRequestStatus', both)));
      for (const result of racing) assertSchema('getRequestStatus', result.json);
    }
    const acquiredFleet = await waitComplete(cloud, 'EC2Fleet-Request-Spot', fleetRequest, 2);
    const acquiredRun = await waitComplete(cloud, 'RunInstances-OnDemand', runRequest, 2);

    const tokens = (action: string, name: string) => server.callsOf(action).map((call) => call.params.get(name) ?? '');
    expect(tokens('CreateFleet', 'ClientToken').filter((token) => token === fleetRequest)).toHaveLength(1);
    expect(tokens('RunInstances', 'ClientToken').filter((token) => token.startsWith(runRequest))).toHaveLength(1);
    expect(server.resourcesOf(fleetRequest).ec2Fleets).toHaveLength(1);
    expect(server.resourcesOf(fleetRequest).instances).toHaveLength(2);
    expect(server.resourcesOf(runRequest).instances).toHaveLength(2);

    expectNothingLeft(await giveBack(cloud, acquiredFleet, acquiredFleet.machines));
    expectNothingLeft(await giveBack(cloud, acquiredRun, acquiredRun.machines));
  });

  /** template, the launch action whose answer is lost, the parameter that carries its idempotency key. */
  const LOST: Array<[string, string, string]> = [
    ['RunInstances-OnDemand', 'RunInstances', 'ClientToken'],
    ['EC2Fleet-Instant-Spot', 'CreateFleet', 'ClientToken'],
    ['SpotFleet-Request-Weighted', 'RequestSpotFleet', 'SpotFleetRequestConfig.ClientToken'],
    ['ASG-Spot-Weighted', 'CreateAutoScalingGroup', 'AutoScalingGroupName'],
  ];

  describe.concurrent('a launch call whose answer is lost', () => {
    it.each(LOST)('%s: a %s whose answer is lost is retried and launches once', { timeout: 120_000 }, async (templateId, action, keyName) => {
      const { server } = cloud;
      const before = server.callsOf(action).length;
      server.failNext(action, { code: 'InternalError', message: 'answer lost', afterApplying: true });
      const acquired = await runLifecycle(cloud, templateId, 4);
      const calls = server.callsOf(action).slice(before);
      expect(calls.length).toBeGreaterThanOrEqual(2);
      expect(new Set(calls.map((call) => call.params.get(keyName))).size).toBe(1);
      const launched = server.resourcesOf(acquired.requestId);
      expect(launched.instances.map((instance) => instance.instanceId).sort()).toEqual(acquired.machines.map((machine) => machine.machineId).sort());
      expect(launched.ec2Fleets.length + launched.spotFleets.length).toBeLessThanOrEqual(1);
    });
  });

  it('deletes every launch template it made once all hosts are returned', () => {
    const { server } = cloud;
    server.tick();
    const usersOf = (id: string) => new Set([...server.instances.values()].filter((instance) => instance.launchTemplateId === id).map((instance) => instance.tags['hostfactory:template-id']));
    expect([...server.launchTemplates.values()].map((template) => `${template.name} of ${[...usersOf(template.id)].join(', ')}`)).toEqual([]);
  });
});
