import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeCall } from '../../support/fake-ec2-server.js';
import { assertSchema, pollUntilDone } from '../../support/hostfactory-harness.js';
import { base, startAwsE2eCloud, type AwsE2eCloud } from './aws-e2e-cloud.js';
import { requestHosts } from './run-lifecycle.js';

const HOME = 'us-east-1';
const WEST = 'eu-west-1';
/** An AMI of eu-west-1: AMIs are regional, the home region's IMAGE_ID does not exist there. */
const WEST_IMAGE = 'ami-0e1f2a3b4c5d6e7f8';

/** Templates of these tests: the same hosts in eu-west-1, and in a region the account has not enabled. */
const TEMPLATES = [
  base('RunInstances-West', { priceType: 'ondemand', vmType: 't3.small', rootDeviceVolumeSize: 40, region: WEST, imageId: WEST_IMAGE }),
  base('RunInstances-Closed', { priceType: 'ondemand', vmType: 't3.small', region: 'ap-east-1' }),
];

/** How many calls of `action` each region got among `calls`. */
const perRegion = (calls: readonly FakeCall[], action: string) =>
  calls.filter((call) => call.action === action).reduce<Record<string, number>>((counts, call) => ({ ...counts, [call.region]: (counts[call.region] ?? 0) + 1 }), {});

/**
 * Issue 11 part 4, through the real scripts against the fake endpoint, which tells regions apart by
 * the region each call is signed for (test/support/fake-aws/fake-region.ts): a template may name
 * its region, and status, returns and reconcile batch per region.
 */
