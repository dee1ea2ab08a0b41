import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertSchema } from '../../support/hostfactory-harness.js';
import { startAwsE2eCloud, type AwsE2eCloud } from './aws-e2e-cloud.js';
import { expectNothingLeft, giveBack, requestHosts, runLifecycle, waitComplete } from './run-lifecycle.js';

/**
 * Real EC2 behaviour 8 of docs/aws.md: per-service endpoints beside AWS_ENDPOINT_URL, as the AWS
 * SDKs read them, and a request timeout so a stalled connection cannot hang a script.
 */
describe('AWS clients through the real scripts', () => {
  let cloud: AwsE2eCloud;

  beforeAll(async () => {
    // AWS_ENDPOINT_URL leads nowhere: every call must go to its service's own endpoint.
    cloud = await startAwsE2eCloud({ AWS_ENDPOINT_URL: 'http://127.0.0.1:1', AWS_REQUEST_RETRY_ATTEMPTS: 0, AWS_REQUEST_TIMEOUT_MS: 1500 });
    const autoScalingUrl = await cloud.server.startExtraListener();
    Object.assign(cloud.hf.env, { AWS_ENDPOINT_URL_EC2: cloud.endpoint, AWS_ENDPOINT_URL_AUTO_SCALING: autoScalingUrl });
  });
  afterAll(() => cloud.close());

  it('8. EC2 and Auto Scaling calls go to AWS_ENDPOINT_URL_EC2 and AWS_ENDPOINT_URL_AUTO_SCALING, not to AWS_ENDPOINT_URL', { timeout: 120_000 }, async () => {
    await runLifecycle(cloud, 'ASG-Spot-Weighted', 4);
    const listeners = (service: string) => new Set(cloud.server.calls.filter((call) => call.service === service).map((call) => call.listener));
    expect(listeners('ec2')).toEqual(new Set([0]));
    expect(listeners('autoscaling')).toEqual(new Set([1]));
  });

  it('8. a call whose answer never comes times out: the poll answers, says why, and the next poll completes', { timeout: 120_000 }, async () => {
    const requestId = await requestHosts(cloud, 'RunInstances-OnDemand', 1);
    cloud.server.stallNext('DescribeInstances');
    const stalled = await cloud.hf.script('getRequestStatus', { requests: [{ requestId }] });
    expect(stalled.exitCode, stalled.stderr).toBe(0);
    assertSchema('getRequestStatus', stalled.json);
    expect(stalled.json.requests[0]).toMatchObject({ requestId, status: 'running' });
    expect(stalled.json.requests[0].message).toMatch(/retried next poll/);
    const acquired = await waitComplete(cloud, 'RunInstances-OnDemand', requestId, 1);
    expectNothingLeft(await giveBack(cloud, acquired, acquired.machines));
  });
});
