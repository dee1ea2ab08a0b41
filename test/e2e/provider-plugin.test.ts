import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertSchema, HostFactoryInstance, pollUntilDone } from '../support/hostfactory-harness.js';
import { EXAMPLE_PLUGIN_DIR, EXAMPLE_PLUGIN_PACKAGE, poolHosts, writeHostsFile, type PoolHostEntry } from '../support/static-pool-plugin.js';

const run = promisify(execFile);
const LEASES = 'static-pool-leases.json';

/**
 * Issue 12, part 6: the example out-of-tree provider, packed with `npm pack` and installed offline
 * into a plugin dir of its own, is discovered through HOSTFACTORY_PLUGIN_PATH and driven through
 * the five HostFactory scripts, as HostFactory would.
 */
describe('an out-of-tree provider plugin installed from its tarball', () => {
  let hf: HostFactoryInstance;
  let hosts: PoolHostEntry[];
  let pluginDir: string;

  beforeAll(async () => {
    // The instance's temp root (removed after the file) holds the tarball, the npm cache and the plugin dir too.
    hf = new HostFactoryInstance({ providerName: 'onprem' });
    const packDir = join(hf.root, 'pack');
    const npmEnv = { ...process.env, npm_config_cache: join(hf.root, 'npm-cache') };
    mkdirSync(packDir);
    await run('npm', ['pack', EXAMPLE_PLUGIN_DIR, '--pack-destination', packDir, '--silent'], { timeout: 60_000, env: npmEnv });
    const [tarball] = readdirSync(packDir).filter((file) => file.endsWith('.tgz'));
    pluginDir = join(hf.root, 'plugins');
    await run('npm', ['install', '--prefix', pluginDir, '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', join(packDir, tarball)], { timeout: 60_000, env: npmEnv });
    hf.env.HOSTFACTORY_PLUGIN_PATH = pluginDir;
    hosts = poolHosts({ 'cpu-16': 3, 'gpu-4': 1 });
    writeHostsFile(join(hf.confDir, 'hosts.json'), hosts);
    writeFileSync(join(hf.confDir, 'onpremprov_config.json'), JSON.stringify({ PROVIDER_TYPE: 'static-pool', STATIC_POOL_HOSTS_FILE: 'hosts.json', RECONCILE_INTERVAL_SEC: 0 }));
    const template = { templateId: 'Pool-Cpu', maxNumber: 10, attributes: { type: ['String', 'X86_64'], ncpus: ['Numeric', '16'], nram: ['Numeric', '65536'] }, vmType: 'cpu-16', instanceTags: 'team=lab' };
    writeFileSync(join(hf.confDir, 'onpremprov_templates.json'), JSON.stringify({ templates: [template] }));
  }, 180_000);

  const leases = () => JSON.parse(readFileSync(join(hf.workDir, LEASES), 'utf8')).leases as Record<string, { requestId: string }>;

  it('is discovered and listed with where it came from, its version and capabilities', async () => {
    const discovered = await hf.cli(['providers', 'discover', '--json']);
    expect(discovered.exitCode, discovered.stderr).toBe(0);
    expect(discovered.json.searched[0]).toBe(join(pluginDir, 'node_modules'));
    expect(discovered.json.found).toContainEqual({ id: 'static-pool', version: '1.0.0', source: `${EXAMPLE_PLUGIN_PACKAGE} (${join(pluginDir, 'node_modules', EXAMPLE_PLUGIN_PACKAGE)})` });
    const listed = await hf.cli(['providers', 'list', '--json']);
    expect(listed.json.providers.map((entry: { id: string }) => entry.id)).toEqual(['sim', 'aws', 'static-pool']);
    expect(listed.json.providers[2]).toMatchObject({ version: '1.0.0', capabilities: ['reclaims', 'reconcile', 'validate', 'dry-run'] });
  });

  it('serves the five scripts: templates, a request filled from the pool, a return, and a reclaim', { timeout: 120_000 }, async () => {
    const templates = await hf.script('getAvailableTemplates', {});
    assertSchema('getAvailableTemplates', templates.json);
    expect(templates.json.templates.map((entry: { templateId: string }) => entry.templateId)).toEqual(['Pool-Cpu']);

    const requested = await hf.script('requestMachines', { template: { templateId: 'Pool-Cpu', machineCount: 2 } });
    expect(requested.exitCode, requested.stdout + requested.stderr).toBe(0);
    assertSchema('requestMachines', requested.json);
    const status = await pollUntilDone(hf, requested.json.requestId);
    expect(status.json.requests[0].status).toBe('complete');
    const machines: Array<{ machineId: string; name: string; privateIpAddress: string; result: string }> = status.json.requests[0].machines;
    expect(machines.map((machine) => [machine.name, machine.privateIpAddress, machine.result])).toEqual(
      hosts.slice(0, 2).map((host) => [host.name, host.address, 'succeed']),
    );
    expect(Object.keys(leases())).toEqual(hosts.slice(0, 2).map((host) => host.name));

    // The administrator wants the second host back within the hour: getReturnRequests tells HostFactory.
    const reclaimBy = new Date(Date.now() + 3_600_000).toISOString();
    writeHostsFile(join(hf.confDir, 'hosts.json'), hosts.map((host, index) => (index === 1 ? { ...host, reclaimBy } : host)));
    const reclaims = await hf.script('getReturnRequests', { machines: machines.map((machine) => ({ name: machine.name, machineId: machine.machineId })) });
    assertSchema('getReturnRequests', reclaims.json);
    expect(reclaims.json.requests).toEqual([{ machine: machines[1].name, machineId: machines[1].machineId, gracePeriod: expect.any(Number) }]);
    expect(reclaims.json.requests[0].gracePeriod).toBeGreaterThan(3000);

    const returned = await hf.script('requestReturnMachines', { machines: machines.map((machine) => ({ name: machine.name, machineId: machine.machineId })) });
    assertSchema('requestReturnMachines', returned.json);
    const done = await pollUntilDone(hf, returned.json.requestId);
    expect(done.json.requests[0].status).toBe('complete');
    expect(done.json.requests[0].machines.map((machine: { result: string }) => machine.result)).toEqual(['succeed', 'succeed']);
    expect(leases(), 'returned hosts go back to the pool').toEqual({});
  });

  it('shows the instances of the conf dir with their provider and its health', async () => {
    const status = await hf.cli(['providers', 'status', '--json']);
    expect(status.exitCode, status.stdout + status.stderr).toBe(0);
    const byName = Object.fromEntries(status.json.instances.map((entry: { instance: string }) => [entry.instance, entry]));
    expect(byName.onprem).toMatchObject({ provider: 'static-pool 1.0.0', status: 'ok', message: expect.stringContaining('4 hosts listed') });
    expect(byName.sim).toMatchObject({ provider: expect.stringMatching(/^sim /), source: 'built-in', status: 'ok' });
    const health = await hf.cli(['health', '--json']);
    expect(health.json.checks).toContainEqual(expect.objectContaining({ component: 'provider', status: 'ok', message: expect.stringMatching(/^static-pool 1\.0\.0 \(hostfactory-provider-static-pool .*\) ready$/) }));
  });

  it('an instance whose provider cannot start fails its health as the provider, with the reason', async () => {
    writeFileSync(join(hf.confDir, 'brokenprov_config.json'), JSON.stringify({ PROVIDER_TYPE: EXAMPLE_PLUGIN_PACKAGE, STATIC_POOL_HOSTS_FILE: 'missing.json' }));
    const health = await hf.cli(['--provider-name', 'broken', 'health', '--json']);
    expect(health.exitCode).toBe(1);
    expect(health.json.checks).toEqual([
      expect.objectContaining({ component: 'provider', status: 'fail', message: expect.stringMatching(/^CLOUD_ERROR: provider static-pool 1\.0\.0 \(.*\) did not start: static pool hosts file .*missing\.json cannot be read/) }),
    ]);
  });

  it('a dry run shows the leases it would take and leaves the store and the pool unchanged', async () => {
    const before = { store: await hf.storeSnapshot(), leases: readFileSync(join(hf.workDir, LEASES), 'utf8') };
    const plan = await hf.cli(['machines', 'request', 'Pool-Cpu', '3', '--dry-run', '--json']);
    expect(plan.exitCode, plan.stdout + plan.stderr).toBe(0);
    expect(plan.json.plan.calls).toEqual([
      { api: 'static-pool:lease', pools: [{ instanceType: 'cpu-16', zone: 'rack-a', market: 'ondemand', units: 3 }], units: 3, tags: expect.objectContaining({ team: 'lab', 'hostfactory:template-id': 'Pool-Cpu', 'hostfactory:provider': 'onprem' }) },
    ]);
    expect({ store: await hf.storeSnapshot(), leases: readFileSync(join(hf.workDir, LEASES), 'utf8') }).toEqual(before);
  });
});
