import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newMachine } from '../../../src/domain/machine.js';
import { startAwsFakeEndpoint, type AwsFakeEndpoint } from '../../support/aws-fake-endpoint.js';
import { aFakeEc2Template, anAcquireRequest } from '../../support/mothers.js';

const template = aFakeEc2Template({ keyName: 'cluster-key', instanceTags: { team: 'hpc' }, rootDeviceVolumeSize: 40, volumeType: 'gp3' });

const REQUEST_ID = 'req-6f0c1d2e-0000-4000-8000-000000000001';

describe('AwsCloudProvider against an EC2-compatible endpoint (AWS_ENDPOINT_URL)', () => {
  let endpoint: AwsFakeEndpoint;

  beforeEach(async () => {
    endpoint = await startAwsFakeEndpoint({ 'ami-0f3caa1cf4417e51b': '/dev/xvda' });
  });
  afterEach(() => endpoint.close());

  it('launches, reports and releases over HTTP, and cleans up its launch template', async () => {
    const { provider, server, clock } = endpoint;
    const launched = await provider.launch({ requestId: REQUEST_ID, template, units: 2 });
    expect(launched.machines).toHaveLength(2);

    const create = server.calls.find((call) => call.action === 'CreateLaunchTemplate')!.params;
    expect(create.get('LaunchTemplateData.BlockDeviceMapping.1.DeviceName')).toBe('/dev/xvda');
    expect(create.get('LaunchTemplateData.BlockDeviceMapping.1.Ebs.VolumeSize')).toBe('40');
    expect(create.get('LaunchTemplateData.BlockDeviceMapping.1.Ebs.VolumeType')).toBe('gp3');
    expect(create.get('ClientToken')).toBe(`${REQUEST_ID}-lt`);
    const run = server.calls.find((call) => call.action === 'RunInstances')!.params;
    expect(run.get('ClientToken')).toBe(`${REQUEST_ID}-0`);
    expect(run.get('InstanceType')).toBe('t3.small');
    expect(run.get('SubnetId')).toBe('subnet-0a1b2c3d4e5f60718');

    const request = anAcquireRequest({
      requestId: REQUEST_ID,
      templateId: template.templateId,
      machineCount: 2,
      providerData: launched.providerData,
      createdAt: clock.now(),
      updatedAt: clock.now(),
    });
    const stored = launched.machines.map((machine) => newMachine(REQUEST_ID, template.templateId, machine, clock.now()));
    clock.advance(30);
    const report = (await provider.describeRequests([{ request, template, machines: stored }])).get(REQUEST_ID)!;
    expect(report.final).toBe(true);
    expect(report.machines.map((machine) => machine.status)).toEqual(['running', 'running']);
    expect(report.machines[0].name).toMatch(/^ip-10-0-0-\d+\.ec2\.internal$/);
    expect(report.machines[0].instanceTags).toMatchObject({ team: 'hpc', 'hostfactory:request-id': REQUEST_ID, 'hostfactory:template-id': 'OnDemand-Small', 'hostfactory:provider': 'awsinst' });

    await provider.release(stored, [request]);
    clock.advance(30);
    const after = await provider.describeMachines(stored);
    expect(after.map((machine) => machine.status)).toEqual(['terminated', 'terminated']);
    expect(server.launchTemplates.size).toBe(0);
    expect(server.actions()).toEqual(expect.arrayContaining(['DescribeImages', 'RunInstances', 'DescribeInstances', 'TerminateInstances', 'DeleteLaunchTemplate']));
  });

  it('does not launch twice when the launch of a request is retried', async () => {
    const { provider, server } = endpoint;
    await provider.launch({ requestId: REQUEST_ID, template, units: 3 });
    await provider.launch({ requestId: REQUEST_ID, template, units: 3 });
    expect(server.instances.size).toBe(3);
    expect(server.launchTemplates.size).toBe(1);
  });
});
