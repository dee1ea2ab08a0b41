import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertSchema, HostFactoryInstance, REPO } from '../support/hostfactory-harness.js';

const EXIT_FAILED = 1;
const EXIT_INVALID_INPUT = 2;
const EXIT_CONFIG_INVALID = 3;

describe('bad input gets a HostFactory-shaped error, a non-zero exit and an unchanged store', () => {
  let hf: HostFactoryInstance;
  let snapshot: string;

  beforeAll(async () => {
    hf = new HostFactoryInstance({ config: { SIM_BOOT_DELAY_SEC: 0 } });
    const seeded = await hf.script('requestMachines', { template: { templateId: 'OnDemand-Small', machineCount: 2 } });
    expect(seeded.exitCode).toBe(0);
    snapshot = await hf.storeSnapshot();
  });

  const cases: Array<[string, 'requestMachines' | 'getRequestStatus' | 'requestReturnMachines' | 'getReturnRequests', unknown, RegExp]> = [
    ['malformed JSON', 'requestMachines', '{"template": {"templateId": ', /not valid JSON/],
    ['an empty object', 'requestMachines', {}, /template/],
    ['an unknown template', 'requestMachines', { template: { templateId: 'No-Such', machineCount: 1 } }, /No-Such.*not found/],
    ['a count of 0', 'requestMachines', { template: { templateId: 'OnDemand-Small', machineCount: 0 } }, /machineCount/],
    ['a negative count', 'requestMachines', { template: { templateId: 'OnDemand-Small', machineCount: -3 } }, /machineCount/],
    ['a non-numeric count', 'requestMachines', { template: { templateId: 'OnDemand-Small', machineCount: 'three' } }, /machineCount/],
    ['a fractional count', 'requestMachines', { template: { templateId: 'OnDemand-Small', machineCount: 1.5 } }, /machineCount/],
    ['a count over the limit', 'requestMachines', { template: { templateId: 'OnDemand-Small', machineCount: 19 } }, /can provide 18 more/],
    ['a template list instead of an object', 'requestMachines', { template: [{ templateId: 'OnDemand-Small' }] }, /template/],
    ['requests that are not a list', 'getRequestStatus', { requests: 'req-1' }, /requests/],
    ['an empty request list', 'getRequestStatus', { requests: [] }, /requests/],
    ['a request without id', 'getRequestStatus', { requests: [{}] }, /requestId/],
    ['no machines to return', 'requestReturnMachines', { machines: [] }, /machines/],
    ['machines without name or id', 'requestReturnMachines', { machines: [{}] }, /name.*machineId/],
    ['a JSON array', 'getReturnRequests', [], /getReturnRequests/],
  ];

  it.each(cases)('%s', async (_label, operation, input, message) => {
    const result = await hf.script(operation, input);
    expect(result.exitCode).toBe(EXIT_INVALID_INPUT);
    assertSchema('error', result.json);
    expect(result.json.code).toMatch(/INVALID_INPUT|TEMPLATE_NOT_FOUND/);
    expect(result.json.message).toMatch(message);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toBe(`${result.json.message.replace(/\s*\n\s*/g, ' ')}\n`);
    expect(await hf.storeSnapshot()).toBe(snapshot);
  });

  it('a missing input file', async () => {
    const result = await hf.exec(join(REPO, 'scripts/requestMachines.sh'), ['-f', join(hf.root, 'absent.json')]);
    expect(result.exitCode).toBe(EXIT_INVALID_INPUT);
    assertSchema('error', result.json);
    expect(result.json.message).toContain('absent.json');
    expect(await hf.storeSnapshot()).toBe(snapshot);
  });

  it('no -f at all', async () => {
    const result = await hf.exec(join(REPO, 'scripts/requestReturnMachines.sh'), []);
    expect(result.exitCode).toBe(EXIT_INVALID_INPUT);
    assertSchema('error', result.json);
    expect(result.json.message).toContain('-f');
  });

  it('returning unknown machines names them and is not fatal', async () => {
    const result = await hf.script('requestReturnMachines', { machines: [{ name: 'ghost-host', machineId: 'i-0000000000000dead' }] });
    expect(result.exitCode).toBe(0);
    assertSchema('requestReturnMachines', result.json);
    expect(result.json.message).toContain('ghost-host');
    expect(result.stderr).toBe('');
  });

  it('an unknown provider instance (missing config file)', async () => {
    const result = await hf.script('getAvailableTemplates', {}, { env: { HF_PROVIDER_NAME: 'nosuch' } });
    expect(result.exitCode).toBe(EXIT_CONFIG_INVALID);
    assertSchema('error', result.json);
    expect(result.json).toMatchObject({ code: 'CONFIG_INVALID' });
    expect(result.json.message).toContain('nosuchprov_config.json');
    expect(result.stderr).toBe(`${result.json.message}\n`);
  });

  it('an invalid config value names the file and the key', async () => {
    const broken = new HostFactoryInstance({ config: { SIM_LAUNCH_FAILURE_RATE: 7 } });
    const result = await broken.script('getAvailableTemplates', {});
    expect(result.exitCode).toBe(EXIT_CONFIG_INVALID);
    assertSchema('error', result.json);
    expect(result.json.message).toContain('simprov_config.json');
    expect(result.json.message).toContain('SIM_LAUNCH_FAILURE_RATE');
  });

  it('a config file that is not JSON', async () => {
    const broken = new HostFactoryInstance();
    writeFileSync(join(broken.confDir, 'simprov_config.json'), '{ nope');
    const result = await broken.script('getAvailableTemplates', {});
    expect(result.exitCode).toBe(EXIT_CONFIG_INVALID);
    assertSchema('error', result.json);
  });

  it('a cloud that has no capacity at all fails the request with a reason', async () => {
    const full = new HostFactoryInstance({ config: { SIM_CAPACITY: { 't3.medium': 0 } } });
    const result = await full.script('requestMachines', { template: { templateId: 'OnDemand-Small', machineCount: 1 } });
    expect(result.exitCode).toBe(EXIT_FAILED);
    assertSchema('error', result.json);
    expect(result.json.code).toBe('INSUFFICIENT_CAPACITY');
  });
});