describe('templates in two regions, on AWS', () => {
  let cloud: AwsE2eCloud;
  let home: { requestId: string; machines: Array<Record<string, any>> };
  let west: { requestId: string; machines: Array<Record<string, any>> };

  beforeAll(async () => {
    cloud = await startAwsE2eCloud({ RECONCILE_GRACE_SEC: 0, RECONCILE_INTERVAL_SEC: 0 }, { templates: TEMPLATES, server: { regions: { [WEST]: { images: { [WEST_IMAGE]: '/dev/xvda' } } } } });
  });
  afterAll(() => cloud.close());

  it('lists each template with the region it names, for HostFactory to rank', { timeout: 120_000 }, async () => {
    const listed = await cloud.hf.script('getAvailableTemplates', {});
    expect(listed.exitCode, listed.stderr).toBe(0);
    assertSchema('getAvailableTemplates', listed.json);
    const byId = new Map(listed.json.templates.map((template: any) => [template.templateId, template]));
    expect(byId.get('RunInstances-West')).toMatchObject({ region: WEST });
    expect(byId.get('RunInstances-OnDemand')).not.toHaveProperty('region');
  });

  it('launches a template that names eu-west-1 there, and polls both regions\' requests with one DescribeInstances per region', { timeout: 120_000 }, async () => {
    const homeId = await requestHosts(cloud, 'RunInstances-OnDemand', 1);
    const westId = await requestHosts(cloud, 'RunInstances-West', 2);
    const mark = cloud.server.calls.length;
    const status = await cloud.hf.script('getRequestStatus', { requests: [{ requestId: homeId }, { requestId: westId }] });
    expect(status.exitCode, status.stderr).toBe(0);
    assertSchema('getRequestStatus', status.json);
    expect(perRegion(cloud.server.calls.slice(mark), 'DescribeInstances')).toEqual({ [HOME]: 1, [WEST]: 1 });

    const finished = async (requestId: string) => {
      const done = await pollUntilDone(cloud.hf, requestId, 80);
      expect(done.json.requests[0]).toMatchObject({ requestId, status: 'complete' });
      return { requestId, machines: done.json.requests[0].machines as Array<Record<string, any>> };
    };
    home = await finished(homeId);
    west = await finished(westId);
    expect(west.machines.map((machine) => [machine.status, machine.result])).toEqual([['running', 'succeed'], ['running', 'succeed']]);
    for (const machine of west.machines) expect(machine.name).toMatch(/^ip-10-0-\d+-\d+\.eu-west-1\.compute\.internal$/);
    expect(home.machines.map((machine) => machine.name)).toEqual([expect.stringMatching(/^ip-10-0-\d+-\d+\.ec2\.internal$/)]);
    expect(cloud.server.region(WEST).resourcesOf(westId).live.map((instance) => instance.instanceId).sort()).toEqual(west.machines.map((machine) => machine.machineId).sort());
    expect(cloud.server.resourcesOf(westId).instances).toEqual([]);
    expect(cloud.server.region(WEST).resourcesOf(homeId).instances).toEqual([]);
  });

  it('returns hosts of both regions in one call with one TerminateInstances per region', { timeout: 120_000 }, async () => {
    const mark = cloud.server.calls.length;
    const batch = [home.machines[0], ...west.machines].map((machine) => ({ name: machine.name, machineId: machine.machineId }));
    const returned = await cloud.hf.script('requestReturnMachines', { machines: batch });
    expect(returned.exitCode, returned.stderr).toBe(0);
    assertSchema('requestReturnMachines', returned.json);
    const gone = await pollUntilDone(cloud.hf, returned.json.requestId, 80);
    expect(gone.json.requests[0].machines.map((machine: any) => [machine.machineId, machine.status]).sort()).toEqual(batch.map((ref) => [ref.machineId, 'terminated']).sort());
    expect(perRegion(cloud.server.calls.slice(mark), 'TerminateInstances')).toEqual({ [HOME]: 1, [WEST]: 1 });
  });

  it('reconcile looks in every region a template names, and finds and removes a leak in eu-west-1 where no live machine is left', { timeout: 120_000 }, async () => {
    const [leaked] = cloud.server.region(WEST).cloud.launch({ instanceType: 'm5.large', count: 1, lifecycle: 'on-demand', imageId: WEST_IMAGE, tags: { 'hostfactory:provider': 'aws', 'hostfactory:request-id': 'req-forgotten' } });
    const mark = cloud.server.calls.length;
    const found = await cloud.hf.cli(['reconcile', '--json']);
    expect(found.exitCode, found.stderr).toBe(0);
    expect(found.json.leaks.map((leak: any) => [leak.kind, leak.id, leak.action])).toEqual([['instance', leaked.instanceId, 'found']]);
    expect(found.json.ghosts).toEqual([]);
    // ap-east-1, named by a template only, answers AuthFailure and is left out (the CLI may exit before its other listings are sent).
    expect(perRegion(cloud.server.calls.slice(mark), 'DescribeInstances')).toMatchObject({ [HOME]: 1, [WEST]: 1 });
    const applied = await cloud.hf.cli(['reconcile', '--apply', '--json']);
    expect(applied.json.leaks.map((leak: any) => [leak.id, leak.action])).toEqual([[leaked.instanceId, 'removed']]);
    expect(cloud.server.region(WEST).cloud.refresh(leaked).state).toMatch(/shutting-down|terminated/);
  });

  it('a template in a region the account has not enabled fails requestMachines with HostFactory\'s error JSON naming the region', { timeout: 120_000 }, async () => {
    const failed = await cloud.hf.script('requestMachines', { template: { templateId: 'RunInstances-Closed', machineCount: 1 } });
    expect(failed.exitCode).not.toBe(0);
    assertSchema('error', failed.json);
    expect(failed.json).toMatchObject({ code: 'ACCESS_DENIED', message: expect.stringMatching(/^region ap-east-1: ec2:\w+ refused the credentials \(AuthFailure: .*\): is ap-east-1 enabled for the account\?/) });
    expect(cloud.server.calls.filter((call) => call.action === 'RunInstances' && call.region === 'ap-east-1')).toEqual([]);
  });
});
