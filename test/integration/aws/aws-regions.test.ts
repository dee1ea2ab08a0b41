import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newMachine, type Machine } from '../../../src/domain/machine.js';
import type { TrackedRequest } from '../../../src/domain/ports/cloud-provider.js';
import type { TemplateRepository } from '../../../src/domain/ports/template-repository.js';
import type { Request } from '../../../src/domain/request.js';
import type { Template } from '../../../src/domain/template.js';
import { startAwsFakeEndpoint, type AwsFakeEndpoint } from '../../support/aws-fake-endpoint.js';
import type { FakeCall } from '../../support/fake-ec2-server.js';
import { aFakeEc2Template, aMachine, anAcquireRequest } from '../../support/mothers.js';

const HOME = 'us-east-1';
const WEST = 'eu-west-1';
const HOME_AMI = 'ami-0f3caa1cf4417e51b';
const WEST_AMI = 'ami-0e0e0e0e0e0e0e0e1';
const home = aFakeEc2Template({ rootDeviceVolumeSize: 20 });
const west = aFakeEc2Template({ templateId: 'OnDemand-West', region: WEST, imageId: WEST_AMI, subnetIds: ['subnet-0eeeeeeeeeeeeeee1'], rootDeviceVolumeSize: 20 });

/** Only `list` is asked for: the regions the provider searches besides AWS_REGION. */
const templatesOf = (...templates: Template[]) => ({ list: () => Promise.resolve({ templates, problems: [] }) }) as unknown as TemplateRepository;

/** How many calls of each action each region got, as `Action@region`. */
function perRegion(calls: readonly FakeCall[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of calls) counts[`${call.action}@${call.region}`] = (counts[`${call.action}@${call.region}`] ?? 0) + 1;
  return counts;
}

