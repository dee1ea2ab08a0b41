import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertSchema, HostFactoryInstance, pollUntilDone } from '../support/hostfactory-harness.js';

/**
 * Whole seconds since `started`, rounded up, plus one for rounding: what a countdown that began
 * after `started` can at most have lost by now, however slow the machine.
 */
const secondsSince = (started: number) => Math.ceil((Date.now() - started) / 1000) + 1;

describe('getReturnRequests: hosts the cloud takes back', () => {
  it('reports spot interruptions with the seconds left, and not hosts HostFactory already returned', async () => {
    const hf = new HostFactoryInstance({
      config: { SIM_BOOT_DELAY_SEC: 0, SIM_SEED: 'e2e', SIM_INTERRUPTION_RATE: 1, SIM_INTERRUPTION_AFTER_SEC: 0, SIM_INTERRUPTION_GRACE_SEC: 300 },
    });
    const started = Date.now();
    const requested = await hf.script('requestMachines', { template: { templateId: 'Spot-Compute', machineCount: 2 } });
    const done = await pollUntilDone(hf, requested.json.requestId);
    const machines = done.json.requests[0].machines.map((m: any) => ({ name: m.name, machineId: m.machineId }));

    const reclaims = await hf.script('getReturnRequests', { machines });
    expect(reclaims.exitCode).toBe(0);
    assertSchema('getReturnRequests', reclaims.json);
    expect(reclaims.json.requests.map((r: any) => r.machine).sort()).toEqual(machines.map((m: any) => m.name).sort());
    const lost = secondsSince(started);
    for (const reclaim of reclaims.json.requests) {
      expect(reclaim.gracePeriod).toBeGreaterThanOrEqual(300 - lost);
      expect(reclaim.gracePeriod).toBeLessThanOrEqual(300);
    }

    await hf.script('requestReturnMachines', { machines: machines.slice(0, 1) });
    const after = await hf.script('getReturnRequests', { machines });
    expect(after.json.requests.map((r: any) => r.machine)).toEqual(machines.slice(1).map((m: any) => m.name));
  });

  it('reports nothing for healthy on-demand hosts and for an empty list', async () => {
    const hf = new HostFactoryInstance({ config: { SIM_BOOT_DELAY_SEC: 0 } });
    const requested = await hf.script('requestMachines', { template: { templateId: 'OnDemand-Small', machineCount: 1 } });
    const done = await pollUntilDone(hf, requested.json.requestId);
    const machines = done.json.requests[0].machines.map((m: any) => ({ name: m.name, machineId: m.machineId }));
    expect((await hf.script('getReturnRequests', { machines })).json.requests).toEqual([]);
    const empty = await hf.script('getReturnRequests', { machines: [] });
    assertSchema('getReturnRequests', empty.json);
    expect(empty.json.requests).toEqual([]);
  });
});

describe('sim drills from the CLI', () => {
  it('an interruption notice and a termination outside HostFactory reach getReturnRequests', async () => {
    const hf = new HostFactoryInstance({ config: { SIM_BOOT_DELAY_SEC: 0 } });
    const requested = await hf.script('requestMachines', { template: { templateId: 'OnDemand-Small', machineCount: 2 } });
    const done = await pollUntilDone(hf, requested.json.requestId);
    const [first, second] = done.json.requests[0].machines.map((m: any) => ({ name: m.name, machineId: m.machineId }));

    const noticed = Date.now();
    const interrupted = await hf.cli(['sim', 'interrupt', first.machineId, '--grace', '90', '--json']);
    expect(interrupted.exitCode, interrupted.stderr).toBe(0);
    const terminated = await hf.cli(['sim', 'terminate', second.machineId]);
    expect(terminated.exitCode, terminated.stderr).toBe(0);
    expect(terminated.stdout).toContain(second.machineId);

    const reclaims = await hf.script('getReturnRequests', { machines: [first, second] });
    assertSchema('getReturnRequests', reclaims.json);
    const grace = new Map(reclaims.json.requests.map((r: any) => [r.machine, r.gracePeriod]));
    expect(grace.get(first.name)).toBeGreaterThanOrEqual(90 - secondsSince(noticed));
    expect(grace.get(first.name)).toBeLessThanOrEqual(90);
    expect(grace.get(second.name)).toBe(0);

    const unknown = await hf.cli(['sim', 'interrupt', 'i-00000000000000000']);
    expect(unknown.exitCode).toBe(2);
  });

  it('are refused for a real cloud', async () => {
    const hf = new HostFactoryInstance({ providerName: 'aws', extraEnv: { AWS_EC2_METADATA_DISABLED: 'true' } });
    writeFileSync(join(hf.confDir, 'awsprov_config.json'), JSON.stringify({ AWS_REGION: 'us-east-1' }));
    const refused = await hf.cli(['sim', 'terminate', 'i-0123456789abcdef0']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('sim commands need the simulated cloud');
  });
});
