import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertSchema } from '../../support/hostfactory-harness.js';
import { base, startAwsE2eCloud, SUBNETS, type AwsE2eCloud } from './aws-e2e-cloud.js';
import { requestHosts, runLifecycle, waitComplete } from './run-lifecycle.js';

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

/**
 * Heterogeneous, as IBM means it: a Spot Fleet for the whole count, and when it is still short near
 * its expiry (1 minute here, so at once: the fallback starts 2 minutes before) it is cancelled and
 * the rest is launched on demand, on vmTypesOnDemand.
 */
const FALLBACK = base('Heterogeneous-Fallback', {
  priceType: 'heterogeneous',
  fleetRole: 'arn:aws:iam::123456789012:role/aws-ec2-spot-fleet-tagging-role',
  percentOnDemand: 0,
  spotFleetRequestExpiry: 1,
  vmTypes: { 'r5.large': 1 },
  vmTypesOnDemand: { 'm5.large': 1 },
});

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

  it('racing getRequestStatus polls never launch twice: two polls that both start the heterogeneous on-demand fallback launch it once', { timeout: 120_000 }, async () => {
    const own = await startAwsE2eCloud({}, { templates: [FALLBACK] });
    try {
      const { server, hf } = own;
      // The second subnet's zone has no r5.large: the request fleet fills 2 of its 4 units and waits for the rest.
      server.setNoCapacity('r5.large', server.subnetZone(SUBNETS[1]));
      const requestId = await requestHosts(own, 'Heterogeneous-Fallback', 4);
      expect(server.resourcesOf(requestId).live).toHaveLength(2);

      // Both polls read the request before either has launched the fallback: each one's first look
      // at the fleet is held until the other's arrives, so both see it short and both fall back.
      const together = server.gatherNext('DescribeSpotFleetRequests', 2);
      const polls = await Promise.all([0, 1].map(() => hf.script('getRequestStatus', { requests: [{ requestId }] })));
      expect(await together, 'the two polls did not reach the fleet together').toBe(true);
      for (const poll of polls) {
        expect(poll.exitCode, poll.stderr).toBe(0);
        assertSchema('getRequestStatus', poll.json);
      }

      const fallbackCalls = server.callsOf('RunInstances').filter((call) => call.params.get('ClientToken')?.startsWith(`${requestId}-od-`));
      expect(fallbackCalls, 'each poll launched the fallback').toHaveLength(2);
      const onDemand = server.resourcesOf(requestId).instances.filter((instance) => instance.lifecycle === 'on-demand');
      expect(onDemand.map((instance) => instance.instanceType)).toEqual(['m5.large', 'm5.large']);
      expect(new Set(onDemand.map((instance) => instance.reservationId)).size, 'the fallback launched more than once').toBe(1);

      const acquired = await waitComplete(own, 'Heterogeneous-Fallback', requestId, 4);
      expect(priceTypes(acquired.machines)).toEqual({ spot: 2, ondemand: 2 });
      expect(server.resourcesOf(requestId).spotFleets.map((fleet) => fleet.state)).toEqual([expect.stringMatching(/^cancelled/)]);
    } finally {
      await own.close();
    }
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

  it('deletes every launch template it made once all hosts are returned', { timeout: 120_000 }, async () => {
    const { server } = cloud;
    // A lifecycle of its own: run alone, the test still has a launch template to see deleted.
    const own = await runLifecycle(cloud, 'RunInstances-OnDemand', 1);
    expect(server.callsOf('CreateLaunchTemplate').map((call) => call.params.get('ClientToken'))).toContain(`${own.requestId}-lt`);
    server.tick();
    const usersOf = (id: string) => new Set([...server.instances.values()].filter((instance) => instance.launchTemplateId === id).map((instance) => instance.tags['hostfactory:template-id']));
    expect([...server.launchTemplates.values()].map((template) => `${template.name} of ${[...usersOf(template.id)].join(', ')}`)).toEqual([]);
  });
});
