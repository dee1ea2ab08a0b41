import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TrackedRequest } from '../../../src/domain/ports/cloud-provider.js';
import { startAwsFakeEndpoint, type AwsFakeEndpoint } from '../../support/aws-fake-endpoint.js';
import { aFakeEc2Template, anAcquireRequest } from '../../support/mothers.js';

const AMI = 'ami-0f3caa1cf4417e51b';
const REQUEST_ID = 'req-6f0c1d2e-0000-4000-8000-0000000000c1';
const SUBNETS = { 'subnet-a': { zone: 'us-east-1a' }, 'subnet-b': { zone: 'us-east-1b' } };

/**
 * Pools that run out of capacity while a request/maintain fleet or a group fills, as the fake
 * records them in fleet history and scaling activities, reach the request's report.
 */
describe('pools out of capacity learnt after the launch, against the fake EC2 endpoint', () => {
  let endpoint: AwsFakeEndpoint;

  beforeEach(async () => {
    endpoint = await startAwsFakeEndpoint({ [AMI]: '/dev/xvda' }, {}, { server: { subnets: SUBNETS } });
  });

  afterEach(() => endpoint.close());

  async function launchAndPoll(template: ReturnType<typeof aFakeEc2Template>) {
    const { provider, server, clock } = endpoint;
    server.setNoCapacity('m5.large', 'us-east-1a');
    const launched = await provider.launch({ requestId: REQUEST_ID, template, units: 4 });
    const request = anAcquireRequest({ requestId: REQUEST_ID, templateId: template.templateId, machineCount: 4, providerName: 'awsinst', providerData: launched.providerData, createdAt: clock.now() });
    clock.advance(61);
    server.tick();
    const tracked: TrackedRequest = { request, template, machines: [] };
    const first = (await provider.describeRequests([tracked])).get(REQUEST_ID)!;
    clock.advance(61);
    const again = { ...tracked, request: { ...request, providerData: { ...request.providerData, ...first.providerData } } };
    const second = (await provider.describeRequests([again])).get(REQUEST_ID)!;
    return { first, second };
  }

  const types = { 'm5.large': 1, 'c5.large': 1 };

  it('a maintain EC2 Fleet: the launchSpecTemporarilyBlacklisted event of the pool, once', async () => {
    const template = aFakeEc2Template({ providerApi: 'EC2Fleet', fleetType: 'maintain', priceType: 'spot', vmType: undefined, vmTypes: types, subnetIds: ['subnet-a', 'subnet-b'] });
    const { first, second } = await launchAndPoll(template);
    expect(first.unavailableOfferings).toEqual([{ instanceType: 'm5.large', zone: 'us-east-1a', market: 'spot' }]);
    expect(second.unavailableOfferings).toBeUndefined();
  });

  it('a Spot Fleet request', async () => {
    const template = aFakeEc2Template({
      providerApi: 'SpotFleet', fleetType: 'maintain', priceType: 'spot', vmType: undefined, vmTypes: types, subnetIds: ['subnet-a', 'subnet-b'], fleetRole: 'arn:aws:iam::123456789012:role/fleet',
    });
    const { first } = await launchAndPoll(template);
    expect(first.unavailableOfferings).toEqual([{ instanceType: 'm5.large', zone: 'us-east-1a', market: 'spot' }]);
  });

  it('an Auto Scaling group: its failed scaling activity', async () => {
    const template = aFakeEc2Template({ providerApi: 'ASG', priceType: 'ondemand', vmType: undefined, vmTypes: types, subnetIds: ['subnet-a', 'subnet-b'] });
    const { first } = await launchAndPoll(template);
    expect(first.unavailableOfferings).toEqual([{ instanceType: 'm5.large', zone: 'us-east-1a', market: 'ondemand' }]);
  });
});
