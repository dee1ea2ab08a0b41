import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertSchema } from '../../support/hostfactory-harness.js';
import { startAwsE2eCloud, type AwsE2eCloud } from './aws-e2e-cloud.js';

const RECORDER = join(import.meta.dirname, '..', '..', 'support', 'sdk-import-recorder.mjs');

/**
 * Issue 10, part 1: a script call imports an AWS SDK package only when it sends a request with it
 * (`@aws-sdk/client-ec2` alone costs most of a second to load). Each call runs with a resolve hook
 * that records every `@aws-sdk/*` and `@smithy/*` package the process imports.
 */
describe('AWS SDK packages a script call loads', () => {
  let cloud: AwsE2eCloud;
  let call = 0;

  beforeAll(async () => {
    // No scheduled sweep: it would send its own describe calls from getReturnRequests.
    cloud = await startAwsE2eCloud({ RECONCILE_INTERVAL_SEC: 0, PRICE_INFO: 'auto' });
  });
  afterAll(() => cloud.close());

  async function loadedBy(operation: Parameters<AwsE2eCloud['hf']['script']>[0] | string[], input?: unknown) {
    const file = join(cloud.hf.root, `sdk-imports-${(call += 1)}.txt`);
    const env = { NODE_OPTIONS: `--import ${RECORDER}`, HF_TEST_SDK_IMPORTS: file };
    const result = await (Array.isArray(operation) ? cloud.hf.cli(operation, { env }) : cloud.hf.script(operation, input, { env }));
    expect(result.exitCode, result.stderr).toBe(0);
    let packages: string[] = [];
    try {
      packages = [...new Set(readFileSync(file, 'utf8').split('\n').filter(Boolean))].sort();
    } catch {
      packages = [];
    } finally {
      rmSync(file, { force: true });
    }
    return { result, packages };
  }

  it('calls that send no AWS request load no SDK package', { timeout: 60_000 }, async () => {
    expect((await loadedBy('getAvailableTemplates', {})).packages).toEqual([]);
    expect((await loadedBy('getReturnRequests', { machines: [] })).packages).toEqual([]);
    expect((await loadedBy('getRequestStatus', { requests: [{ requestId: 'req-00000000-0000-4000-8000-000000000000' }] })).packages).toEqual([]);
  });

  it('a RunInstances launch loads the EC2 client, and not Auto Scaling, SSM or SQS', { timeout: 60_000 }, async () => {
    const { result, packages } = await loadedBy('requestMachines', { template: { templateId: 'RunInstances-OnDemand', machineCount: 1 } });
    expect(result.json.requestId).toMatch(/^req-/);
    expect(packages).toContain('@aws-sdk/client-ec2');
    expect(packages).not.toContain('@aws-sdk/client-auto-scaling');
    expect(packages).not.toContain('@aws-sdk/client-ssm');
    expect(packages).not.toContain('@aws-sdk/client-sqs');
  });

  it('`prices` loads the Pricing client; getAvailableTemplates then prices templates from the cache and loads no SDK', { timeout: 60_000 }, async () => {
    const prices = await loadedBy(['prices', '--json']);
    expect(prices.packages).toContain('@aws-sdk/client-pricing');
    expect(prices.result.json.templates.find((template: { templateId: string }) => template.templateId === 'RunInstances-OnDemand')).toMatchObject({ effectivePerUnit: 0.025 });
    expect(cloud.server.callsOf('GetProducts').length).toBeGreaterThan(0);

    const calls = cloud.server.calls.length;
    const { result, packages } = await loadedBy('getAvailableTemplates', {});
    expect(packages).toEqual([]);
    expect(cloud.server.calls.length).toBe(calls);
    assertSchema('getAvailableTemplates', result.json);
    const priced = result.json.templates.find((template: { templateId: string }) => template.templateId === 'RunInstances-OnDemand');
    expect(priced.attributes.priceInfo).toEqual(['String', 'price:0.025,billingTimeUnitType:prorated_hour,billingTimeUnitNumber:1,billingRoundoffType:unit']);
  });
});
