import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsE2eCloud, type AwsE2eCloud } from './aws-e2e-cloud.js';

/** `machines request --dry-run` through the bundled CLI against the fake AWS endpoint. */
describe('machines request --dry-run on AWS', () => {
  let cloud: AwsE2eCloud;

  beforeAll(async () => {
    cloud = await startAwsE2eCloud({ AWS_REQUEST_RETRY_ATTEMPTS: 0, RECONCILE_INTERVAL_SEC: 0 });
  });
  afterAll(() => cloud.close());

  it('shows the API, pools, units and tags, makes the launch call with DryRun only, and records nothing', { timeout: 60_000 }, async () => {
    const before = await cloud.hf.storeSnapshot();
    const result = await cloud.hf.cli(['machines', 'request', 'EC2Fleet-Instant-Spot', '4', '--dry-run', '--json']);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    const [call] = result.json.plan.calls;
    expect(call).toMatchObject({
      api: 'EC2Fleet (instant)',
      units: 4,
      tags: expect.objectContaining({ team: 'hpc', 'hostfactory:template-id': 'EC2Fleet-Instant-Spot', 'hostfactory:request-id': result.json.requestId }),
      cloudCheck: { field: 'launch', status: 'pass', message: expect.stringContaining('ec2:CreateFleet allowed') },
    });
    expect(new Set(call.pools.map((pool: { instanceType: string }) => pool.instanceType))).toEqual(new Set(['c5.2xlarge', 'c5.xlarge']));
    expect(call.pools.every((pool: { market: string }) => pool.market === 'spot')).toBe(true);
    expect(cloud.server.callsOf('CreateFleet').length).toBeGreaterThan(0);
    for (const fleet of cloud.server.callsOf('CreateFleet')) expect(fleet.params.get('DryRun')).toBe('true');
    expect(cloud.server.instances.size).toBe(0);
    expect(cloud.server.launchTemplates.size).toBe(0);
    expect(await cloud.hf.storeSnapshot()).toBe(before);
  });
});
