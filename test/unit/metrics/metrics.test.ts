import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import parsePrometheus, { type ParsedFamily } from 'parse-prometheus-text-format';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HostFactoryError } from '../../../src/domain/errors.js';
import { measured } from '../../../src/infrastructure/metrics/measured-store.js';
import { mergeIntoTextfile, textfileOf } from '../../../src/infrastructure/metrics/metrics-textfile.js';
import { PromMetrics, reclaimKind } from '../../../src/infrastructure/metrics/prom-metrics.js';
import { aMachine, anAcquireRequest, aReturnRequest } from '../../support/mothers.js';

const family = (families: ParsedFamily[], name: string) => families.find((entry) => entry.name === name);
const valueOf = (families: ParsedFamily[], name: string, labels: Record<string, string>) =>
  Number(family(families, name)?.metrics.find((sample) => Object.entries(labels).every(([key, value]) => sample.labels?.[key] === value))?.value);

describe('metrics', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hf-metrics-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('renders every metric in the Prometheus text format, gauges read from the store', async () => {
    const metrics = await PromMetrics.create();
    metrics.operation('getRequestStatus', 'ok', 0.3);
    metrics.operation('requestMachines', 'INVALID_INPUT', 0.1);
    metrics.cloudCall('ec2:RunInstances', 'ok');
    metrics.cloudCall('ec2:RunInstances', 'InsufficientInstanceCapacity');
    metrics.storeCall('machines.update', 0.002, true);
    metrics.reclaim('spot interruption warning (terminate)');
    metrics.requestFinished('acquire', 'complete');
    const text = await metrics.render({
      outstanding: [anAcquireRequest(), anAcquireRequest(), aReturnRequest()],
      live: [aMachine('req-1', { status: 'running', templateId: 'Small' }), aMachine('req-1', { status: 'running', templateId: 'Small' }), aMachine('req-2', { status: 'pending', templateId: 'Large' })],
    });
    const families = parsePrometheus(text);
    expect(valueOf(families, 'hostfactory_operations_total', { operation: 'requestMachines', outcome: 'INVALID_INPUT' })).toBe(1);
    expect(family(families, 'hostfactory_operation_duration_seconds')?.type).toBe('HISTOGRAM');
    expect(valueOf(families, 'hostfactory_cloud_api_calls_total', { action: 'ec2:RunInstances', outcome: 'InsufficientInstanceCapacity' })).toBe(1);
    expect(valueOf(families, 'hostfactory_store_conflicts_total', { operation: 'machines.update' })).toBe(1);
    expect(valueOf(families, 'hostfactory_reclaims_total', { reason: 'spot_interruption' })).toBe(1);
    expect(valueOf(families, 'hostfactory_requests_finished_total', { kind: 'acquire', status: 'complete' })).toBe(1);
    expect(valueOf(families, 'hostfactory_requests_outstanding', { kind: 'acquire' })).toBe(2);
    expect(valueOf(families, 'hostfactory_machines', { state: 'running', template: 'Small' })).toBe(2);
    expect(valueOf(families, 'hostfactory_machines', { state: 'pending', template: 'Large' })).toBe(1);
  });

  it('reclaim reasons are grouped by kind', () => {
    expect(
      ['spot interruption notice (instance-terminated-no-capacity)', 'EC2 rebalance recommendation', 'scheduled instance-retirement', 'not in the store; terminated in the cloud', 'instance terminated outside HostFactory', 'who knows'].map(reclaimKind),
    ).toEqual(['spot_interruption', 'rebalance', 'scheduled_change', 'untracked_host', 'gone', 'other']);
  });

  it('the textfile adds counters and histograms across processes and keeps the latest gauges', async () => {
    const first = await PromMetrics.create();
    first.operation('getRequestStatus', 'ok', 0.2);
    first.cloudCall('ec2:DescribeInstances', 'ok');
    await mergeIntoTextfile(dir, 'aws', await first.render({ outstanding: [anAcquireRequest()], live: [] }));
    const second = await PromMetrics.create();
    second.operation('getRequestStatus', 'ok', 3);
    second.operation('getReturnRequests', 'ok', 0.1);
    await Promise.all([
      mergeIntoTextfile(dir, 'aws', await second.render({ outstanding: [], live: [] })),
      (async () => {
        const third = await PromMetrics.create();
        third.cloudCall('ec2:DescribeInstances', 'ok');
        await mergeIntoTextfile(dir, 'aws', await third.render());
      })(),
    ]);
    expect(readdirSync(dir).filter((name) => name.endsWith('.prom'))).toEqual(['hostfactory_aws.prom']);
    const text = readFileSync(textfileOf(dir, 'aws'), 'utf8');
    const families = parsePrometheus(text);
    expect(valueOf(families, 'hostfactory_operations_total', { operation: 'getRequestStatus', outcome: 'ok' })).toBe(2);
    expect(valueOf(families, 'hostfactory_operations_total', { operation: 'getReturnRequests', outcome: 'ok' })).toBe(1);
    expect(valueOf(families, 'hostfactory_cloud_api_calls_total', { action: 'ec2:DescribeInstances', outcome: 'ok' })).toBe(2);
    // The parser folds a histogram's label sets together, so its samples are read from the text itself.
    const sample = (line: string) => Number(new RegExp(`^${line.replace(/[{}+.]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(sample('hostfactory_operation_duration_seconds_count{operation="getRequestStatus"}')).toBe(2);
    expect(sample('hostfactory_operation_duration_seconds_sum{operation="getRequestStatus"}')).toBeCloseTo(3.2);
    expect(sample('hostfactory_operation_duration_seconds_bucket{le="0.25",operation="getRequestStatus"}')).toBe(1);
    expect(sample('hostfactory_operation_duration_seconds_bucket{le="+Inf",operation="getRequestStatus"}')).toBe(2);
    expect(valueOf(families, 'hostfactory_requests_outstanding', { kind: 'acquire' })).toBe(0);
  });

  it('a measured store port times every call and counts lost optimistic races', async () => {
    const calls: Array<[string, boolean]> = [];
    const recorder = { storeCall: (operation: string, _seconds: number, conflict: boolean) => void calls.push([operation, conflict]) } as unknown as PromMetrics;
    const port = {
      async get(id: string) {
        return id;
      },
      async update() {
        throw new HostFactoryError('STORAGE_CONFLICT', 'version moved');
      },
    };
    const wrapped = measured(port, 'requests', recorder);
    expect(await wrapped.get('req-1')).toBe('req-1');
    await expect(wrapped.update()).rejects.toThrow('version moved');
    expect(calls).toEqual([
      ['requests.get', false],
      ['requests.update', true],
    ]);
  });
});
