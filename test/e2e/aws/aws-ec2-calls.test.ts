import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertSchema, pollUntilDone } from '../../support/hostfactory-harness.js';
import { base, startAwsE2eCloud, SUBNETS, TRANSITION_MS, type AwsE2eCloud } from './aws-e2e-cloud.js';
import { acquire, expectNothingLeft, giveBack, requestHosts, waitComplete } from './run-lifecycle.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const ZONE_A = ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'];
const ZONE_B = 'subnet-0bbbbbbbbbbbbbbb1';
const ROLE = 'arn:aws:iam::123456789012:role/aws-ec2-spot-fleet-tagging-role';

/** Templates of these tests: three subnets of which two share a zone, and an AMI EC2 does not have. */
const TEMPLATES = [
  base('EC2Fleet-Zones', { priceType: 'spot', providerApi: 'EC2Fleet', fleetType: 'request', vmType: 'm5.large', subnetId: [...ZONE_A, ZONE_B] }),
  base('SpotFleet-Zones', { priceType: 'spot', fleetRole: ROLE, vmType: 'm5.large', subnetId: [...ZONE_A, ZONE_B] }),
  base('EC2Fleet-BadImage', { priceType: 'spot', providerApi: 'EC2Fleet', fleetType: 'request', vmType: 'c6i.large', imageId: 'ami-00000000000000bad' }),
  base('RunInstances-NoCapacity', { priceType: 'ondemand', vmType: 'x2iedn.xlarge', keyName: 'no-capacity-key' }),
];

/**
 * Real EC2 behaviours 3 to 8 of docs/aws.md, through the real scripts against the fake endpoint,
 * which models each the way AWS documents it (see test/support/fake-aws/).
 */