describe('AwsCloudProvider with templates in two regions, against the fake endpoint', () => {
  let endpoint: AwsFakeEndpoint;

  beforeEach(async () => {
    endpoint = await startAwsFakeEndpoint({ [HOME_AMI]: '/dev/xvda' }, {}, { server: { regions: { [WEST]: { images: { [WEST_AMI]: '/dev/sda1' } } } }, templates: templatesOf(home, west) });
  });
  afterEach(() => endpoint.close());

  async function launch(template: Template, requestId: string, units = 2): Promise<{ request: Request; machines: Machine[]; tracked: TrackedRequest }> {
    const { provider, clock } = endpoint;
    const launched = await provider.launch({ requestId, template, units });
    const request = anAcquireRequest({ requestId, templateId: template.templateId, machineCount: units, providerData: launched.providerData, createdAt: clock.now(), updatedAt: clock.now() });
    const machines = launched.machines.map((machine) => newMachine(requestId, template.templateId, machine, clock.now()));
    return { request, machines, tracked: { request, template, machines } };
  }

  it('launches a template that names a region there and only there, and records the region on the request and its machines', async () => {
    const { server } = endpoint;
    const { request, machines } = await launch(west, 'req-west-0000-0000-0000-000000000001');

    expect(request.providerData.region).toBe(WEST);
    expect(machines.map((machine) => machine.region)).toEqual([WEST, WEST]);
    expect([...server.region(WEST).cloud.instances.keys()].sort()).toEqual(machines.map((machine) => machine.machineId).sort());
    expect(server.cloud.instances.size).toBe(0);
    expect(server.region(WEST).cloud.launchTemplates.size).toBe(1);
    expect(server.launchTemplates.size).toBe(0);
    expect(perRegion(server.callsOf('RunInstances'))).toEqual({ [`RunInstances@${WEST}`]: 1 });
    // The same AMI resolved in its own region: the west AMI's root device, not the home one's.
    expect(server.callsOf('CreateLaunchTemplate')[0].params.get('LaunchTemplateData.BlockDeviceMapping.1.DeviceName')).toBe('/dev/sda1');
  });

  it('finds an instance of another region only in that region: AWS_REGION alone does not see it', async () => {
    const { machines } = await launch(west, 'req-west-0000-0000-0000-000000000002', 1);
    const ref = { machineId: machines[0].machineId };
    expect(await endpoint.provider.findHosts([ref])).toEqual([expect.objectContaining({ ...ref, region: WEST })]);
    expect(await endpoint.providerWith().findHosts([ref])).toEqual([]);
    // Its id asked in AWS_REGION (a machine recorded with no region, long launched): EC2 there does not know it.
    const mark = endpoint.server.calls.length;
    expect(await endpoint.provider.describeMachines([{ ...machines[0], region: undefined, launchTime: 0 }])).toEqual([expect.objectContaining({ ...ref, status: 'terminated' })]);
    expect(perRegion(endpoint.server.calls.slice(mark))).toEqual({ [`DescribeInstances@${HOME}`]: 1 });
  });

  it('polls, checks for reclaims and returns machines of two regions in one call each, with one batched call set per region', async () => {
    const { provider, server, clock } = endpoint;
    const east = await launch(home, 'req-home-0000-0000-0000-000000000001');
    const far = await launch(west, 'req-west-0000-0000-0000-000000000003');
    clock.advance(30);
    const all = [...east.machines, ...far.machines];
    expect(new Set(all.map((machine) => machine.machineId)).size).toBe(4);

    let mark = server.calls.length;
    const reports = await provider.describeRequests([east.tracked, far.tracked]);
    expect(perRegion(server.calls.slice(mark).filter((call) => call.action === 'DescribeInstances'))).toEqual({ [`DescribeInstances@${HOME}`]: 1, [`DescribeInstances@${WEST}`]: 1 });
    expect(reports.get(far.request.requestId)!.machines.map((machine) => [machine.status, machine.region])).toEqual([['running', WEST], ['running', WEST]]);
    expect(reports.get(far.request.requestId)!.machines[0].name).toMatch(/^ip-[\d-]+\.eu-west-1\.compute\.internal$/);
    expect(reports.get(east.request.requestId)!.machines[0].name).toMatch(/^ip-[\d-]+\.ec2\.internal$/);

    mark = server.calls.length;
    expect((await provider.describeMachines(all)).map((machine) => machine.status)).toEqual(['running', 'running', 'running', 'running']);
    expect(perRegion(server.calls.slice(mark))).toEqual({ [`DescribeInstances@${HOME}`]: 1, [`DescribeInstances@${WEST}`]: 1 });

    mark = server.calls.length;
    expect(await provider.listReclaims(all)).toEqual([]);
    expect(perRegion(server.calls.slice(mark))).toEqual({
      [`DescribeInstances@${HOME}`]: 1,
      [`DescribeInstanceStatus@${HOME}`]: 1,
      [`DescribeInstances@${WEST}`]: 1,
      [`DescribeInstanceStatus@${WEST}`]: 1,
    });

    mark = server.calls.length;
    expect(await provider.release(all, [east.request, far.request], all)).toEqual({ failed: {} });
    expect(perRegion(server.calls.slice(mark).filter((call) => call.action === 'TerminateInstances'))).toEqual({ [`TerminateInstances@${HOME}`]: 1, [`TerminateInstances@${WEST}`]: 1 });
    clock.advance(30);
    server.tick();
    expect([...server.cloud.instances.values(), ...server.region(WEST).cloud.instances.values()].map((instance) => instance.state)).toEqual(['terminated', 'terminated', 'terminated', 'terminated']);
  });

  it('takes inventory in AWS_REGION, every template region and every live machine\'s region, and removes leaks where they are', async () => {
    const { provider, server, clock } = endpoint;
    const far = await launch(west, 'req-west-0000-0000-0000-000000000004');
    const inventory = await provider.inventory();
    expect(inventory.hosts.map((host) => [host.machineId, host.region])).toEqual(far.machines.map((machine) => [machine.machineId, WEST]));

    // A process whose templates no longer name the region still looks where the store's live machines are.
    const blind = endpoint.providerWith();
    expect((await blind.inventory()).hosts).toEqual([]);
    expect((await blind.inventory(far.machines)).hosts.map((host) => host.machineId)).toEqual(far.machines.map((machine) => machine.machineId));

    const mark = server.calls.length;
    await provider.removeLeaks(inventory.hosts, inventory.resources);
    expect(perRegion(server.calls.slice(mark))).toMatchObject({ [`TerminateInstances@${WEST}`]: 1 });
    expect(perRegion(server.calls.slice(mark))[`TerminateInstances@${HOME}`]).toBeUndefined();
    clock.advance(30);
    // What is left is the launch template the hosts were launched from, unused now, in their region; the next sweep deletes it there.
    const left = await provider.inventory();
    expect(left.hosts).toEqual([]);
    expect(left.resources.map((resource) => [resource.kind, resource.region])).toEqual([['launch-template', WEST]]);
    await provider.removeLeaks([], left.resources);
    expect(perRegion(server.calls.slice(mark))).toMatchObject({ [`DeleteLaunchTemplate@${WEST}`]: 1 });
    expect(await provider.inventory()).toEqual({ hosts: [], resources: [] });
  });

  it('brings a maintain fleet of another region in line with the store there', async () => {
    const { provider, server, clock } = endpoint;
    const maintain = aFakeEc2Template({ ...west, templateId: 'Maintain-West', providerApi: 'EC2Fleet', fleetType: 'maintain', vmType: 'm5.large' });
    const { request, tracked } = await launch(maintain, 'req-west-0000-0000-0000-000000000005');
    clock.advance(30);
    server.tick();
    const seen = (await provider.describeRequests([tracked])).get(request.requestId)!;
    const machines = seen.machines.map((machine) => newMachine(request.requestId, maintain.templateId, machine, clock.now()));
    expect(machines.map((machine) => machine.region)).toEqual([WEST, WEST]);
    const mark = server.calls.length;
    await provider.stopReplacing([machines[0]], [{ ...request, providerData: seen.providerData ?? request.providerData }], machines);
    expect(perRegion(server.calls.slice(mark).filter((call) => call.action === 'ModifyFleet'))).toEqual({ [`ModifyFleet@${WEST}`]: 1 });
    expect(server.calls.slice(mark).every((call) => call.region === WEST)).toBe(true);
  });

  it('a region the account has not enabled: named in the launch error, left out of the inventory where only a template names it, fatal where a host may be', async () => {
    const closed = aFakeEc2Template({ templateId: 'OnDemand-Closed', region: 'ap-east-1' });
    await expect(endpoint.provider.launch({ requestId: 'req-closed-0000-0000-0000-000000000001', template: closed, units: 1 })).rejects.toMatchObject({
      code: 'ACCESS_DENIED',
      message: expect.stringMatching(/^region ap-east-1: ec2:\w+ refused the credentials \(AuthFailure: .*\): is ap-east-1 enabled for the account\?/),
    });
    expect(endpoint.server.calls.every((call) => call.action !== 'RunInstances')).toBe(true);

    // Named by a template only, it is left out of the inventory; holding a live machine, it fails it. A host looked for
    // there could be reported gone if the region were left out: the search fails.
    const withClosed = endpoint.providerWith(templatesOf(home, closed));
    const failed = { code: 'ACCESS_DENIED', message: expect.stringContaining('region ap-east-1') };
    expect(await withClosed.inventory()).toEqual({ hosts: [], resources: [] });
    await expect(withClosed.inventory([aMachine('req-closed', { region: 'ap-east-1' })])).rejects.toMatchObject(failed);
    await expect(withClosed.findHosts([{ machineId: 'i-0000000000000dead' }])).rejects.toMatchObject(failed);
  });

  it('checks each template in its own region', async () => {
    const closed = aFakeEc2Template({ templateId: 'OnDemand-Closed', region: 'ap-east-1' });
    const mark = endpoint.server.calls.length;
    const [westCheck, closedCheck] = await endpoint.provider.checkTemplates([west, closed]);
    expect(westCheck.findings.find((finding) => finding.field === 'imageId')).toMatchObject({ status: 'pass' });
    expect(closedCheck.findings.find((finding) => finding.field === 'imageId')).toMatchObject({ status: 'fail', message: expect.stringContaining('AuthFailure') });
    expect(new Set(endpoint.server.calls.slice(mark).filter((call) => call.service === 'ec2').map((call) => call.region))).toEqual(new Set([WEST, 'ap-east-1']));
  });
});
