import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertSchema, pollUntilDone } from '../../support/hostfactory-harness.js';
import { base, startAwsE2eCloud, SUBNETS, TRANSITION_MS, type AwsE2eCloud } from './aws-e2e-cloud.js';
import { acquire, expectNothingLeft, requestHosts, runLifecycle, waitComplete } from './run-lifecycle.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const ZONE_A = ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'];
const ZONE_B = 'subnet-0bbbbbbbbbbbbbbb1';
const ROLE = 'arn:aws:iam::123456789012:role/aws-ec2-spot-fleet-tagging-role';
const SUBNET_ZONES = {
  [ZONE_A[0]]: { zone: 'us-east-1a', freeAddresses: 20 },
  [ZONE_A[1]]: { zone: 'us-east-1a', freeAddresses: 200 },
  [ZONE_B]: { zone: 'us-east-1b', freeAddresses: 50 },
  [SUBNETS[0]]: { zone: 'us-east-1c' },
  [SUBNETS[1]]: { zone: 'us-east-1d' },
};

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

  const start = (config: Record<string, unknown> = {}) => startAwsE2eCloud({ AWS_REQUEST_RETRY_ATTEMPTS: 0, ...config }, { templates: TEMPLATES, server: { subnets: SUBNET_ZONES } });
  /** A test that changes the whole fake cloud (a lag, an injected failure) or the config gets a cloud of its own. */
  const withOwnCloud = async (test: (own: AwsE2eCloud) => Promise<void>, config: Record<string, unknown> = {}) => {
    const own = await start(config);
    try {
      await test(own);
    } finally {
      await own.close();
    }
  };

  beforeAll(async () => {
    cloud = await start();
  });
  afterAll(() => cloud.close());

  describe.concurrent('each behaviour', () => {
    it.each(['EC2Fleet-Zones', 'SpotFleet-Zones'])('3. %s with two subnets in one zone is accepted, one override per zone on the subnet with most free addresses', { timeout: 120_000 }, async (templateId) => {
      // AWS rejects duplicate instance pools at once (InvalidFleetConfig / InvalidSpotFleetRequestConfig): requestMachines would fail.
      const requestId = await requestHosts(cloud, templateId, 2);
      const action = templateId.startsWith('EC2Fleet') ? 'CreateFleet' : 'RequestSpotFleet';
      const call = cloud.server.callsOf(action).find((entry) => [...entry.params.values()].includes(requestId))!;
      const subnets = [...call.params.entries()].filter(([key]) => key.endsWith('.SubnetId')).map(([, value]) => value);
      expect(subnets.sort()).toEqual([ZONE_A[1], ZONE_B]);
    });

    it('5. a request fleet whose AMI EC2 does not have ends complete_with_error on the next polls, with the fleet\'s error history', { timeout: 120_000 }, async () => {
      const requestId = await requestHosts(cloud, 'EC2Fleet-BadImage', 2);
      const done = await pollUntilDone(cloud.hf, requestId, 20);
      const view = done.json.requests[0];
      expect(view.status).toBe('complete_with_error');
      expect(view.message).toMatch(/in error/);
      expect(view.message).toMatch(/ami-00000000000000bad|image|AMI/i);
      const left = cloud.server.resourcesOf(requestId);
      expect(left.live).toEqual([]);
      expect(left.ec2Fleets.map((fleet) => fleet.state), 'a fleet that ended with no host is deleted').toEqual([expect.stringMatching(/^deleted/)]);
    });

    it('7. maintain fleets are created without ValidUntil; request fleets keep spotFleetRequestExpiry', { timeout: 120_000 }, async () => {
      const before = Date.now();
      const [maintain, request] = await Promise.all([requestHosts(cloud, 'EC2Fleet-Maintain-OnDemand', 1), requestHosts(cloud, 'EC2Fleet-Request-Spot', 1)]);
      const after = Date.now();
      const createOf = (requestId: string) => cloud.server.callsOf('CreateFleet').find((entry) => entry.params.get('ClientToken') === requestId)!.params;
      expect(createOf(maintain).has('ValidUntil')).toBe(false);
      // spotFleetRequestExpiry defaults to 30 minutes from the launch, which happened between `before` and `after` (ValidUntil in whole seconds).
      const validUntil = Date.parse(createOf(request).get('ValidUntil')!);
      expect(validUntil).toBeGreaterThanOrEqual(before + 30 * 60_000 - 1000);
      expect(validUntil).toBeLessThanOrEqual(after + 30 * 60_000);
    });

    it('6. a return that fails half-way says which hosts are left and releases them on a later poll of the return', { timeout: 120_000 }, async () => {
      const [run, group] = await Promise.all([acquire(cloud, 'RunInstances-OnDemand', 1), acquire(cloud, 'ASG-Spot-Weighted', 2)]);
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

    it('6. one failing call answers the other requests of the poll, and the failed one next poll', { timeout: 120_000 }, () =>
      withOwnCloud(async (own) => {
        const [fleetRequest, runRequest] = await Promise.all([requestHosts(own, 'SpotFleet-Request-Weighted', 2), requestHosts(own, 'RunInstances-OnDemand', 1)]);
        await sleep(3 * TRANSITION_MS);
        own.server.failNext('DescribeSpotFleetInstances', { code: 'InternalError', message: 'injected outage' });
        const poll = await own.hf.script('getRequestStatus', { requests: [{ requestId: fleetRequest }, { requestId: runRequest }] });
        expect(poll.exitCode, poll.stderr).toBe(0);
        const byId = Object.fromEntries(poll.json.requests.map((request: any) => [request.requestId, request]));
        expect(byId[runRequest].status).toBe('complete');
        expect(byId[fleetRequest]).toMatchObject({ status: 'running' });
        expect(byId[fleetRequest].message).toMatch(/retried next poll/);
        await waitComplete(own, 'SpotFleet-Request-Weighted', fleetRequest, 2);
      }));

    it('4. instances and fleets EC2 does not show yet are pending, never gone: the requests complete', { timeout: 120_000 }, () =>
      withOwnCloud(async (own) => {
        own.server.setVisibilityLag(600_000);
        const [run, fleet] = await Promise.all([requestHosts(own, 'RunInstances-OnDemand', 2), requestHosts(own, 'EC2Fleet-Request-Spot', 2)]);
        for (let poll = 0; poll < 2; poll += 1) {
          const hidden = await own.hf.script('getRequestStatus', { requests: [{ requestId: run }, { requestId: fleet }] });
          assertSchema('getRequestStatus', hidden.json);
          expect(hidden.json.requests.map((request: any) => request.status)).toEqual(['running', 'running']);
        }
        own.server.revealHidden();
        await Promise.all([waitComplete(own, 'RunInstances-OnDemand', run, 2), waitComplete(own, 'EC2Fleet-Request-Spot', fleet, 2)]);
      }));

    it('4. a launch whose answer was lost after the SDK gave up is launched again with the same ClientToken on the next poll, once', { timeout: 120_000 }, () =>
      withOwnCloud(async (own) => {
        own.server.failNext('RunInstances', { code: 'InternalError', message: 'answer lost', afterApplying: true });
        const requested = await own.hf.script('requestMachines', { template: { templateId: 'RunInstances-OnDemand', machineCount: 2 } });
        expect(requested.exitCode, requested.stderr).toBe(0);
        expect(requested.json.message).toMatch(/not confirmed/);
        const acquired = await waitComplete(own, 'RunInstances-OnDemand', requested.json.requestId, 2);
        const tokens = own.server.callsOf('RunInstances').map((call) => call.params.get('ClientToken'));
        expect(tokens).toEqual([`${acquired.requestId}-0`, `${acquired.requestId}-0`]);
        expect(own.server.resourcesOf(acquired.requestId).instances).toHaveLength(2);
      }));

    it('7. a launch that failed for capacity fails the request and leaves no launch template of ours behind', { timeout: 120_000 }, () =>
      withOwnCloud(async (own) => {
        own.server.setNoCapacity('x2iedn.xlarge');
        const failed = await own.hf.script('requestMachines', { template: { templateId: 'RunInstances-NoCapacity', machineCount: 1 } });
        expect(failed.exitCode).not.toBe(0);
        assertSchema('error', failed.json);
        expect(failed.json.message).toMatch(/InsufficientInstanceCapacity/);
        expect(own.server.callsOf('CreateLaunchTemplate')).toHaveLength(1);
        expect([...own.server.launchTemplates.values()].map((template) => template.name)).toEqual([]);
      }));

    // AWS_ENDPOINT_URL leads nowhere: every call must go to its service's own endpoint.
    const PER_SERVICE = { AWS_ENDPOINT_URL: 'http://127.0.0.1:1', AWS_REQUEST_TIMEOUT_MS: 1500 };
    const withServiceEndpoints = async (own: AwsE2eCloud) => {
      const autoScalingUrl = await own.server.startExtraListener();
      Object.assign(own.hf.env, { AWS_ENDPOINT_URL_EC2: own.endpoint, AWS_ENDPOINT_URL_AUTO_SCALING: autoScalingUrl });
    };

    it('8. EC2 and Auto Scaling calls go to AWS_ENDPOINT_URL_EC2 and AWS_ENDPOINT_URL_AUTO_SCALING, not to AWS_ENDPOINT_URL', { timeout: 120_000 }, () =>
      withOwnCloud(async (own) => {
        await withServiceEndpoints(own);
        await runLifecycle(own, 'ASG-Spot-Weighted', 4);
        const listeners = (service: string) => new Set(own.server.calls.filter((call) => call.service === service).map((call) => call.listener));
        expect(listeners('ec2')).toEqual(new Set([0]));
        expect(listeners('autoscaling')).toEqual(new Set([1]));
      }, PER_SERVICE));

    it('8. a call whose answer never comes times out: the poll answers, says why, and the next poll completes', { timeout: 120_000 }, () =>
      withOwnCloud(async (own) => {
        await withServiceEndpoints(own);
        const requestId = await requestHosts(own, 'RunInstances-OnDemand', 1);
        own.server.stallNext('DescribeInstances');
        const stalled = await own.hf.script('getRequestStatus', { requests: [{ requestId }] });
        expect(stalled.exitCode, stalled.stderr).toBe(0);
        assertSchema('getRequestStatus', stalled.json);
        expect(stalled.json.requests[0]).toMatchObject({ requestId, status: 'running' });
        expect(stalled.json.requests[0].message).toMatch(/retried next poll/);
        await waitComplete(own, 'RunInstances-OnDemand', requestId, 1);
      }, PER_SERVICE));
  });
});
