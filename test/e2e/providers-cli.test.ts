import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HostFactoryInstance } from '../support/hostfactory-harness.js';

/** The simulated cloud's live instances, as its own access probe counts them (the `cloud` health check). */
async function liveInCloud(hf: HostFactoryInstance): Promise<string> {
  const health = await hf.cli(['health', '--json']);
  return health.json.checks.find((check: { component: string }) => check.component === 'cloud').message;
}

describe('providers and dry runs on the CLI', () => {
  it('lists the built-in providers, and health names the instance\'s provider and its state', async () => {
    const hf = new HostFactoryInstance();
    const listed = await hf.cli(['providers', 'list']);
    expect(listed.exitCode, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^ID\s+VERSION\s+SOURCE\s+CAPABILITIES/);
    expect(listed.stdout).toMatch(/\nsim\s+\S+\s+built-in\s+spot,reclaims,reconcile,prices,validate,dry-run/);
    expect(listed.stdout).toMatch(/\naws\s+\S+\s+built-in\s+spot,fleets,reclaims,reconcile,prices,validate,dry-run/);
    const health = await hf.cli(['health', '--json']);
    expect(health.json.checks).toContainEqual(expect.objectContaining({ component: 'provider', status: 'ok', message: expect.stringMatching(/^sim \S+ \(built-in\) ready$/) }));
  });

  it('machines request --dry-run shows the plan and changes neither the store nor the cloud; it refuses what a request would', async () => {
    const hf = new HostFactoryInstance({ config: { SIM_CAPACITY: { 't3.medium': 1 } } });
    const before = { store: await hf.storeSnapshot(), cloud: await liveInCloud(hf) };

    const plan = await hf.cli(['machines', 'request', 'OnDemand-Small', '2', '--dry-run', '--json']);
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(plan.json).toMatchObject({ dryRun: true, templateId: 'OnDemand-Small', units: 2 });
    expect(plan.json.plan.calls).toEqual([
      {
        api: 'sim:launch',
        pools: [{ instanceType: 't3.medium', zone: 'sim-1a', market: 'ondemand', units: 1 }],
        units: 2,
        tags: { team: 'hpc', env: 'sim', 'hostfactory:request-id': plan.json.requestId, 'hostfactory:template-id': 'OnDemand-Small', 'hostfactory:provider': 'sim' },
      },
    ]);
    expect(plan.json.plan.message).toBe('InsufficientInstanceCapacity: only 1 of 2 t3.medium available');
    const table = await hf.cli(['machines', 'request', 'OnDemand-Small', '2', '--dry-run']);
    expect(table.stdout).toMatch(/^dry run: 2 unit\(s\) of OnDemand-Small pass the checks; nothing launched or recorded\n\napi: sim:launch\n/);

    expect((await hf.cli(['machines', 'request', 'No-Such-Template', '1', '--dry-run'])).exitCode).toBe(2);
    expect((await hf.cli(['machines', 'request', 'OnDemand-Small', '21', '--dry-run'])).exitCode).toBe(2);
    expect({ store: await hf.storeSnapshot(), cloud: await liveInCloud(hf) }).toEqual(before);
  });

  it('machines return --dry-run names what would be released and releases nothing', async () => {
    const hf = new HostFactoryInstance({ config: { SIM_BOOT_DELAY_SEC: 0 } });
    const requested = await hf.cli(['machines', 'request', 'OnDemand-Small', '1', '--wait', '--interval', '1', '--json']);
    const [machine] = requested.json.requests[0].machines;
    const before = { store: await hf.storeSnapshot(), cloud: await liveInCloud(hf) };

    const plan = await hf.cli(['machines', 'return', machine.name, 'ip-10-9-9-9.ec2.internal', '--dry-run', '--json']);
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(plan.json.releases).toEqual([{ requestId: requested.json.requests[0].requestId, resourceId: expect.any(String), machines: [{ machineId: machine.machineId, name: machine.name, status: 'running' }] }]);
    expect(plan.json.unknown).toEqual([{ name: 'ip-10-9-9-9.ec2.internal' }]);
    expect({ store: await hf.storeSnapshot(), cloud: await liveInCloud(hf) }).toEqual(before);
  });

  it('providers status shows every instance of the conf dir; one that cannot start fails with the reason', async () => {
    const hf = new HostFactoryInstance();
    const config = JSON.parse(readFileSync(join(hf.confDir, 'simprov_config.json'), 'utf8'));
    writeFileSync(join(hf.confDir, 'nimbusprov_config.json'), JSON.stringify({ ...config, PROVIDER_TYPE: 'nimbus' }));
    const status = await hf.cli(['providers', 'status', '--json']);
    expect(status.exitCode).toBe(1);
    expect(status.json.instances).toEqual([
      { instance: 'nimbus', status: 'fail', message: expect.stringContaining('CONFIG_INVALID: PROVIDER_TYPE nimbus: no provider with that id and no package of that name (registered: sim, aws') },
      { instance: 'sim', provider: expect.stringMatching(/^sim /), source: 'built-in', status: 'ok', message: expect.stringMatching(/^cloud: simulated cloud at .* answered/) },
    ]);
  });

  it('providers status under HostFactory\'s layout finds every instance of $HF_CONFDIR/providers, each with its own dirs', async () => {
    const hf = new HostFactoryInstance({ dirs: 'hostfactory' });
    const other = join(hf.root, 'conf', 'providers', 'other');
    mkdirSync(other, { recursive: true });
    writeFileSync(join(other, 'otherprov_config.json'), readFileSync(join(hf.confDir, 'simprov_config.json')));
    const status = await hf.cli(['providers', 'status', '--json']);
    expect(status.exitCode, status.stdout).toBe(0);
    expect(status.json.instances.map((entry: { instance: string; status: string }) => [entry.instance, entry.status])).toEqual([['other', 'ok'], ['sim', 'ok']]);
    const cloud = (name: string) => status.json.instances.find((entry: { instance: string }) => entry.instance === name).message;
    expect(cloud('other')).toContain(join(hf.root, 'work', 'providers', 'other', 'sim-cloud.db'));
    expect(cloud('sim')).toContain(join(hf.root, 'work', 'providers', 'sim', 'sim-cloud.db'));
  });
});
