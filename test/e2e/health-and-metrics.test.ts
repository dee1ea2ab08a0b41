import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import parsePrometheus, { type ParsedFamily } from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostFactoryInstance } from '../support/hostfactory-harness.js';
import { callBy, inputFile, startServe } from '../support/serve-harness.js';
import { startAwsE2eCloud, type AwsE2eCloud } from './aws/aws-e2e-cloud.js';

const counter = (families: ParsedFamily[], name: string, labels: Record<string, string>) =>
  Number(families.find((family) => family.name === name)?.metrics.find((sample) => Object.entries(labels).every(([key, value]) => sample.labels?.[key] === value))?.value ?? 0);

interface HealthJson {
  status: string;
  checks: Array<{ component: string; status: string; latencyMs: number; message: string }>;
}

async function health(hf: HostFactoryInstance, env: NodeJS.ProcessEnv = {}) {
  const result = await hf.cli(['--json', 'health'], { env });
  return { exitCode: result.exitCode, report: result.json as HealthJson, stdout: result.stdout };
}
const failing = (report: HealthJson) => report.checks.filter((check) => check.status === 'fail').map((check) => check.component);

describe('hostfactory health', () => {
  let aws: AwsE2eCloud;
  beforeAll(async () => {
    aws = await startAwsE2eCloud();
  });
  afterAll(() => aws.close());

  it('on the embedded default: every check passes, exit 0, and the table names each component', async () => {
    const hf = new HostFactoryInstance();
    const { exitCode, report } = await health(hf);
    expect(exitCode).toBe(0);
    expect(report.status).toBe('ok');
    expect(report.checks.map((check) => check.component)).toEqual(['config', 'templates', 'store', 'provider', 'cloud', 'clock']);
    const table = await hf.cli(['health']);
    expect(table.stdout).toMatch(/^COMPONENT\s+STATUS\s+LATENCY\s+MESSAGE/);
    expect(table.stdout).toContain('status: ok');
  });

  it('AWS: credentials and region proven by one call, the clock compared; a refused call fails the cloud check with exit 1', { timeout: 60_000 }, async () => {
    const ok = await health(aws.hf);
    expect(ok.exitCode).toBe(0);
    expect(ok.report.checks.find((check) => check.component === 'cloud')?.message).toMatch(/^EC2 in us-east-1 answered/);
    expect(ok.report.checks.find((check) => check.component === 'clock')).toMatchObject({ status: 'ok', message: expect.stringMatching(/the cloud by \d+ s/) });
    aws.server.failNext('DescribeAvailabilityZones', { code: 'UnauthorizedOperation', message: 'You are not authorized to perform this operation.', status: 403 });
    const denied = await health(aws.hf);
    expect(denied.exitCode).toBe(1);
    expect(failing(denied.report)).toEqual(['cloud']);
    expect(denied.report.checks.find((check) => check.status === 'fail')?.message).toMatch(/^ACCESS_DENIED: .*DescribeAvailabilityZones/);
  });

  it('each failing component is named, with exit 1: config, templates, store', async () => {
    const badConfig = new HostFactoryInstance({ config: { RECONCILE_GRACE_SEC: 'soon' } });
    const config = await health(badConfig);
    expect(config.exitCode).toBe(1);
    expect(failing(config.report)).toEqual(['config']);

    const noTemplates = new HostFactoryInstance();
    writeFileSync(join(noTemplates.confDir, 'simprov_templates.json'), '{"templates": [{"templateId": "Broken", "maxNumber": "many"}]}');
    const templates = await health(noTemplates);
    expect(templates.exitCode).toBe(1);
    expect(failing(templates.report)).toEqual(['templates']);

    const unreachable = await health(new HostFactoryInstance(), { HOSTFACTORY_STORE: 'postgres://nobody@127.0.0.1:1/none' });
    expect(unreachable.exitCode).toBe(1);
    expect(failing(unreachable.report)).toEqual(['store']);
  });
});

describe('metrics', () => {
  it('script calls add up in a textfile (METRICS_TEXTFILE_DIR), parsed by a Prometheus parser', { timeout: 60_000 }, async () => {
    const hf = new HostFactoryInstance();
    const dir = mkdtempSync(join(tmpdir(), 'hf-e2e-metrics-'));
    try {
      const env = { METRICS_TEXTFILE_DIR: dir };
      await hf.script('getAvailableTemplates', {}, { env });
      const requested = await hf.script('requestMachines', { template: { templateId: 'OnDemand-Small', machineCount: 1 } }, { env });
      await hf.script('requestMachines', { template: { templateId: 'No-Such-Template', machineCount: 1 } }, { env });
      // Only getRequestStatus moves a request on, so the gauge written by this last call holds the one just made, however slow the machine.
      await hf.script('getAvailableTemplates', {}, { env });
      expect(requested.json.requestId).toMatch(/^req-/);
      const families = parsePrometheus(readFileSync(join(dir, 'hostfactory_sim.prom'), 'utf8'));
      expect(counter(families, 'hostfactory_operations_total', { operation: 'requestMachines', outcome: 'ok' })).toBe(1);
      expect(counter(families, 'hostfactory_operations_total', { operation: 'requestMachines', outcome: 'TEMPLATE_NOT_FOUND' })).toBe(1);
      expect(counter(families, 'hostfactory_operations_total', { operation: 'getAvailableTemplates', outcome: 'ok' })).toBe(2);
      expect(counter(families, 'hostfactory_requests_outstanding', { kind: 'acquire' })).toBe(1);
      expect(families.some((family) => family.name === 'hostfactory_store_operation_duration_seconds')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the server serves GET /metrics and GET /health on its socket', { timeout: 60_000 }, async () => {
    const hf = new HostFactoryInstance();
    const server = await startServe(hf);
    try {
      await callBy('node-client', hf, 'getAvailableTemplates', inputFile(hf, {}));
      const curl = (path: string) => hf.exec('curl', ['-s', '-w', '\n%{http_code}', '--unix-socket', server.ready.socket, `http://localhost${path}`]);
      const metrics = await curl('/metrics');
      const [text, code] = [metrics.stdout.slice(0, metrics.stdout.lastIndexOf('\n')), metrics.stdout.slice(metrics.stdout.lastIndexOf('\n') + 1)];
      expect(code).toBe('200');
      expect(counter(parsePrometheus(text), 'hostfactory_operations_total', { operation: 'getAvailableTemplates', outcome: 'ok' })).toBe(1);
      const healthAnswer = await curl('/health');
      const body = JSON.parse(healthAnswer.stdout.slice(0, healthAnswer.stdout.lastIndexOf('\n'))) as HealthJson;
      expect(healthAnswer.stdout.endsWith('200')).toBe(true);
      expect(body.status).toBe('ready');
      expect(body.checks.map((check) => check.component)).toEqual(['templates', 'store', 'provider', 'cloud', 'clock']);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
