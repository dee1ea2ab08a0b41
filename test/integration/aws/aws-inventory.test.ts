import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsCloudProvider } from '../../../src/providers/aws/aws-cloud-provider.js';
import { parseAwsConfig } from '../../../src/providers/aws/aws-config.js';
import { AwsClients } from '../../../src/providers/aws/ec2/aws-clients.js';
import { startAwsFakeEndpoint, type AwsFakeEndpoint } from '../../support/aws-fake-endpoint.js';
import { InMemoryResourceLease } from '../../support/in-memory-resource-lease.js';
import { aFakeEc2Template } from '../../support/mothers.js';

const AMI = 'ami-0f3caa1cf4417e51b';

const RUN_REQUEST = 'req-6f0c1d2e-0000-4000-8000-00000000000a';
const FLEET_REQUEST = 'req-6f0c1d2e-0000-4000-8000-00000000000b';
const OTHER_REQUEST = 'req-6f0c1d2e-0000-4000-8000-00000000000c';

const quietLogger = { debug() {}, info() {}, warn() {}, error() {} };

describe('AWS inventory and leak removal against the fake EC2 endpoint', () => {
  let endpoint: AwsFakeEndpoint;
  let otherDir: string;
  let other: AwsCloudProvider;

  beforeEach(async () => {
    endpoint = await startAwsFakeEndpoint({ [AMI]: '/dev/xvda' });
    // A second provider instance (`awsother`) in the same account, through another URL of the same cloud.
    otherDir = mkdtempSync(join(tmpdir(), 'aws-inventory-'));
    const credentials = join(otherDir, 'credentials');
    writeFileSync(credentials, '[default]\naws_access_key_id = AKIDFAKE\naws_secret_access_key = fake-secret\nregion = us-east-1\n');
    const url = await endpoint.server.startExtraListener();
    const settings = {
      config: parseAwsConfig({ AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: url, AWS_CREDENTIAL_FILE: credentials, AWS_REQUEST_RETRY_ATTEMPTS: 0 }, join(otherDir, 'awsprov_config.json')),
      providerName: 'awsother',
      workDir: otherDir,
    };
    other = new AwsCloudProvider(settings, new AwsClients(settings), endpoint.clock, quietLogger, new InMemoryResourceLease(endpoint.clock));
  });

  afterEach(async () => {
    await endpoint.close();
    rmSync(otherDir, { recursive: true, force: true });
  });

  it('lists only what this provider instance launched, and removeLeaks removes it all', async () => {
    const { provider, server, clock } = endpoint;
    const run = await provider.launch({ requestId: RUN_REQUEST, template: aFakeEc2Template(), units: 2 });
    const fleetTemplate = aFakeEc2Template({ templateId: 'Maintain-Fleet', providerApi: 'EC2Fleet', fleetType: 'maintain' });
    const fleet = await provider.launch({ requestId: FLEET_REQUEST, template: fleetTemplate, units: 2 });
    const fleetId = fleet.providerData.fleetId as string;
    const fleetCreatedAt = clock.now();
    // The other provider instance's maintain fleet, and an instance launched outside any provider with its tag.
    await other.launch({ requestId: OTHER_REQUEST, template: fleetTemplate, units: 1 });
    const [stray] = server.cloud.launch({ instanceType: 't3.small', count: 1, lifecycle: 'on-demand', imageId: AMI, tags: { 'hostfactory:provider': 'awsother' } });
    clock.advance(30);
    server.tick();

    const inventory = await provider.inventory();
    const fleetHosts = [...server.instances.values()].filter((entry) => entry.tags['aws:ec2:fleet-id'] === fleetId).map((entry) => entry.instanceId);
    expect(fleetHosts).toHaveLength(2);
    const ours = [...run.machines.map((machine) => machine.machineId), ...fleetHosts].sort();
    expect(inventory.hosts.map((host) => host.machineId).sort()).toEqual(ours);
    expect(inventory.hosts.every((host) => host.providerName === 'awsinst' && host.status === 'running')).toBe(true);
    expect(inventory.hosts.filter((host) => run.machines.some((machine) => machine.machineId === host.machineId)).map((host) => host.requestId)).toEqual([RUN_REQUEST, RUN_REQUEST]);
    expect(inventory.resources).toEqual([{ kind: 'ec2-fleet', id: fleetId, requestId: FLEET_REQUEST, createdAt: fleetCreatedAt, target: 2, region: 'us-east-1' }]);

    const theirs = await other.inventory();
    expect(theirs.hosts.map((host) => host.machineId)).toContain(stray.instanceId);
    expect(theirs.hosts.some((host) => ours.includes(host.machineId))).toBe(false);
    expect(theirs.resources.map((resource) => resource.requestId)).toEqual([OTHER_REQUEST]);

    await provider.removeLeaks(inventory.hosts, inventory.resources);
    expect(server.callsOf('DeleteLaunchTemplate')).toEqual([]);
    clock.advance(60);
    server.tick();
    expect(server.ec2Fleets.fleets.get(fleetId)?.state).toMatch(/^deleted/);
    expect(server.callsOf('DeleteFleets')[0].params.get('TerminateInstances')).toBe('true');

    // The launch templates the leaked hosts and fleet were launched from are used by nothing now: the
    // next sweep lists them (with no request) and removes them; the other instance's is kept.
    const ourTemplates = [...server.cloud.launchTemplates.values()].filter((template) => template.ownTags['hostfactory:provider'] === 'awsinst');
    expect(ourTemplates).toHaveLength(2);
    const leftOver = await provider.inventory();
    expect(leftOver.hosts).toEqual([]);
    expect(leftOver.resources.map((resource) => [resource.kind, resource.id, resource.requestId]).sort()).toEqual(ourTemplates.map((template) => ['launch-template', template.id, undefined]).sort());
    await provider.removeLeaks([], leftOver.resources);
    expect(await provider.inventory()).toEqual({ hosts: [], resources: [] });
    expect([...server.cloud.launchTemplates.values()].map((template) => template.ownTags['hostfactory:provider'])).toEqual(['awsother']);
    // The other provider instance's hosts and fleet are untouched.
    const after = await other.inventory();
    expect(after.hosts.map((host) => host.machineId).sort()).toEqual(theirs.hosts.map((host) => host.machineId).sort());
    expect(after.resources).toEqual(theirs.resources);
  });
});