describe('AWS calls held to real EC2 behaviour, through the real scripts', () => {
  let cloud: AwsE2eCloud;

  beforeAll(async () => {
    const subnets = { [ZONE_A[0]]: { zone: 'us-east-1a', freeAddresses: 20 }, [ZONE_A[1]]: { zone: 'us-east-1a', freeAddresses: 200 }, [ZONE_B]: { zone: 'us-east-1b', freeAddresses: 50 }, [SUBNETS[0]]: { zone: 'us-east-1c' }, [SUBNETS[1]]: { zone: 'us-east-1d' } };
    cloud = await startAwsE2eCloud({ AWS_REQUEST_RETRY_ATTEMPTS: 0 }, { templates: TEMPLATES, server: { subnets } });
  });
  afterAll(() => cloud.close());

  describe.concurrent('independent requests', () => {
    it.each(['EC2Fleet-Zones', 'SpotFleet-Zones'])('3. %s with two subnets in one zone launches, one override per zone on the subnet with most free addresses', { timeout: 120_000 }, async (templateId) => {
      const acquired = await acquire(cloud, templateId, 2);
      const action = templateId.startsWith('EC2Fleet') ? 'CreateFleet' : 'RequestSpotFleet';
      const call = cloud.server.callsOf(action).find((entry) => [...entry.params.values()].includes(acquired.requestId))!;
      const subnets = [...call.params.entries()].filter(([key]) => key.endsWith('.SubnetId')).map(([, value]) => value);
      expect(subnets.sort()).toEqual([ZONE_A[1], ZONE_B]);
      expectNothingLeft(await giveBack(cloud, acquired, acquired.machines));
    });

    it('5. a request fleet whose AMI EC2 does not have ends complete_with_error on the next polls, with the fleet\'s error history', { timeout: 120_000 }, async () => {
      const requestId = await requestHosts(cloud, 'EC2Fleet-BadImage', 2);
      const done = await pollUntilDone(cloud.hf, requestId, 20);
      const view = done.json.requests[0];
      expect(view.status).toBe('complete_with_error');
      expect(view.message).toMatch(/in error/);
      expect(view.message).toMatch(/ami-00000000000000bad|image|AMI/i);
      expect(cloud.server.resourcesOf(requestId).live).toEqual([]);
    });

    it('7. maintain fleets are created without ValidUntil; request fleets keep spotFleetRequestExpiry', { timeout: 120_000 }, async () => {
      const maintain = await acquire(cloud, 'EC2Fleet-Maintain-OnDemand', 1);
      const request = await acquire(cloud, 'EC2Fleet-Request-Spot', 1);
      const createOf = (requestId: string) => cloud.server.callsOf('CreateFleet').find((entry) => entry.params.get('ClientToken') === requestId)!.params;
      expect(createOf(maintain.requestId).has('ValidUntil')).toBe(false);
      expect(Date.parse(createOf(request.requestId).get('ValidUntil')!)).toBeGreaterThan(Date.now() + 25 * 60_000);
      expectNothingLeft(await giveBack(cloud, maintain, maintain.machines));
      expectNothingLeft(await giveBack(cloud, request, request.machines));
    });

    it('6. a return that fails half-way says which hosts are left and releases them on a later poll of the return', { timeout: 120_000 }, async () => {
      const run = await acquire(cloud, 'RunInstances-OnDemand', 1);
      const group = await acquire(cloud, 'ASG-Spot-Weighted', 2);
      const hosts = [...run.machines, ...group.machines];
      cloud.server.failNext('TerminateInstanceInAutoScalingGroup', { code: 'ServiceUnavailable', message: 'injected outage', status: 503 });
      const returned = await cloud.hf.script('requestReturnMachines', { machines: hosts.map((machine) => ({ name: machine.name, machineId: machine.machineId })) });
      expect(returned.exitCode, returned.stderr).toBe(0);
      expect(returned.json.message).toMatch(/not released yet/);
      expect(returned.json.message).toContain(group.machines[0].machineId);
      const gone = await pollUntilDone(cloud.hf, returned.json.requestId, 80);
      expect(gone.json.requests[0].status).toBe('complete');
      await sleep(3 * TRANSITION_MS);
      expectNothingLeft(cloud.server.resourcesOf(run.requestId));
      expectNothingLeft(cloud.server.resourcesOf(group.requestId));
    });
  });

  describe('requests that change the whole fake cloud (one at a time)', () => {
    it('6. one failing call answers the other requests of the poll, and the failed one next poll', { timeout: 120_000 }, async () => {
      const fleetRequest = await requestHosts(cloud, 'SpotFleet-Request-Weighted', 2);
      const runRequest = await requestHosts(cloud, 'RunInstances-OnDemand', 1);
      await sleep(3 * TRANSITION_MS);
      cloud.server.failNext('DescribeSpotFleetInstances', { code: 'InternalError', message: 'injected outage' });
      const poll = await cloud.hf.script('getRequestStatus', { requests: [{ requestId: fleetRequest }, { requestId: runRequest }] });
      expect(poll.exitCode, poll.stderr).toBe(0);
      const byId = Object.fromEntries(poll.json.requests.map((request: any) => [request.requestId, request]));
      expect(byId[runRequest].status).toBe('complete');
      expect(byId[fleetRequest]).toMatchObject({ status: 'running' });
      expect(byId[fleetRequest].message).toMatch(/retried next poll/);
      const acquiredFleet = await waitComplete(cloud, 'SpotFleet-Request-Weighted', fleetRequest, 2);
      const acquiredRun = await waitComplete(cloud, 'RunInstances-OnDemand', runRequest, 1);
      expectNothingLeft(await giveBack(cloud, acquiredFleet, acquiredFleet.machines));
      expectNothingLeft(await giveBack(cloud, acquiredRun, acquiredRun.machines));
    });

    it('4. instances and fleets EC2 does not show yet are pending, never gone: the requests complete', { timeout: 120_000 }, async () => {
      cloud.server.setVisibilityLag(3000);
      try {
        const run = await requestHosts(cloud, 'RunInstances-OnDemand', 2);
        const fleet = await requestHosts(cloud, 'EC2Fleet-Request-Spot', 2);
        const first = await cloud.hf.script('getRequestStatus', { requests: [{ requestId: run }, { requestId: fleet }] });
        assertSchema('getRequestStatus', first.json);
        expect(first.json.requests.map((request: any) => request.status)).toEqual(['running', 'running']);
        const acquiredRun = await waitComplete(cloud, 'RunInstances-OnDemand', run, 2);
        const acquiredFleet = await waitComplete(cloud, 'EC2Fleet-Request-Spot', fleet, 2);
        expectNothingLeft(await giveBack(cloud, acquiredRun, acquiredRun.machines));
        expectNothingLeft(await giveBack(cloud, acquiredFleet, acquiredFleet.machines));
      } finally {
        cloud.server.setVisibilityLag(0);
      }
    });

    it('4. a launch whose answer was lost after the SDK gave up is launched again with the same ClientToken on the next poll, once', { timeout: 120_000 }, async () => {
      cloud.server.failNext('RunInstances', { code: 'InternalError', message: 'answer lost', afterApplying: true });
      const requested = await cloud.hf.script('requestMachines', { template: { templateId: 'RunInstances-OnDemand', machineCount: 2 } });
      expect(requested.exitCode, requested.stderr).toBe(0);
      expect(requested.json.message).toMatch(/not confirmed/);
      const acquired = await waitComplete(cloud, 'RunInstances-OnDemand', requested.json.requestId, 2);
      const tokens = cloud.server.callsOf('RunInstances').map((call) => call.params.get('ClientToken')).filter((token) => token?.startsWith(acquired.requestId));
      expect(new Set(tokens)).toEqual(new Set([`${acquired.requestId}-0`]));
      expect(tokens).toHaveLength(2);
      expect(cloud.server.resourcesOf(acquired.requestId).instances).toHaveLength(2);
      expectNothingLeft(await giveBack(cloud, acquired, acquired.machines));
    });

    it('7. a launch that failed for capacity fails the request and leaves no launch template of ours behind', { timeout: 120_000 }, async () => {
      cloud.server.setNoCapacity('x2iedn.xlarge');
      try {
        const templatesBefore = new Set(cloud.server.launchTemplates.keys());
        const failed = await cloud.hf.script('requestMachines', { template: { templateId: 'RunInstances-NoCapacity', machineCount: 1 } });
        expect(failed.exitCode).not.toBe(0);
        assertSchema('error', failed.json);
        expect(failed.json.message).toMatch(/InsufficientInstanceCapacity/);
        expect([...cloud.server.launchTemplates.keys()].filter((id) => !templatesBefore.has(id))).toEqual([]);
      } finally {
        cloud.server.clearNoCapacity();
      }
    });
  });
});
