import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertSchema, HostFactoryInstance } from '../support/hostfactory-harness.js';

const priceInfoOf = (response: any, templateId: string) => response.templates.find((template: any) => template.templateId === templateId).attributes.priceInfo;

describe('prices on the simulated cloud, through the CLI and the scripts', () => {
  it('`prices` caches the catalog\'s prices, getAvailableTemplates ranks on them with PRICE_INFO=auto, people see what requests cost', { timeout: 60_000 }, async () => {
    const hf = new HostFactoryInstance({ config: { PRICE_INFO: 'auto' } });

    const before = await hf.script('getAvailableTemplates', {});
    expect(before.exitCode, before.stderr).toBe(0);
    expect(priceInfoOf(before.json, 'OnDemand-Small')).toBeUndefined();
    expect(hf.logLines().some((line) => String(line.msg).includes('price cache missing'))).toBe(true);

    const prices = await hf.cli(['prices']);
    expect(prices.exitCode, prices.stderr).toBe(0);
    expect(prices.stdout).toContain('OnDemand-Small: 0.0375 effective (on demand)');
    expect(prices.stdout).toContain('Spot-Compute: 0.066 effective (spot)');
    expect(prices.stdout).toContain('Mixed-Memory: 0.2424 effective (20 % on demand, 80 % spot)');
    expect(prices.stdout).toMatch(/^m5\.2xlarge\s+2\s+spot\s+0\.21\s+0\.07\s+sim-1a$/m);
    expect(existsSync(join(hf.workDir, 'prices.json'))).toBe(true);

    const json = await hf.cli(['prices', 'Spot-Compute', '--json']);
    expect(json.json).toMatchObject({ refreshed: false, region: 'sim', ttlSec: 3600, templates: [{ templateId: 'Spot-Compute', effectivePerUnit: 0.066 }] });

    const after = await hf.script('getAvailableTemplates', {});
    assertSchema('getAvailableTemplates', after.json);
    expect(priceInfoOf(after.json, 'OnDemand-Small')).toEqual(['String', 'price:0.0375,billingTimeUnitType:prorated_hour,billingTimeUnitNumber:1,billingRoundoffType:unit']);
    expect(priceInfoOf(after.json, 'Mixed-Memory')).toEqual(['String', 'price:0.2424,billingTimeUnitType:prorated_hour,billingTimeUnitNumber:1,billingRoundoffType:unit']);

    const request = await hf.script('requestMachines', { template: { templateId: 'OnDemand-Small', machineCount: 2 } });
    const { requestId } = request.json;
    const status = await hf.cli(['requests', 'status', requestId]);
    expect(status.stdout.split('\n')[0]).toMatch(new RegExp(`^${requestId}  running  cost \\$\\d+\\.\\d{4} so far`));
    const hostFactoryStatus = await hf.script('getRequestStatus', { requests: [{ requestId }] });
    assertSchema('getRequestStatus', hostFactoryStatus.json);
    expect(hostFactoryStatus.stdout).not.toMatch(/cost/i);
    const list = await hf.cli(['requests', 'list']);
    expect(list.stdout).toMatch(new RegExp(`^${requestId}\\s+acquire\\s+running\\s+OnDemand-Small\\s+2\\s+\\$\\d+\\.\\d{4}\\s`, 'm'));
  });
});
